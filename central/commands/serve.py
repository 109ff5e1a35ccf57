"""`kiosk-central serve`: the server under uvicorn."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from central.commands import RELEASES_HELP, CommandError, add_db_option, open_store, releases_dir
from central.forwarded import default_proxies, parse_proxies, server_options
from central.store.open import describe


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the central server")
    add_db_option(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument("--releases", help=RELEASES_HELP)
    p.add_argument(
        "--no-migrate",
        action="store_true",
        help="do not migrate the schema at start (deployments that run `kiosk-central migrate` "
        "as a separate step); an old schema then stops start-up",
    )
    p.add_argument(
        "--admin-token-file",
        help="file holding an operator token to accept (kept hashed in the database)",
    )
    p.add_argument(
        "--dossier-source",
        metavar="MODULE:FACTORY",
        help="where dossier statuses come from (default: the imported file); see docs/central.md",
    )
    p.add_argument(
        "--offline-after",
        type=float,
        default=180.0,
        metavar="SECONDS",
        help="the console shows a kiosk offline after this long without a heartbeat (default 180)",
    )
    p.add_argument(
        "--forwarded-allow-ips",
        default=default_proxies(),
        metavar="ADDRESSES",
        help="comma-separated proxy addresses or networks whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed (default $KIOSK_CENTRAL_FORWARDED_ALLOW_IPS, else none)",
    )
    p.add_argument(
        "--voice-pack",
        metavar="DIR",
        help="the voice pack calls are announced with (default: the bundled espeak-ng pack); "
        "see docs/calling.md and `kiosk-central voice check DIR`",
    )
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    p.set_defaults(handler=serve)


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from central.api.dossiers import load_source
    from central.app import create_app
    from central.auth import hash_secret
    from central.context import utc_now

    try:
        proxies = parse_proxies(args.forwarded_allow_ips)
    except ValueError as exc:
        raise CommandError(f"--forwarded-allow-ips: {exc}") from None
    describe(args.db)  # a malformed --db is named before anything else
    releases = releases_dir(args)
    voice_pack = _voice_pack(args.voice_pack)
    store = open_store(args, migrate=not args.no_migrate)
    if args.admin_token_file:
        token = Path(args.admin_token_file).read_text(encoding="utf-8").strip()
        if len(token) < 16:
            raise CommandError(f"{args.admin_token_file}: the admin token must be 16 characters or more")
        store.add_admin_token(hash_secret(token), f"file {args.admin_token_file}", utc_now())
    dossiers = load_source(args.dossier_source, store) if args.dossier_source else None
    app = create_app(
        store, releases, dossiers=dossiers, offline_after_s=args.offline_after, voice_pack=voice_pack
    )
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        server_header=False,
        **server_options(proxies),
    )
    store.close()
    return 0


def _voice_pack(directory: str | None) -> Path | None:
    """The pack's directory. One that does not exist is a typo: refuse to start. One with
    problems is served anyway (a wrong recording must not stop the counters); the displays turn
    their sound off and say why, and the problems are printed here for whoever started it."""
    if directory is None:
        return None
    from central.calling.voice.pack import check_pack

    pack = Path(directory)
    if not pack.is_dir():
        raise CommandError(f"--voice-pack: {directory} is not a directory")
    problems = check_pack(pack)
    for problem in problems[:10]:
        print(f"kiosk-central: voice pack: {problem}", file=sys.stderr)
    if problems:
        print(
            f"kiosk-central: voice pack: {len(problems)} problem(s); the displays will not announce",
            file=sys.stderr,
        )
    return pack

"""`kiosk-central keygen`, `kiosk-central release build|sign|verify|publish` and
`kiosk-central rollout start|status|advance|pause|resume|rollback` (operator actions)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from central.commands import DB_HELP, RELEASES_HELP, CommandError, open_store, print_json, releases_dir
from central.context import utc_now
from central.fleet import build as release_build
from central.fleet import rollouts
from central.fleet.bundles import (
    ReleaseError,
    generate_key,
    publish,
    set_rollback,
    sign_bundle,
    verify_bundle,
    write_manifest,
)
from central.store.contract import CentralStore, Rollout, RolloutPlan
from kiosk.protocol.release_manifest import KeySet, version_key

DEFAULT_DB = "central.db"


def _add_store_options(parser: argparse.ArgumentParser) -> None:
    """The same places `kiosk-central serve` uses: the database and releases/ beside it."""
    parser.add_argument(
        "--db",
        default=os.environ.get("KIOSK_CENTRAL_DB", DEFAULT_DB),
        help=DB_HELP,
    )
    parser.add_argument("--releases", help=RELEASES_HELP)


def _releases_dir(args: argparse.Namespace) -> Path:
    return releases_dir(args)


def register(sub: argparse._SubParsersAction) -> None:
    key = sub.add_parser("keygen", help="make an Ed25519 release signing key (NAME.key, NAME.pub)")
    key.add_argument("--out", required=True, help="directory for the key files (keep it offline)")
    key.add_argument("--name", default="release", help="file name stem (default: release)")
    key.set_defaults(handler=keygen)
    rel = sub.add_parser("release", help="build, sign, verify and publish release bundles")
    rel_sub = rel.add_subparsers(dest="release_command", required=True, metavar="ACTION")
    _register_release(rel_sub)
    roll = sub.add_parser("rollout", help="staged rollouts of a published release")
    _add_store_options(roll)
    roll_sub = roll.add_subparsers(dest="rollout_command", required=True, metavar="ACTION")
    _register_rollout(roll_sub)


def _register_release(rel_sub: argparse._SubParsersAction) -> None:
    build = rel_sub.add_parser("build", help="the project wheel + dependency wheels + manifest")
    build.add_argument("--version", required=True)
    build.add_argument("--platform", required=True, help="e.g. linux_aarch64 (64-bit Pi OS)")
    build.add_argument("--out", required=True, help="bundle directory to create")
    build.add_argument("--source", default=".", help="project source tree (default: .)")
    build.add_argument("--python", default="3.11", help="kiosk Python version (default: 3.11)")
    build.add_argument("--min-agent", help="oldest agent version that may install it")
    build.add_argument("--rollback", action="store_true", help="may replace a newer release")
    build.add_argument(
        "--no-deps",
        action="store_true",
        help="only the project wheel (kiosks that have the dependencies already)",
    )
    build.set_defaults(handler=build_release)
    sign = rel_sub.add_parser("sign", help="sign a bundle's manifest (checks its files first)")
    sign.add_argument("bundle")
    sign.add_argument("--key", required=True, help="private key file from keygen")
    sign.add_argument("--rollback", action="store_true", help="mark it rollback: true first")
    sign.set_defaults(handler=sign_release)
    verify = rel_sub.add_parser("verify", help="check a signed bundle as a kiosk would")
    verify.add_argument("bundle")
    verify.add_argument("--keys", required=True, help="directory of trusted *.pub keys")
    verify.set_defaults(handler=verify_release)
    pub = rel_sub.add_parser("publish", help="copy a verified bundle into the server's releases")
    pub.add_argument("bundle")
    pub.add_argument("--keys", required=True, help="directory of trusted *.pub keys")
    _add_store_options(pub)
    pub.set_defaults(handler=publish_release)


def _register_rollout(roll_sub: argparse._SubParsersAction) -> None:
    start = roll_sub.add_parser("start", help="start rolling out a published version")
    start.add_argument("version")
    start.add_argument(
        "--canary-devices", default="", help="device ids that go first, e.g. kiosk-0001,kiosk-0002"
    )
    start.add_argument("--canary-sites", default="", help="sites whose every kiosk goes first")
    start.add_argument("--stages", default="10,50,100", help="percentages (default 10,50,100)")
    start.add_argument("--failure-threshold", type=float, default=0.2)
    start.add_argument("--min-results", type=int, default=3)
    start.add_argument("--advance-after-ok", type=int, default=0)
    start.set_defaults(handler=rollout_start)
    for name, what in (
        ("status", "show the current rollout, or the one given"),
        ("advance", "next stage"),
        ("pause", "pause"),
        ("resume", "resume a paused or halted rollout"),
    ):
        cmd = roll_sub.add_parser(name, help=what)
        cmd.add_argument("id", type=int, nargs="?" if name == "status" else None)
        cmd.set_defaults(handler=rollout_action, action=name)
    back = roll_sub.add_parser("rollback", help="take devices back to a rollback-signed version")
    back.add_argument("id", type=int)
    back.add_argument("--to", required=True)
    back.set_defaults(handler=rollout_rollback)


def keygen(args: argparse.Namespace) -> int:
    kid, private, public = generate_key(Path(args.out), args.name)
    print(
        f"key id {kid}\nprivate key {private} (mode 0600; keep it offline, never commit it)\n"
        f"public key  {public} (pin it on kiosks in /etc/kiosk/release-keys/)"
    )
    return 0


def build_release(args: argparse.Namespace) -> int:
    out = Path(args.out)
    version_key(args.version)  # one the kiosks can compare, before anything is built
    if out.exists() and any(out.iterdir()):
        raise ReleaseError(f"{out} is not empty; give a new directory")
    wheel = release_build.build_project_wheel(Path(args.source), args.version, out)
    if not args.no_deps:
        release_build.download_dependencies(wheel, args.platform, out, args.python)
    wheels = sorted(out.glob("*.whl"))
    installed = release_build.measure_installed_size(wheels, args.platform, args.python)
    manifest = write_manifest(
        out,
        version=args.version,
        platform=args.platform,
        min_agent=args.min_agent,
        rollback=args.rollback,
        python=f">={args.python}",
        installed_size=installed,
    )
    total = sum(f["size"] for f in manifest["files"])
    print(
        f"built {args.version} for {args.platform}: {len(manifest['files'])} files, "
        f"{total / 2**20:.1f} MiB in {out} ({installed / 2**20:.1f} MiB installed)"
    )
    return 0


def sign_release(args: argparse.Namespace) -> int:
    bundle = Path(args.bundle)
    if args.rollback:
        set_rollback(bundle, True)
    envelope = sign_bundle(bundle, Path(args.key))
    print(f"signed {envelope['manifest']['version']} with key {envelope['key_id']}")
    return 0


def verify_release(args: argparse.Namespace) -> int:
    manifest = verify_bundle(Path(args.bundle), KeySet.from_dir(Path(args.keys)))
    print(f"{manifest['version']}: signature and {len(manifest['files'])} files verified")
    return 0


def publish_release(args: argparse.Namespace) -> int:
    releases_dir = _releases_dir(args)
    manifest = publish(Path(args.bundle), releases_dir, KeySet.from_dir(Path(args.keys)))
    print(f"published {manifest['version']} in {releases_dir / manifest['version']}")
    return 0


def _names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


def _show(store: CentralStore, rollout: Rollout) -> None:
    print_json(rollouts.status(store, rollout).as_json())


def rollout_start(args: argparse.Namespace) -> int:
    try:
        stages = tuple(int(s) for s in _names(args.stages))
    except ValueError:
        raise CommandError(f"--stages {args.stages!r}: give percentages like 10,50,100") from None
    plan = RolloutPlan(
        version=args.version,
        stages=stages,
        canary_devices=_names(args.canary_devices),
        canary_sites=_names(args.canary_sites),
        failure_threshold=args.failure_threshold,
        min_results=args.min_results,
        advance_after_ok=args.advance_after_ok,
        started_by="cli",
    )
    store = open_store(args)
    _show(store, rollouts.start(store, _releases_dir(args), plan, utc_now()))
    return 0


def rollout_action(args: argparse.Namespace) -> int:
    store = open_store(args)
    if args.action == "status":
        rollout = rollouts.get(store, args.id) if args.id else store.current_rollout()
        if rollout is None:
            print("no rollout")
            return 0
    else:
        rollout = rollouts.act(store, args.id, args.action, utc_now())
    _show(store, rollout)
    return 0


def rollout_rollback(args: argparse.Namespace) -> int:
    store = open_store(args)
    _show(store, rollouts.roll_back(store, _releases_dir(args), args.id, args.to, utc_now()))
    return 0

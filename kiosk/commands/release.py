"""`kiosk selftest` (run by the updater from a new release before the switch) and
`kiosk update status|rollback|keys`."""

from __future__ import annotations

import argparse
import functools
import importlib
import importlib.util
import json
import os
import pkgutil
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

import kiosk
from kiosk import __version__, store
from kiosk.commands import open_db, print_json
from kiosk.config import load_config, state_dir
from kiosk.errors import UpdateError
from kiosk.protocol.release_manifest import (
    MANIFEST_FILE,
    PINNED_KEYS_DIR,
    SIGNATURE_FILE,
    KeySet,
    check_files,
    verify_envelope,
)

# Modules the self-test does not import: the Kivy UI (importing it may open a window) and entry
# points that run something when imported. Kivy itself is checked to be installed.
NOT_IMPORTED = ("kiosk.app", "kiosk.screens", "kiosk.demo", "kiosk.screenshots", "kiosk.__main__")
SERIAL_SCHEMES = ("socket", "loop", "spy", "rfc2217", "hwgrep", "alt")


def register(sub: argparse._SubParsersAction) -> None:
    test = sub.add_parser(
        "selftest",
        help="check this release can run here (imports, config, "
        "migrations on a copy of the database, drivers)",
    )
    test.add_argument("--json", action="store_true", help="print the report as JSON")
    test.set_defaults(handler=selftest)
    upd = sub.add_parser("update", help="software updates of this kiosk")
    upd_sub = upd.add_subparsers(dest="update_command", required=True, metavar="ACTION")
    status = upd_sub.add_parser("status", help="running version, update state, last result")
    status.set_defaults(handler=update_status)
    back = upd_sub.add_parser(
        "rollback",
        help="switch back to the previous release if an update is still on probation "
        "(run by kiosk-rollback.service when a unit crash-loops)",
    )
    back.add_argument("--reason", default="crash loop reported by systemd")
    back.add_argument("--releases-root", help="default $KIOSK_RELEASES_ROOT or /opt/kiosk")
    back.set_defaults(handler=update_rollback)
    verify = upd_sub.add_parser(
        "verify", help="check a signed bundle directory against the pinned keys (install.sh)"
    )
    verify.add_argument("bundle", help="directory with manifest.json, signature.json and files")
    verify.add_argument("--keys", default=str(PINNED_KEYS_DIR))
    verify.set_defaults(handler=verify_bundle)
    keys = upd_sub.add_parser("keys", help="the pinned release keys and their ids")
    keys.add_argument("--dir", default=str(PINNED_KEYS_DIR))
    keys.set_defaults(handler=list_keys)


def selftest(args: argparse.Namespace) -> int:
    checks: list[tuple[str, bool, str]] = []

    def check(name: str, run: Callable[[], str]) -> None:
        try:
            checks.append((name, True, run()))
        except Exception as exc:  # every failure is reported, none stops the other checks
            checks.append((name, False, f"{type(exc).__name__}: {exc}"))

    for module in importable_modules():
        check(f"import {module}", functools.partial(_import, module))
    check("kivy installed", _kivy_present)
    check("config loads", lambda: _config(args))
    check("migrations on a copy of the database", lambda: _migrate_copy(state_dir(args)))
    check("printer driver", lambda: _printer(args))
    failed = [f"{name}: {detail}" for name, ok, detail in checks if not ok]
    if args.json:
        print_json(
            {
                "version": __version__,
                "ok": not failed,
                "checks": [{"name": n, "ok": ok, "detail": d} for n, ok, d in checks],
                "failed": failed,
            }
        )
    else:
        for name, ok, detail in checks:
            print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}")
    return 1 if failed else 0


def importable_modules() -> list[str]:
    """Every module of the kiosk package but NOT_IMPORTED, found without importing anything
    (pkgutil.walk_packages would import each package, kiosk.screens and so Kivy included)."""
    names: list[str] = []

    def walk(paths: list[str], prefix: str) -> None:
        for info in pkgutil.iter_modules(paths, prefix):
            if info.name in NOT_IMPORTED:
                continue
            names.append(info.name)
            if info.ispkg:
                walk([os.path.join(p, info.name.rsplit(".", 1)[1]) for p in paths], info.name + ".")

    walk(list(kiosk.__path__), "kiosk.")
    return sorted(names)


def _import(module: str) -> str:
    importlib.import_module(module)
    return ""


def _kivy_present() -> str:
    if importlib.util.find_spec("kivy") is None:
        raise ModuleNotFoundError("kivy is not installed in this release")
    return ""


def _config(args: argparse.Namespace) -> str:
    settings = load_config(args).settings
    return f"site {settings.site.name!r}"


def _migrate_copy(directory: Path) -> str:
    """Run this release's migrations on a copy of the live database: a migration that fails here
    would otherwise fail after the switch, on the only copy."""
    live = directory / store.DB_NAME
    with tempfile.TemporaryDirectory(prefix="kiosk-selftest-") as tmp:
        copy = Path(tmp) / store.DB_NAME
        if live.exists():
            source, dest = sqlite3.connect(live), sqlite3.connect(copy)
            try:
                source.backup(dest)
            finally:
                dest.close()
                source.close()
        db = store.connect(copy, migrate_schema=False)
        try:
            before = store.schema_version(db)
            after = store.migrate(db)
        finally:
            db.close()
    return f"schema {before} → {after}"


def _printer(args: argparse.Namespace) -> str:
    url = load_config(args).settings.printer.url
    if not url:
        return "no printer configured"
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if url.startswith("/") or scheme in SERIAL_SCHEMES:
        import serial

        serial.serial_for_url(url, do_not_open=True)
        return f"{url} (serial, not opened)"
    return f"{url} (opened by the UI's driver; not checked here)"


def update_status(args: argparse.Namespace) -> int:
    from kiosk.update import gate
    from kiosk.update.install import ReleaseLayout
    from kiosk.update.updater import update_status as status_of

    db = open_db(args)
    layout = ReleaseLayout.default()
    print_json(
        {
            **status_of(db, __version__),
            "current": str(layout.current_target() or ""),
            "switch": gate.load_json(db, gate.SWITCH_KEY) or None,
            "refused": gate.load_json(db, gate.REFUSED_KEY),
        }
    )
    return 0


def update_rollback(args: argparse.Namespace) -> int:
    from kiosk.update import gate
    from kiosk.update.install import ReleaseLayout

    db = open_db(args)
    root = Path(args.releases_root) if args.releases_root else None
    layout = ReleaseLayout(root) if root else ReleaseLayout.default()
    reporter = gate.Reporter(db, load_config(args).settings.site.timezone)
    detail = gate.roll_back(db, state_dir(args), layout, reporter, args.reason)
    print(detail or "no update on probation; nothing to roll back")
    return 0


def verify_bundle(args: argparse.Namespace) -> int:
    bundle = Path(args.bundle)
    try:
        envelope = {
            "manifest": json.loads((bundle / MANIFEST_FILE).read_text(encoding="utf-8")),
            **json.loads((bundle / SIGNATURE_FILE).read_text(encoding="utf-8")),
        }
    except (OSError, ValueError) as exc:
        raise UpdateError(f"{bundle}: not a signed bundle: {exc}") from None
    manifest = verify_envelope(envelope, KeySet.from_dir(Path(args.keys)))
    check_files(manifest, bundle)
    print(manifest["version"])
    return 0


def list_keys(args: argparse.Namespace) -> int:
    keys = KeySet.from_dir(Path(args.dir))
    for kid in keys.ids():
        print(kid)
    return 0

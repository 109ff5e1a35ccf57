"""`kiosk doctor [--json]`: every check of this kiosk, ✔ or ✖ with the fix; exit 1 when
something is wrong (kiosk/doctor/)."""

from __future__ import annotations

import argparse
import dataclasses
import logging
from pathlib import Path

from kiosk.commands import print_json
from kiosk.config import state_dir


def register(sub: argparse._SubParsersAction) -> None:
    doctor = sub.add_parser(
        "doctor",
        help="check this kiosk: settings, database, printer, scanner, server, token, clock, "
        "disk, services, releases; exit 1 when something is wrong",
    )
    doctor.add_argument("--json", action="store_true", help="print the checks as JSON (for scripts)")
    doctor.add_argument("--min-free-mb", type=int, help="least free disk in MiB (default 500)")
    doctor.add_argument(
        "--max-clock-offset-s", type=float, help="largest clock difference with the server (default 60)"
    )
    doctor.add_argument("--releases-root", help="default $KIOSK_RELEASES_ROOT or /opt/kiosk")
    doctor.set_defaults(handler=doctor_command)


def doctor_command(args: argparse.Namespace) -> int:
    from kiosk.doctor import DoctorOptions, run_checks
    from kiosk.update.install import ReleaseLayout

    options = DoctorOptions()
    changes: dict[str, object] = {}
    if args.min_free_mb is not None:
        changes["min_free_mb"] = args.min_free_mb
    if args.max_clock_offset_s is not None:
        changes["max_clock_offset_s"] = args.max_clock_offset_s
    if args.releases_root:
        changes["layout"] = ReleaseLayout(Path(args.releases_root))
    options = dataclasses.replace(options, **changes)  # type: ignore[arg-type]
    site = Path(args.config) if getattr(args, "config", None) else None
    # The drivers log what the checks report anyway; their warnings would only clutter the list.
    logging.disable(logging.WARNING)
    try:
        checks = run_checks(state_dir(args), site, options)
    finally:
        logging.disable(logging.NOTSET)
    problems = sum(check.failed for check in checks)
    if args.json:
        print_json({"ok": problems == 0, "checks": [check.to_json() for check in checks]})
    else:
        width = max(len(check.name) for check in checks)
        for check in checks:
            mark = "–" if check.skipped else "✔" if check.ok else "✖"
            print(f"{mark} {check.name:<{width}}  {check.detail}")
            if check.failed:
                print(f"  {'':<{width}}  fix: {check.fix}")
        print("all good" if problems == 0 else f"{problems} problem(s)")
    return 0 if problems == 0 else 1

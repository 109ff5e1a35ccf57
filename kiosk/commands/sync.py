"""`kiosk agent`, `kiosk sync --once [--json]`, `kiosk sync status` and `kiosk enroll CODE`."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from kiosk.commands import open_db, print_json
from kiosk.config import load_config, state_dir

if TYPE_CHECKING:
    from kiosk.sync.agent import Agent


def register(sub: argparse._SubParsersAction) -> None:
    agent = sub.add_parser("agent", help="run the sync agent and the updater (kiosk-agent.service)")
    agent.set_defaults(handler=run_agent)
    sync = sub.add_parser("sync", help="talk to the central server now")
    sync.add_argument("--once", action="store_true", help="one pass of every part, then exit")
    sync.add_argument("--json", action="store_true", help="print the report as JSON")
    sync.add_argument("what", nargs="?", choices=["status"], help="status: show the sync state")
    sync.set_defaults(handler=sync_command)
    enroll = sub.add_parser("enroll", help="join the central server with an enrollment code")
    enroll.add_argument("code", help="the single-use code from the operator, e.g. 7K3M-Q9TX")
    enroll.add_argument("--server", help="server URL (default: server.url from the settings)")
    enroll.set_defaults(handler=enroll_command)


def _agent(args: argparse.Namespace) -> Agent:
    from kiosk.sync.agent import Agent

    site = Path(args.config) if getattr(args, "config", None) else None
    return Agent(open_db(args), state_dir(args), load_config(args), site_file=site)


def run_agent(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    from kiosk.update.agent_updates import build_updater, run_with_updates

    agent = _agent(args)
    # Exit 0 both on SIGTERM and after an update switched `current`: systemd (Restart=always)
    # then starts the agent on the release now current.
    run_with_updates(agent, build_updater(agent), stop)
    return 0


def sync_command(args: argparse.Namespace) -> int:
    if args.what == "status":
        from kiosk.sync.status import sync_status

        status = sync_status(open_db(args), state_dir(args))
        if args.json:
            print_json(status.to_json())
        else:
            for key, value in status.to_json().items():
                print(f"{key}: {value}")
        return 0
    if not args.once:
        print("kiosk sync: use --once (one pass) or `kiosk sync status`; `kiosk agent` keeps syncing")
        return 2
    report = _agent(args).sync_once()
    if args.json:
        print_json(report.to_json())
    else:
        for part in report.parts:
            print(f"{part.part:<10} {'ok' if part.ok else 'FAILED':<6} {part.detail}")
    return 0 if report.ok else 1


def enroll_command(args: argparse.Namespace) -> int:
    from kiosk.errors import ConfigError
    from kiosk.sync.client import Timeouts
    from kiosk.sync.enrollment import enroll

    loaded = load_config(args)
    server = args.server or loaded.settings.server.url
    if not server:
        raise ConfigError("no server: pass --server URL or set server.url in the site settings")
    s = loaded.settings.server
    answer = enroll(
        open_db(args),
        state_dir(args),
        server,
        args.code,
        ca_file=s.ca_file,
        timeouts=Timeouts(s.connect_timeout_s, s.read_timeout_s, s.call_deadline_s),
    )
    print(f"enrolled as {answer.device_id} at {answer.site_name} ({answer.site_id})")
    return 0

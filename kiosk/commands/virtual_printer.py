"""`kiosk virtual-printer --pty | --listen HOST:PORT --out DIR`: a printer without hardware.

A technician controls it by typing commands on its standard input:
  state NAME   simulate ready, paper_near_end, paper_out, cover_open, offline, error, slow or
               unplug_mid_ticket
  pull         the cable is pulled (the pty and its --link vanish)
  plug         the cable is back (a new pty; --link points at it again)
  tickets      list the tickets printed so far
  help, quit
Without a terminal (end of input) it keeps running until interrupted.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from kiosk.drivers.virtual.printer import Simulated, VirtualPrinter

HELP = __doc__.split("standard input:\n", 1)[1].split("Without", 1)[0]


def register(sub: argparse._SubParsersAction) -> None:
    vp = sub.add_parser("virtual-printer", help="run a virtual ESC/POS printer (pty or TCP)")
    where = vp.add_mutually_exclusive_group(required=True)
    where.add_argument("--pty", action="store_true", help="serve a pty pair; prints the path")
    where.add_argument("--listen", metavar="HOST:PORT", help="serve TCP (socket://HOST:PORT)")
    vp.add_argument("--link", help="with --pty: keep this symlink pointing at the pty")
    vp.add_argument("--out", required=True, help="directory for ticket-NNNN.png and .json")
    vp.add_argument("--profile", default="default", help="python-escpos profile (code pages)")
    vp.add_argument("--width", type=int, choices=(80, 58), default=80, help="paper mm")
    vp.add_argument("--state", choices=[s.value for s in Simulated], default="ready")
    vp.add_argument("--slow-bps", type=int, default=240, help="bytes per second when slow")
    vp.add_argument("--unplug-after", type=int, default=120, help="bytes before the pull")
    vp.set_defaults(handler=run_virtual_printer)


def run_virtual_printer(args: argparse.Namespace) -> int:
    printer = VirtualPrinter(
        Path(args.out),
        profile=args.profile,
        paper_width_mm=args.width,
        slow_bytes_per_s=args.slow_bps,
        unplug_after_bytes=args.unplug_after,
    )
    if args.pty:
        url = printer.start_pty(Path(args.link) if args.link else None)
    else:
        host, _, port = args.listen.rpartition(":")
        printer.listen(host or "127.0.0.1", int(port))
        url = printer.device
    printer.set_state(args.state)
    print(f"virtual printer ready: printer.url = {url!r}; tickets go to {args.out}", flush=True)
    try:
        control_loop(printer, sys.stdin)
    except KeyboardInterrupt:
        pass
    finally:
        printer.stop()
    return 0


def control_loop(printer: VirtualPrinter, commands: object) -> None:
    """Obey technician commands, one per line, until quit; at end of input, wait for Ctrl-C."""
    for raw in commands:  # type: ignore[attr-defined]
        reply = obey(printer, str(raw).split())
        if reply is None:
            return
        print(reply, flush=True)
    threading.Event().wait()


def obey(printer: VirtualPrinter, words: list[str]) -> str | None:
    """One command; the text to show, or None to quit."""
    if not words:
        return ""
    verb, rest = words[0], words[1:]
    if verb == "quit":
        return None
    if verb == "state" and rest and rest[0] in Simulated.__members__:
        printer.set_state(rest[0])
        return f"state: {printer.state.value}"
    if verb == "pull":
        printer.pull_cable()
        return "cable pulled"
    if verb == "plug":
        return f"cable plugged: {printer.plug_cable()}"
    if verb == "tickets":
        done = printer.tickets
        return "\n".join(f"{t.png} {t.lines[:1]}" for t in done) or "no tickets yet"
    return HELP.rstrip()

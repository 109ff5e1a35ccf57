"""`kiosk virtual-printer --pty | --listen HOST:PORT --out DIR`: a printer without hardware.

A technician controls it by typing commands on its standard input:
  state NAME   simulate ready, paper_near_end, paper_out, cover_open, offline, error, slow or
               unplug_mid_ticket
  pull         the cable is pulled (the pty and its --link vanish)
  plug         the cable is back (a new pty; --link points at it again)
  tickets      list the tickets printed so far
  behave K=V   change a behaviour: wire_bytes_per_s, print_bytes_per_s, buffer_bytes,
               answer_delay_s, duplicate_answers, garble_answers, mute_after_bytes,
               paper_out_after_bytes (none to switch one off)
  help, quit
Without a terminal (end of input) it keeps running until interrupted.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from kiosk.drivers.virtual.behaviour import Behaviour
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
    vp.add_argument("--wire-bps", type=int, default=0, help="bytes per second the wire carries (0: no limit)")
    vp.add_argument("--print-bps", type=int, default=0, help="bytes per second the head prints (0: at once)")
    vp.add_argument("--buffer", type=int, default=4096, help="receive buffer bytes (full: flow control)")
    vp.add_argument("--answer-delay", type=float, default=0.0, help="seconds every answer is late")
    vp.add_argument("--duplicate-answers", action="store_true", help="send every answer twice")
    vp.add_argument("--garble-answers", action="store_true", help="mangle every answer")
    vp.add_argument("--mute-after", type=int, help="answer nothing after this many bytes")
    vp.add_argument("--paper-out-after", type=int, help="the paper ends after this many bytes")
    vp.set_defaults(handler=run_virtual_printer)


def behaviour_from(args: argparse.Namespace) -> Behaviour:
    return Behaviour(
        wire_bytes_per_s=args.wire_bps,
        print_bytes_per_s=args.print_bps,
        buffer_bytes=args.buffer,
        answer_delay_s=args.answer_delay,
        duplicate_answers=args.duplicate_answers,
        garble_answers=args.garble_answers,
        mute_after_bytes=args.mute_after,
        paper_out_after_bytes=args.paper_out_after,
    )


def run_virtual_printer(args: argparse.Namespace) -> int:
    printer = VirtualPrinter(
        Path(args.out),
        profile=args.profile,
        paper_width_mm=args.width,
        slow_bytes_per_s=args.slow_bps,
        unplug_after_bytes=args.unplug_after,
        behaviour=behaviour_from(args),
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
    if verb == "behave" and rest:
        return behave(printer, rest)
    if verb == "tickets":
        done = printer.tickets
        return "\n".join(f"{t.png} {t.lines[:1]}" for t in done) or "no tickets yet"
    return HELP.rstrip()


def behave(printer: VirtualPrinter, settings: list[str]) -> str:
    """`behave answer_delay_s=0.5 duplicate_answers=true`: change behaviours from now on."""
    changes: dict[str, object] = {}
    for setting in settings:
        name, _, text = setting.partition("=")
        current = getattr(Behaviour(), name, "missing")
        if current == "missing" or not text:
            return f"unknown behaviour {setting!r}; see help"
        if text.lower() == "none":
            changes[name] = None
        elif isinstance(current, bool):
            changes[name] = text.lower() in ("1", "true", "yes", "on")
        elif isinstance(current, float):
            changes[name] = float(text)
        else:
            changes[name] = int(text)
    printer.configure(**changes)
    return "behaviour: " + ", ".join(f"{k}={v}" for k, v in printer.behaviour.__dict__.items())

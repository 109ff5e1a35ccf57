"""`kiosk printer render|test|status|detect` and `kiosk virtual-printer`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.commands import print_json
from kiosk.config import load_config
from kiosk.drivers.escpos.options import MODES, PrintOptions, resolve_mode
from kiosk.drivers.escpos.render import render_escpos
from kiosk.drivers.layout import Layout
from kiosk.drivers.ports import open_printer
from kiosk.drivers.printer_detect import COMMON_BAUDS, list_serial_ports, probe
from kiosk.errors import ConfigError
from kiosk.technician.printer import printer_test_layout
from kiosk.technician.samples import SAMPLES, sample_layout


def register(sub: argparse._SubParsersAction) -> None:
    printer = sub.add_parser("printer", help="render, test, check and find the ticket printer")
    actions = printer.add_subparsers(dest="printer_command", required=True, metavar="ACTION")

    render = actions.add_parser("render", help="write a sample's bytes (.bin) or preview (.png)")
    render.add_argument("--sample", choices=SAMPLES + ("test",), default="ticket")
    _add_render_options(render)
    render.add_argument("--out", required=True, help="FILE.bin (exact bytes) or FILE.png")
    render.set_defaults(handler=render_sample)

    test = actions.add_parser("test", help="print a test page: the mode and every Vietnamese letter")
    _add_render_options(test)
    test.add_argument("--out", help="write FILE.bin / FILE.png instead of printing")
    test.set_defaults(handler=print_test_page)

    status = actions.add_parser("status", help="ask the printer; exit 0 when it can print")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=show_status)

    detect = actions.add_parser("detect", help="list serial ports and find the one that answers")
    detect.add_argument("--port", action="append", default=[], help="try only this path (repeat)")
    detect.add_argument("--json", action="store_true")
    detect.set_defaults(handler=detect_ports)

    from kiosk.commands.virtual_printer import register as register_virtual

    register_virtual(sub)


def _add_render_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mode", choices=("auto",) + MODES, help="default: printer.vietnamese")
    parser.add_argument("--width", type=int, choices=(80, 58), help="paper mm; default: setting")
    parser.add_argument("--profile", help="python-escpos profile; default: printer.profile")


def _options(args: argparse.Namespace) -> PrintOptions:
    printer = load_config(args).settings.printer
    profile = args.profile or printer.profile
    return PrintOptions(
        mode=resolve_mode(args.mode or printer.vietnamese, profile),
        profile=profile,
        paper_width_mm=args.width or printer.paper_width_mm,
        user_glyphs=printer.user_glyphs,
    )


def _write(layout: Layout, options: PrintOptions, out: Path) -> int:
    if out.suffix == ".bin":
        data = render_escpos(layout, options)
        out.write_bytes(data)
        size = len(data)
    elif out.suffix == ".png":
        from kiosk.drivers.virtual.preview import render_png

        render_png(layout, options).save(out)
        size = len(render_escpos(layout, options))
    else:
        raise ConfigError(f"--out {out}: use a .bin or .png file name")
    print(
        f"{out}: {layout.name}, {options.mode} on {options.paper_width_mm} mm "
        f"({options.profile}), {size} bytes on the wire"
    )
    return 0


def render_sample(args: argparse.Namespace) -> int:
    options = _options(args)
    layout = printer_test_layout(options.mode) if args.sample == "test" else sample_layout(args.sample)
    return _write(layout, options, Path(args.out))


def print_test_page(args: argparse.Namespace) -> int:
    options = _options(args)
    layout = printer_test_layout(options.mode)
    if args.out:
        return _write(layout, options, Path(args.out))
    settings = load_config(args).settings.printer
    printer = open_printer(settings)
    try:
        printer.print_layout(layout)
    finally:
        printer.close()
    print(f"test page printed on {settings.url} ({options.mode})")
    return 0


def show_status(args: argparse.Namespace) -> int:
    settings = load_config(args).settings.printer
    printer = open_printer(settings)
    try:
        status = printer.status()
    finally:
        printer.close()
    if args.json:
        print_json(
            {
                "url": settings.url,
                "state": status.state.value,
                "detail": status.detail,
                "can_print": status.can_print,
            }
        )
    else:
        detail = f": {status.detail}" if status.detail else ""
        print(f"{settings.url or '(no printer)'}: {status.state.value}{detail}")
    return 0 if status.can_print else 1


def detect_ports(args: argparse.Namespace) -> int:
    report = []
    for port in list_serial_ports(args.port):
        attempts = probe(port.device, COMMON_BAUDS)
        found = next((a for a in attempts if a.answered), None)
        report.append(
            {
                "device": port.device,
                "stable": port.stable,
                "description": port.description,
                "answers_at": found.baudrate if found else None,
                "state": found.status.state.value if found else None,
                "tried": {a.baudrate: a.status.detail or a.status.state.value for a in attempts},
            }
        )
    if args.json:
        print_json(report)
        return 0
    if not report:
        print("no serial ports found", file=sys.stderr)
    for row in report:
        name = row["stable"] or row["device"]
        where = f"{name} ({row['device']})" if row["stable"] else name
        verdict = (
            f"printer answers at {row['answers_at']} baud: {row['state']}"
            if row["answers_at"]
            else "no printer answered at " + ", ".join(str(b) for b in COMMON_BAUDS)
        )
        print(f"{where}  {row['description']}\n    {verdict}")
    return 0

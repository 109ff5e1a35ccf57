"""Bytes on the serial wire for the standard sample ticket on 80 mm paper, per Vietnamese mode,
and the seconds they take at common baud rates (8N1: ten bits a byte), beside the same ticket
sent as one full-width image with python-escpos's image() (the baseline). Also the raster bytes
of a priority ticket (one more Vietnamese line), of the ticket and the procedure checklist with
and without user-defined characters, and the time to render a ticket to bytes."""

from __future__ import annotations

import contextlib
import io
import time

from escpos.printer import Dummy

from bench import Figure, median
from kiosk.drivers.escpos.options import MODES, PrintOptions
from kiosk.drivers.escpos.render import render_escpos
from kiosk.drivers.transport import PortSettings
from kiosk.drivers.virtual.preview import render_png
from kiosk.technician.samples import sample_layout

BAUDS = (9600, 19200, 38400, 115200)
GOALS = {"tcvn3": "<= 600", "cp1258": "<= 700", "raster": "<= 3,500", "ascii": ""}
PROFILE = "default"  # a generic ESC/POS printer with TCVN-3 and CP1258 pages, 576 dots


def baseline_bytes() -> int:
    """The sample ticket drawn as one picture (the raster preview, cropped to its ink rows),
    printed full width with python-escpos's image() (GS v 0)."""
    picture = render_png(sample_layout("ticket"), PrintOptions(mode="raster", profile=PROFILE))
    ink = picture.convert("L").point(lambda v: 255 - v).getbbox()
    assert ink is not None
    picture = picture.crop((0, ink[1], picture.width, ink[3]))
    printer = Dummy(profile=PROFILE)
    printer.hw("INIT")
    with contextlib.redirect_stdout(io.StringIO()):  # it prints a note about the profile's width
        printer.image(picture)
    printer.cut(mode="PART")
    return len(printer.output)


def _wire(name: str, size: int, goal: str) -> list[Figure]:
    figures = [Figure(f"{name}: bytes on the wire", size, "B", goal)]
    for baud in BAUDS:
        seconds = PortSettings(url="", baudrate=baud).seconds_for(size)
        figures.append(Figure(f"{name}: at {baud} baud", round(seconds, 3), "s"))
    return figures


def _render_ms(mode: str) -> float:
    layout = sample_layout("ticket")
    options = PrintOptions(mode=mode, profile=PROFILE)  # type: ignore[arg-type]
    runs = []
    for _ in range(7):
        started = time.perf_counter()
        render_escpos(layout, options)
        runs.append((time.perf_counter() - started) * 1000)
    return median(runs)


def run() -> list[Figure]:
    figures: list[Figure] = []
    for mode in MODES:
        options = PrintOptions(mode=mode, profile=PROFILE)
        size = len(render_escpos(sample_layout("ticket"), options))
        figures += _wire(f"ticket {mode}", size, GOALS[mode])
    figures += _wire("ticket as one image (python-escpos)", baseline_bytes(), "baseline, ~30,000")
    priority = render_escpos(sample_layout("priority-ticket"), PrintOptions(mode="raster", profile=PROFILE))
    figures.append(Figure("priority ticket raster: bytes on the wire", len(priority), "B"))
    drawn = PrintOptions(mode="raster", profile=PROFILE, user_glyphs=False)
    figures.append(
        Figure(
            "ticket raster, user_glyphs = false: bytes",
            len(render_escpos(sample_layout("ticket"), drawn)),
            "B",
        )
    )
    for glyphs in (True, False):
        options = PrintOptions(mode="raster", profile=PROFILE, user_glyphs=glyphs)
        size = len(render_escpos(sample_layout("checklist"), options))
        figures.append(Figure(f"checklist raster, user_glyphs = {str(glyphs).lower()}: bytes", size, "B"))
    for mode in ("tcvn3", "raster"):
        figures.append(
            Figure(f"render ticket {mode} to bytes (median of 7)", round(_render_ms(mode), 1), "ms")
        )
    return figures

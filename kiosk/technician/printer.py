"""The technician's printer actions without Kivy: a test page and a short sample in a chosen
Vietnamese mode. Both talk to a printer and run on the UI's worker thread (the one thread that prints).

The test page and the table of every Vietnamese letter it prints live here, not in
kiosk/drivers/: they are what a technician checks a printer with (`kiosk printer test`, the
technician's printer screen), content like a ticket, and the drivers print layouts without
knowing what they say.

Imports the printer port and layout model and i18n; no concrete driver (finding the port that
answers is kiosk.drivers.printer_detect.detect, which the technician's screen calls).
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from typing import Any

from kiosk.drivers.layout import BigNumber, Block, Cut, Layout, Rule, Text
from kiosk.drivers.ports import MODES
from kiosk.i18n import Language, ticket_words

# A line with the letters that each encoding gets wrong first (ă â đ ê ô ơ ư, stacked tones).
SAMPLE_LETTERS = "ă â đ ê ô ơ ư ắ ầ ẻ ỗ ợ ự ỹ – Ă Đ Ơ Ư Ắ Ầ Ẻ Ỗ Ợ Ự Ỹ"


TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")  # none, huyền, hỏi, ngã, sắc, nặng
VOWELS = ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y")


def vietnamese_letters() -> list[str]:
    """Every Vietnamese letter with a diacritic or tone, lower case (12 vowels × 6 tones, đ);
    `.upper()` gives the capitals."""
    letters = [unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES]
    return letters + ["đ"]


def printer_test_layout(mode: str, language: Language = "vi") -> Layout:
    """A test page: the Vietnamese mode in use and every Vietnamese letter, lower and upper case."""
    w = ticket_words(language)
    blocks: list[Block] = [
        Text(w["test_title"], size="large", bold=True),
        Text(w["test_mode"].format(mode=mode)),
        Rule(),
        Text(w["test_lower"], align="left", bold=True),
    ]
    rows = [" ".join(vietnamese_letters()[i : i + 6]) for i in range(0, 72, 6)] + ["đ"]
    blocks += [Text(row, align="left") for row in rows]
    blocks.append(Text(w["test_upper"], align="left", bold=True))
    blocks += [Text(row.upper(), align="left") for row in rows]
    blocks += [Rule(), Text(w["test_sentence"]), BigNumber("A012"), Cut()]
    return Layout(name="test page", blocks=tuple(blocks))


def current_mode(printer: Any) -> str:
    options = getattr(printer, "options", None)
    return str(options.mode) if options is not None else "ascii"


def print_test_page(printer: Any) -> str:
    """The test page (every Vietnamese letter) in the printer's mode; returns the mode."""
    mode = current_mode(printer)
    printer.print_layout(printer_test_layout(mode))
    return mode


def mode_sample_layout(mode: str) -> Layout:
    """A few lines, quick even at 9600 baud, to see whether a mode prints Vietnamese right."""
    words = ticket_words("vi")
    return Layout(
        name=f"sample {mode}",
        blocks=(
            Text(words["test_mode"].format(mode=mode), bold=True),
            Text(words["test_sentence"]),
            Text(SAMPLE_LETTERS, align="left"),
            Rule(),
            Cut(),
        ),
    )


def print_mode_sample(printer: Any, mode: str) -> None:
    """Print the sample in `mode`, whatever the printer is set to. The printer's options are
    swapped for this one print: only the worker thread prints, so no ticket sees the swap."""
    if mode not in MODES:
        raise ValueError(f"unknown Vietnamese mode {mode!r}; one of {MODES}")
    options = getattr(printer, "options", None)
    if options is None:
        printer.print_layout(mode_sample_layout(mode))  # NoPrinter: raises PrinterOffline
        return
    printer.options = replace(options, mode=mode)
    try:
        printer.print_layout(mode_sample_layout(mode))
    finally:
        printer.options = options

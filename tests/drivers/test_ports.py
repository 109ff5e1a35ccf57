"""The printer port's own types: text that reaches a layout is clean, and which states can print."""

from __future__ import annotations

import unicodedata

from kiosk.drivers.layout import Text, clean_text
from kiosk.drivers.ports import PrinterState, PrinterStatus


def test_text_from_settings_cannot_carry_printer_commands() -> None:
    assert clean_text("A\x10\x04\x01B\tC\nD\u200b") == "A B C D"
    assert Text("x\x1b@y").text == "x @y"
    decomposed = unicodedata.normalize("NFD", "Đăng ký")
    assert Text(decomposed).text == "Đăng ký"


def test_printer_status_can_print_only_when_ready_or_near_end() -> None:
    printable = {s for s in PrinterState if PrinterStatus(s).can_print}
    assert printable == {PrinterState.ready, PrinterState.paper_near_end}

"""The technician's test page: the mode in use and every Vietnamese letter."""

from __future__ import annotations

import unicodedata

from kiosk.technician.printer import printer_test_layout, vietnamese_letters
from tests.queue.test_ticket_layout import texts


def test_vietnamese_letters_are_all_distinct_and_nfc() -> None:
    letters = vietnamese_letters()
    both = letters + [c.upper() for c in letters]
    assert len(set(both)) == 146 and all(unicodedata.is_normalized("NFC", c) for c in both)
    assert {"ặ", "ỗ", "ự", "ỹ", "đ"} <= set(letters)


def test_test_page_names_the_mode_and_every_letter() -> None:
    layout = printer_test_layout("cp1258")
    joined = " ".join(texts(layout))
    assert "Chế độ tiếng Việt: cp1258" in joined
    for letter in vietnamese_letters():
        assert letter in joined and letter.upper() in joined

"""Vietnamese to printer bytes per code page, checked against the TCVN-3 and CP1258 standards
(the byte values below come from the standards, not from our tables), and the python-escpos 3.1
traps that made us own the encoding."""

from __future__ import annotations

import pytest
from escpos.printer import Dummy

from kiosk.drivers.escpos.codepages import (
    PageEncoder,
    encoder_for,
    page_chars,
    split_tones,
    strip_diacritics,
)
from kiosk.drivers.escpos.writer import EscposWriter
from kiosk.technician.printer import vietnamese_letters

TCVN3_PAGES = {"30": "TCVN-3-1", "31": "TCVN-3-2", "52": "CP1258"}  # python-escpos "default"


def writer(encoder: PageEncoder) -> EscposWriter:
    """The writer sends text with `encoder`'s tables and ESC t where the page changes."""
    return EscposWriter("default", encoder)


# TCVN 5712:1993 (VN3), lower case.
TCVN3_LOWER = {
    "ă": 0xA8, "â": 0xA9, "ê": 0xAA, "ô": 0xAB, "ơ": 0xAC, "ư": 0xAD, "đ": 0xAE,
    "à": 0xB5, "ả": 0xB6, "ã": 0xB7, "á": 0xB8, "ạ": 0xB9,
    "ằ": 0xBB, "ẳ": 0xBC, "ẵ": 0xBD, "ắ": 0xBE, "ặ": 0xC6,
    "ầ": 0xC7, "ẩ": 0xC8, "ẫ": 0xC9, "ấ": 0xCA, "ậ": 0xCB,
    "è": 0xCC, "ẻ": 0xCE, "ẽ": 0xCF, "é": 0xD0, "ẹ": 0xD1,
    "ề": 0xD2, "ể": 0xD3, "ễ": 0xD4, "ế": 0xD5, "ệ": 0xD6,
    "ì": 0xD7, "ỉ": 0xD8, "ĩ": 0xDC, "í": 0xDD, "ị": 0xDE,
    "ò": 0xDF, "ỏ": 0xE1, "õ": 0xE2, "ó": 0xE3, "ọ": 0xE4,
    "ồ": 0xE5, "ổ": 0xE6, "ỗ": 0xE7, "ố": 0xE8, "ộ": 0xE9,
    "ờ": 0xEA, "ở": 0xEB, "ỡ": 0xEC, "ớ": 0xED, "ợ": 0xEE,
    "ù": 0xEF, "ủ": 0xF1, "ũ": 0xF2, "ú": 0xF3, "ụ": 0xF4,
    "ừ": 0xF5, "ử": 0xF6, "ữ": 0xF7, "ứ": 0xF8, "ự": 0xF9,
    "ỳ": 0xFA, "ỷ": 0xFB, "ỹ": 0xFC, "ý": 0xFD, "ỵ": 0xFE,
}  # fmt: skip


@pytest.mark.parametrize(("letter", "byte"), sorted(TCVN3_LOWER.items()))
def test_tcvn3_lower_case_letter_is_its_standard_byte_on_page_30(letter: str, byte: int) -> None:
    assert writer(encoder_for("tcvn3", TCVN3_PAGES)).encode(letter) == b"\x1bt\x1e" + bytes([byte])


@pytest.mark.parametrize(
    ("letter", "byte"),
    [("Ộ", 0xE9), ("Ự", 0xF9), ("Ấ", 0xCA), ("Ỹ", 0xFC), ("À", 0xB5), ("Đ", 0xA7), ("Ă", 0xA1)],
)
def test_tcvn3_capital_is_on_page_31(letter: str, byte: int) -> None:
    assert writer(encoder_for("tcvn3", TCVN3_PAGES)).encode(letter) == b"\x1bt\x1f" + bytes([byte])


def test_every_vietnamese_letter_has_a_tcvn3_byte() -> None:
    lower, upper = page_chars("TCVN-3-1"), page_chars("TCVN-3-2")
    for letter in vietnamese_letters():
        if letter.isascii():
            continue
        assert letter in lower.values(), letter
        assert letter.upper() in upper.values(), letter.upper()


def test_tcvn3_switches_page_only_when_the_case_changes() -> None:
    encoded = writer(encoder_for("tcvn3", TCVN3_PAGES)).encode("ĐĂNG ký đăng")
    assert encoded == b"\x1bt\x1f\xa7\xa1NG k\x1bt\x1e\xfd \xae\xa8ng"


def test_cp1258_sends_the_tone_as_a_combining_byte() -> None:
    encoder = writer(encoder_for("cp1258", TCVN3_PAGES))
    assert encoder.encode("Số") == b"S\x1bt\x34\xf4\xec"  # ô (F4) + acute (EC), page 52
    assert encoder.encode("ự Đ ẫ à") == b"\xfd\xf2 \xd0 \xe2\xde a\xcc"
    # Letters that Windows-1258 has precomposed are split too: one look for every toned letter.
    assert encoder.encode("é") == b"e\xec"


def test_cp1258_prefers_page_94_then_52() -> None:
    assert writer(encoder_for("cp1258", {"27": "CP1258", "94": "CP1258"})).encode("ơ") == b"\x1bt\x5e\xf5"
    with pytest.raises(ValueError, match="no CP1258"):
        encoder_for("cp1258", {"0": "CP437"})


def test_split_tones_keeps_the_vowel_marks_on_the_letter() -> None:
    assert split_tones("Người Việt") == "Ngươ\u0300i Viê\u0323t"


@pytest.mark.parametrize(
    ("text", "ascii"),
    [
        ("Đăng ký khai sinh", "Dang ky khai sinh"),
        ("ĐẤT ĐAI – XÂY DỰNG", "DAT DAI - XAY DUNG"),
        ("“Hộ tịch”…", '"Ho tich"...'),
        ("中", "?"),
    ],
)
def test_ascii_mode_drops_diacritics(text: str, ascii: str) -> None:
    assert strip_diacritics(text) == ascii
    assert writer(encoder_for("ascii", TCVN3_PAGES)).encode(text) == ascii.encode()


def test_punctuation_outside_a_page_falls_back_to_ascii() -> None:
    assert writer(encoder_for("tcvn3", TCVN3_PAGES)).encode("A – B") == b"A - B"
    assert writer(encoder_for("cp1258", TCVN3_PAGES)).encode("A – B") == b"A \x1bt\x34\x96 B"


def test_width_counts_cp1258_tone_bytes_and_skips_page_switches() -> None:
    assert encoder_for("cp1258", TCVN3_PAGES).width("Số") == 3
    assert encoder_for("tcvn3", TCVN3_PAGES).width("Số") == 2
    assert writer(encoder_for("tcvn3", TCVN3_PAGES)).encode("ăb") == b"\x1bt\x1e\xa8b"
    assert encoder_for("tcvn3", TCVN3_PAGES).width("ăb") == 2


def test_encoder_remembers_the_page_across_lines() -> None:
    encoder = writer(PageEncoder({"TCVN-3-1": 30}))
    assert encoder.encode("ă") == b"\x1bt\x1e\xa8"
    assert encoder.encode("ă") == b"\xa8"


# The traps in python-escpos 3.1 that docs/printing.md describes: these tests fail the day a new
# python-escpos fixes them, so the docs can be updated.


def test_python_escpos_tcvn3_table_has_eth_not_d_with_stroke() -> None:
    from escpos.capabilities import CAPABILITIES

    table = "".join(CAPABILITIES["encodings"]["TCVN-3-2"]["data"])
    assert table[0xA7 - 0x80] == "\u00d0" and "\u0110" not in table


def test_python_escpos_magic_encoder_sends_d_with_stroke_through_cp852() -> None:
    printer = Dummy(profile="TM-T88V")
    printer.text("Đ")
    assert printer.output == b"\x1bt\x12\xd1"  # ESC t 18 = CP852


def test_python_escpos_prints_question_marks_on_cp1258_printers() -> None:
    printer = Dummy(profile="POS-5890")
    printer.text("Số thứ tự")
    assert printer.output == b"\x1bt\x01S? th? t?"

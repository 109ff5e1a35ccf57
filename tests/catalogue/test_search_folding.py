"""Folding and Vietnamese order (invariant 7): what a citizen can type meets what is stored."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.catalogue.folding import fold_vietnamese, nfc, search_tokens, vietnamese_sort_key

VIETNAMESE_LETTERS = (
    "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ"
)
VIETNAMESE_TEXT = st.text(
    alphabet=VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper() + " 0123456789.,-()\"'", max_size=40
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đăng ký khai sinh", "dang ky khai sinh"),
        ("đăng ký", "dang ky"),
        ("ĐĂNG KÝ", "dang ky"),
        ("DANG KY", "dang ky"),
        (unicodedata.normalize("NFD", "Đăng ký khai sinh"), "dang ky khai sinh"),
        ("hoà", "hoa"),  # old tone placement, precomposed à
        ("hòa", "hoa"),  # new tone placement
        ("thuỷ", "thuy"),
        ("thủy", "thuy"),
        ("Sổ đỏ", "so do"),
        ("Ưu đãi người có công", "uu dai nguoi co cong"),
        ("Ủy ban nhân dân", "uy ban nhan dan"),
        ("Ðiều chỉnh", "dieu chinh"),  # Ð (U+00D0) typed for Đ on keyboards without it
        ("  Đăng \t ký\n khai  sinh  ", "dang ky khai sinh"),
        ("1.001612.000.00.00.H48", "1.001612.000.00.00.h48"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_fold_vietnamese(text: str, folded: str) -> None:
    assert fold_vietnamese(text) == folded


def test_fold_handles_the_letter_sqlite_remove_diacritics_leaves_alone() -> None:
    # Đ has no decomposition: NFD alone would keep it, and so would SQLite.
    assert unicodedata.normalize("NFD", "Đ") == "Đ"
    assert fold_vietnamese("Đ") == "d"


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Đăng ký khai sinh", ["dang", "ky", "khai", "sinh"]),
        ("1.001193", ["1", "001193"]),
        ('"khai" * NEAR( sinh) -- OR 1=1', ["khai", "near", "sinh", "or", "1", "1"]),
        ("bản sao_từ bản chính", ["ban", "sao", "tu", "ban", "chinh"]),
        ("", []),
    ],
)
def test_search_tokens(text: str, tokens: list[str]) -> None:
    assert search_tokens(text) == tokens


@given(st.text())
@settings(max_examples=300)
def test_folding_is_idempotent(text: str) -> None:
    once = fold_vietnamese(text)
    assert fold_vietnamese(once) == once


@given(st.text())
@settings(max_examples=300)
def test_folded_text_has_no_marks_no_d_stroke_and_single_spaces(text: str) -> None:
    folded = fold_vietnamese(text)
    assert not any(unicodedata.category(ch).startswith("M") for ch in folded)
    assert "đ" not in folded and "Đ" not in folded
    assert folded == " ".join(folded.split())


@given(VIETNAMESE_TEXT)
@settings(max_examples=300)
def test_folding_ignores_normal_form_and_case(text: str) -> None:
    expected = fold_vietnamese(text)
    assert fold_vietnamese(unicodedata.normalize("NFD", text)) == expected
    assert fold_vietnamese(text.upper()) == expected
    assert expected.isascii()


@pytest.mark.parametrize(
    "ordered",
    [
        # The letters: a ă â b c d đ e ê … o ô ơ … u ư …
        [
            "an",
            "ăn",
            "ân",
            "bà",
            "cơm",
            "dân",
            "đất",
            "em",
            "êm",
            "im",
            "ong",
            "ông",
            "ơn",
            "ung",
            "ưng",
        ],
        # Tones are secondary: ngang, huyền, hỏi, ngã, sắc, nặng.
        ["ma", "mà", "mả", "mã", "má", "mạ"],
        # … so a letter difference later in the word outweighs any tone earlier.
        ["má", "mạ", "mác"],
        # ê is a letter after e, whatever follows: "ea" before "ế", "ez" before "ê".
        ["ea", "ez", "ê", "ế", "êa"],
        # Case is tertiary: lower before upper when nothing else differs. "kh" is k then h.
        ["đăng ký", "Đăng ký", "Đăng ký kết hôn", "Đăng ký khai sinh", "Đăng ký khai tử"],
        ["Chứng thực", "Đất đai", "Hoà giải ở cơ sở", "Hộ tịch", "Thuỷ lợi"],
        # Shorter first; a space sorts before any letter.
        ["an", "an ninh", "anh"],
    ],
)
def test_vietnamese_order(ordered: list[str]) -> None:
    shuffled = list(reversed(ordered))
    assert sorted(shuffled, key=vietnamese_sort_key) == ordered


def test_sort_key_is_the_same_for_nfc_and_nfd_and_distinct_for_distinct_text() -> None:
    nfd = unicodedata.normalize("NFD", "Đăng ký")
    assert vietnamese_sort_key(nfd) == vietnamese_sort_key("Đăng ký")
    # Old and new tone placement are different strings: both sort, neither is lost.
    assert vietnamese_sort_key("hoà") != vietnamese_sort_key("hòa")


VIETNAMESE_WORD = st.text(alphabet=VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper(), max_size=10)


@given(VIETNAMESE_WORD, VIETNAMESE_WORD)
@settings(max_examples=300)
def test_sort_key_orders_by_letters_before_tones(a: str, b: str) -> None:
    # When the letters (tones stripped, đ kept apart from d) differ, they alone decide.
    def letters(text: str) -> list[str]:
        kept = []
        for ch in unicodedata.normalize("NFD", nfc(text).lower()):
            if ch not in "\u0300\u0301\u0303\u0309\u0323":
                kept.append(ch)
        return [unicodedata.normalize("NFC", c) for c in unicodedata.normalize("NFC", "".join(kept))]

    alphabet = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
    la = [alphabet.index(c) for c in letters(a)]
    lb = [alphabet.index(c) for c in letters(b)]
    if la != lb:
        assert (vietnamese_sort_key(a) < vietnamese_sort_key(b)) == (la < lb)

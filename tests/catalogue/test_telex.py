"""Vietnamese typing for the on-screen keyboard: Telex, vowel keys, tone keys, backspace."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.catalogue.folding import fold_vietnamese
from kiosk.catalogue.search import parse_query
from kiosk.catalogue.telex import Tone, add_space, backspace, set_tone, split_syllable, type_key


def typed(keys: str, telex: bool = True) -> str:
    """What the box shows after these keys (a space is the space bar)."""
    text = ""
    for key in keys:
        text = add_space(text) if key == " " else type_key(text, key, telex)
    return text


@pytest.mark.parametrize(
    ("keys", "shown"),
    [
        ("hoaf", "hòa"),  # classic placement: two vowels, no final consonant → the first
        ("hoafn", "hoàn"),  # a final consonant moves it to the second
        ("nguwowif", "người"),
        ("nguoiwf", "người"),  # "uow" anywhere in the word makes ươ
        ("uwowcs", "ước"),
        ("truwowngf", "trường"),
        ("ddaauf", "đầu"),
        ("DDaauf", "Đầu"),
        ("dangw kys", "dăng ký"),
        ("ddawng kys", "đăng ký"),
        ("khai sinh", "khai sinh"),
        ("vieetj", "việt"),
        ("Vieejt Nam", "Việt Nam"),
        ("tieesng", "tiếng"),  # the tone typed before the last letters moves onto ê
        ("thuyr", "thủy"),
        ("thuyeenf", "thuyền"),
        ("khuyru", "khuỷu"),  # three vowels: the middle one
        ("ngoaif", "ngoài"),
        ("gif", "gì"),  # "gi" alone: i is the vowel
        ("giaf", "già"),  # "gi" before a vowel is the consonant
        ("quys", "quý"),
        ("quoocs", "quốc"),
        ("hoaij", "hoại"),
        ("nhw", "như"),  # w after consonants is ư
        ("w", "ư"),
        ("cuwux", "cữu"),
        ("thuowr", "thuở"),  # uơ ends the word
        ("dduowcj", "được"),  # … and becomes ươ when letters follow
        ("tuowi", "tươi"),
        ("HUOWNGF", "HƯỜNG"),
    ],
)
def test_telex_composes_proper_vietnamese(keys: str, shown: str) -> None:
    assert typed(keys) == shown
    assert unicodedata.is_normalized("NFC", typed(keys))


@pytest.mark.parametrize(
    ("keys", "shown"),
    [
        ("caaa", "caa"),  # a modifier twice gives the letters back
        ("xooong", "xoong"),
        ("bass", "bas"),  # the same tone key twice gives the letter back
        ("baz", "baz"),  # z on a toneless word is a letter
        ("basz", "ba"),  # z takes the tone away
        ("basf", "bà"),  # another tone replaces it
        ("ddd", "dd"),
        ("khs", "khs"),  # a tone key after consonants only is a letter, not a mark anywhere
        ("s", "s"),
        ("registration", "registration"),
        ("1.001193", "1.001193"),
        ("HOAF", "HÒA"),
    ],
)
def test_telex_undo_and_letters_that_are_not_telex(keys: str, shown: str) -> None:
    assert typed(keys) == shown


def test_without_telex_every_key_is_a_letter() -> None:
    assert typed("ddaauf", telex=False) == "ddaauf"
    assert typed("nguwowif", telex=False) == "nguwowif"


@pytest.mark.parametrize(
    ("text", "tone", "shown"),
    [
        ("khai", Tone.sac, "khái"),
        ("hoa", Tone.huyen, "hòa"),
        ("hoan", Tone.huyen, "hoàn"),
        ("người", Tone.huyen, "ngươi"),  # the same tone again takes it away
        ("người", Tone.nga, "ngưỡi"),
        ("nguoi", Tone.none, "nguoi"),
        ("đăng ky", Tone.sac, "đăng ký"),  # only the last word
        ("kh", Tone.sac, "kh"),  # no vowel yet: nothing happens
        ("", Tone.sac, ""),
        ("abc ", Tone.sac, "abc "),  # after a space there is no word to mark
        ("xyzw", Tone.hoi, "xyzw"),  # not a syllable: left as typed
        ("1.001", Tone.sac, "1.001"),
    ],
)
def test_tone_keys_mark_the_right_vowel_of_the_last_word(text: str, tone: Tone, shown: str) -> None:
    assert set_tone(text, tone) == shown


def test_vowel_keys_and_tone_keys_spell_like_telex() -> None:
    text = ""
    for key in ("đ", "ă", "n", "g"):
        text = type_key(text, key, telex=False)
    text = add_space(text)
    for key in ("k", "y"):
        text = type_key(text, key, telex=False)
    text = set_tone(text, Tone.sac)
    assert text == "đăng ký"
    text = ""
    for key in ("n", "g", "ư", "ơ", "i"):
        text = type_key(text, key, telex=False)
    assert set_tone(text, Tone.huyen) == "người"


def test_a_letter_typed_after_the_tone_moves_it() -> None:
    text = set_tone("ho", Tone.huyen)
    assert text == "hò"
    text = type_key(text, "a", telex=False)
    assert text == "hòa"
    assert type_key(text, "n", telex=False) == "hoàn"


@pytest.mark.parametrize(
    ("text", "after"),
    [
        ("người", "ngườ"),  # the whole letter with its marks
        ("hoàn", "hòa"),  # the tone moves back where spelling puts it
        ("đầu", "đầ"),
        ("khai ", "khai"),
        ("a", ""),
        ("", ""),
        ("1.0", "1."),
    ],
)
def test_backspace_removes_one_letter(text: str, after: str) -> None:
    assert backspace(text) == after


def test_spaces_never_lead_or_double() -> None:
    assert add_space("") == ""
    assert add_space("khai") == "khai "
    assert add_space("khai ") == "khai "


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("nghieng", ("ngh", "ie", "ng")),
        ("gia", ("gi", "a", "")),
        ("gin", ("g", "i", "n")),
        ("quyên", ("qu", "yê", "n")),
        ("anh", ("", "a", "nh")),
        ("kh", ("kh", "", "")),
        ("birth", None),
        ("abc", None),
        ("ooooa", None),
        ("qxa", None),
    ],
)
def test_split_syllable(word: str, parts: tuple[str, str, str] | None) -> None:
    assert split_syllable(word) == parts


_KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzăâêôơưđ .0123456789", max_size=30)


@settings(max_examples=300, deadline=None)
@given(_KEYS, st.booleans())
def test_any_keys_give_nfc_text_that_search_accepts(keys: str, telex: bool) -> None:
    text = typed(keys, telex)
    assert unicodedata.is_normalized("NFC", text)
    assert "  " not in text and not text.startswith(" ")
    parse_query(text)  # never raises
    # Telex only ever adds marks or drops the keys that made them: folding never grows a word.
    assert len(fold_vietnamese(text)) <= len(keys)


@settings(max_examples=200, deadline=None)
@given(_KEYS)
def test_backspace_always_shortens_until_empty(keys: str) -> None:
    text = typed(keys)
    steps = 0
    while text:
        shorter = backspace(text)
        assert len(shorter) < len(text)
        text = shorter
        steps += 1
    assert steps <= len(keys)

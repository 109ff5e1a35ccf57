"""Vietnamese text for search and lists: folding, search tokens and the collation key.

Folding (invariant 7) makes what a citizen can type on a touch keyboard meet what the catalogue
says: "DANG KY", "dang ky" and "Đăng ký" all fold to "dang ky". SQLite's own
`remove_diacritics` cannot do this because Đ/đ is a letter of its own, not D with a mark, so
the kiosk folds in Python before indexing and before searching. The folding itself is
kiosk/protocol/folding.py (the catalogue format checks synonym terms with it); this module adds
the collation key.

The collation key sorts lists the way a Vietnamese reader expects: a ă â b c d đ e ê … o ô ơ …
u ư …, with the tones (ngang, huyền, hỏi, ngã, sắc, nặng) as secondary differences and case as
tertiary, as in the CLDR collation for Vietnamese.
"""

from __future__ import annotations

import functools
import unicodedata

from kiosk.protocol.folding import fold_i_y, fold_vietnamese, nfc, search_tokens, search_words

__all__ = ["fold_i_y", "fold_vietnamese", "nfc", "search_tokens", "search_words", "vietnamese_sort_key"]

# Primary order of the letters. Foreign letters (f, j, w, z) sit where Latin puts them.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}
# Marks that make a letter of its own (ă â ê ô ơ ư) versus the five tone marks.
_LETTER_MARKS = frozenset("\u0306\u0302\u031b")
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_OTHER_MARK_RANK = 6

# Weights are characters so that one key string compares the same way in Python and in SQLite
# (BINARY collation compares UTF-8 bytes, which follows code point order).
_LEVEL_SEPARATOR = "\x01"
_SPACE_WEIGHT = "\x02"
_SYMBOL_WEIGHT = "\x03"
_DIGIT_BASE = 0x10
_LETTER_BASE = 0x40
_OTHER_LETTER_BASE = 0x100


def vietnamese_sort_key(text: str) -> str:
    """A key that sorts strings in Vietnamese order; equal keys mean identical NFC text.

    The key is a string: letters first (primary), then tones (secondary), then case (tertiary),
    then the text itself to break remaining ties, so it can be stored in a column and used by
    ORDER BY as well as by sorted().
    """
    composed = unicodedata.normalize("NFC", text)
    primary: list[str] = []
    tones: list[str] = []
    cases: list[str] = []
    for ch in composed:
        weights = _character_weights(ch)
        if weights is None and tones:
            # A mark NFC could not compose with its letter: it still counts as a tone.
            tones[-1] = max(tones[-1], chr(0x30 + _tone_rank(ch)))
            continue
        letter, tone, case = weights or (_SYMBOL_WEIGHT, "0", "0")
        primary.append(letter)
        tones.append(tone)
        cases.append(case)
    return _LEVEL_SEPARATOR.join(("".join(primary), "".join(tones), "".join(cases), composed))


@functools.lru_cache(maxsize=8192)
def _character_weights(ch: str) -> tuple[str, str, str] | None:
    """(primary, tone, case) weights of one NFC character; None for a lone combining mark."""
    if unicodedata.category(ch).startswith("M"):
        return None
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    letter_marks = "".join(m for m in marks if m in _LETTER_MARKS)
    letter = unicodedata.normalize("NFC", base.lower() + letter_marks)
    if letter in _LETTER_RANK:
        marks = "".join(m for m in marks if m not in _LETTER_MARKS)
    else:
        letter = base.lower()
    case = "1" if base != base.lower() else "0"
    return _primary_weight(letter), chr(0x30 + _tone_rank(marks)), case


def _primary_weight(letter: str) -> str:
    if letter in _LETTER_RANK:
        return chr(_LETTER_BASE + _LETTER_RANK[letter])
    if letter.isspace():
        return _SPACE_WEIGHT
    if letter in "0123456789":
        return chr(_DIGIT_BASE + int(letter))
    if letter.isalnum():
        code = ord(letter)
        # Surrogates cannot be stored as UTF-8; any letter that would map there shares a weight.
        weight = code + _OTHER_LETTER_BASE if code < _OTHER_LETTER_BASE else code
        return chr(weight) if not 0xD800 <= weight <= 0xDFFF else chr(0xE000)
    return _SYMBOL_WEIGHT


def _tone_rank(marks: str) -> int:
    """Rank of the tone: none first, then huyền, hỏi, ngã, sắc, nặng, then any other mark."""
    if not marks:
        return 0
    return max(_TONE_RANK.get(m, _OTHER_MARK_RANK) for m in marks)

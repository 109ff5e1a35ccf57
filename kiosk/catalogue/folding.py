"""Vietnamese text for search and lists: folding, search tokens and the collation key.

Folding (invariant 7) makes what a citizen can type on a touch keyboard meet what the catalogue
says: "DANG KY", "dang ky" and "Đăng ký" all fold to "dang ky". SQLite's own
`remove_diacritics` cannot do this because Đ/đ is a letter of its own, not D with a mark, so
the kiosk folds in Python before indexing and before searching.

The collation key sorts lists the way a Vietnamese reader expects: a ă â b c d đ e ê … o ô ơ …
u ư …, with the tones (ngang, huyền, hỏi, ngã, sắc, nặng) as secondary differences and case as
tertiary, as in the CLDR collation for Vietnamese.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Letters with no decomposition that readers treat as D. Ð (U+00D0, Icelandic eth) turns up in
# exports typed on keyboards that have no Đ; its lower case ð follows from lower().
_D_LETTERS = str.maketrans({"đ": "d", "ð": "d"})
_TOKEN = re.compile(r"[^\W_]+")

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


def nfc(text: str) -> str:
    """The NFC form of `text`: the one form the kiosk stores and compares."""
    return unicodedata.normalize("NFC", text)


def fold_vietnamese(text: str) -> str:
    """Fold for search: compatibility forms (NFKC), lower case, no diacritics, đ → d, single
    spaces, no outer spaces.

    "Đăng  KÝ" → "dang ky", "１２３" (full-width) → "123". Idempotent. Lower-casing comes after
    NFKC and before the decomposition because lower() can itself produce combining marks
    ("İ" → "i̇"), which the decomposition then removes.
    """
    lowered = text.lower() if text.isascii() else unicodedata.normalize("NFKC", text).lower()
    if not lowered.isascii():
        # Decomposing one character at a time equals decomposing the whole text here: the
        # only difference, the canonical order of marks, vanishes when the marks are dropped.
        lowered = "".join([_fold_character(ch) for ch in lowered])
    return " ".join(lowered.split())


@functools.lru_cache(maxsize=8192)
def _fold_character(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", ch)
    bare = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return bare.translate(_D_LETTERS)


def search_tokens(text: str) -> list[str]:
    """The words of `text` as search sees them: folded runs of letters and digits.

    The same function cuts the catalogue's text for the index and the citizen's query, so
    punctuation never decides whether two words meet ("1.001193" → ["1", "001193"]).
    """
    return _TOKEN.findall(fold_vietnamese(text))


# Syllables where Vietnamese writes i or y for the same sound after a consonant: kí/ký, lí/lý,
# mĩ/mỹ, tỉ/tỷ, hi/hy, sĩ/sỹ, quí/quý. Only a lone final y after consonants is one: "ay"/"ai"
# (tay/tai), "uy" (thủy) and "y" alone (y tế) are other sounds and stay as written.
_I_OR_Y = re.compile(r"^(?:[bcdghklmnprstvx]|ch|gh|kh|ng|ngh|nh|ph|qu|th|tr)y$")


def fold_i_y(word: str) -> str:
    """One folded word with the i/y spelling variants made one: "ky" → "ki", "quy" → "qui".

    Search-side only: the index and the citizen's words both go through it; the catalogue's
    text is shown as written."""
    return word[:-1] + "i" if _I_OR_Y.match(word) else word


def search_words(text: str) -> list[str]:
    """The words search compares: `search_tokens` with i/y spellings made one."""
    return [fold_i_y(word) for word in search_tokens(text)]


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

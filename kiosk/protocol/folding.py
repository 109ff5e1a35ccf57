"""Folding for search, shared by the kiosk's search and the catalogue format's checks: what a
citizen can type on a touch keyboard meets what the catalogue says ("DANG KY", "dang ky" and
"Đăng ký" all fold to "dang ky"; kí/ký are one word). The catalogue format needs it to tell two
synonym terms apart the way search will; kiosk/catalogue/folding.py adds the collation key for
lists. Pure standard library."""

from __future__ import annotations

import functools
import re
import unicodedata

# Letters with no decomposition that readers treat as D. Ð (U+00D0, Icelandic eth) turns up in
# exports typed on keyboards that have no Đ; its lower case ð follows from lower().
_D_LETTERS = str.maketrans({"đ": "d", "ð": "d"})
_TOKEN = re.compile(r"[^\W_]+")


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

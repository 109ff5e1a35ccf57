"""Vietnamese typing for the on-screen keyboard: Telex, vowel keys and tone keys.

The search box holds NFC text; each key press turns it into new text, here, with no Kivy, so the
rules are table-tested. Only the last word (the letters after the last space) ever changes.

Telex, as Unikey types it: aa → â, aw → ă, ee → ê, oo → ô, ow → ơ, uw/w → ư, uow → ươ, dd → đ;
s f r x j put the sắc, huyền, hỏi, ngã, nặng tone on the word and z takes it away; a modifier
pressed twice gives the plain letters back ("caaa" → "caa", "bas" + "s" → "bas"). A Telex key
only acts on a word that reads as one Vietnamese syllable (initial consonants, one to three
vowels, a final consonant); anywhere else it is a letter, so "registration" stays as typed.

The tone is kept apart from the letters and put back on the right vowel after every key, as
Vietnamese spelling wants: on the vowel with a mark (ơ in "ươ", ê in "uyê"), else the middle of
three vowels, else the second of two when a consonant ends the word ("hoàn"), else the first
("hòa", "thủy", "mía"). That is the classic placement Unikey uses by default and the catalogue
mostly follows ("Văn hóa", "Ủy ban"); search folds tones away, so either placement finds the same.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum

__all__ = ["Tone", "TELEX_TONES", "type_key", "set_tone", "backspace", "add_space", "split_syllable"]


class Tone(StrEnum):
    """The six tones; the value is the combining mark (none has no mark)."""

    none = ""
    huyen = "\u0300"
    sac = "\u0301"
    hoi = "\u0309"
    nga = "\u0303"
    nang = "\u0323"


TELEX_TONES = {"s": Tone.sac, "f": Tone.huyen, "r": Tone.hoi, "x": Tone.nga, "j": Tone.nang, "z": Tone.none}
_TONE_MARKS = frozenset(t.value for t in Tone if t.value)

VOWELS = frozenset("aăâeêioôơuưy")
_MARKED_VOWELS = frozenset("ăâêôơư")
# Longest first, so "ngh" wins over "ng" and "n". "gi" and "qu" are handled apart.
_INITIALS: tuple[str, ...] = ("ngh", "ch", "gh", "kh", "ng", "nh", "ph", "th", "tr", *"bcdđghklmnprstvx")
_FINALS = frozenset(("", "c", "ch", "m", "n", "ng", "nh", "p", "t"))

# Telex modifiers: key → {letter it changes: the letter it becomes}. The lower-case forms; the
# case of the letter typed earlier is kept.
_MODIFIERS = {
    "a": {"a": "â", "ă": "â"},
    "e": {"e": "ê"},
    "o": {"o": "ô", "ơ": "ô"},
    "w": {"a": "ă", "â": "ă", "o": "ơ", "ô": "ơ", "u": "ư"},
}
# What a modifier pressed again turns back into (then the key itself is added as a letter).
_UNDO = {"a": {"â": "a"}, "e": {"ê": "e"}, "o": {"ô": "o"}, "w": {"ă": "a", "ơ": "o", "ư": "u"}}


def split_syllable(word: str) -> tuple[str, str, str] | None:
    """(initial, vowels, final) of a toneless word, lower case, or None when the word is not
    shaped like one Vietnamese syllable. The vowels may be empty (a word of consonants only)."""
    word = word.lower()
    initial = _initial(word)
    if initial is None:
        return None
    rest = word[len(initial) :]
    count = 0
    while count < len(rest) and rest[count] in VOWELS:
        count += 1
    vowels, final = rest[:count], rest[count:]
    if len(vowels) > 3 or final not in _FINALS or (final and not vowels):
        return None
    return initial, vowels, final


def _initial(word: str) -> str | None:
    # "qu" and "gi" count as consonants only when a vowel follows ("quý", "già"), else the
    # u/i is the vowel ("gì", "gin").
    for pair in ("qu", "gi"):
        if word.startswith(pair) and len(word) > 2 and word[2] in VOWELS:
            return pair
    if word.startswith("q"):
        return "q" if len(word) <= 2 else None
    for initial in _INITIALS:
        if word.startswith(initial):
            return initial
    return "" if not word or word[0] in VOWELS else None


def _strip_tone(word: str) -> tuple[str, Tone]:
    """The word without its tone mark, and the tone (the last one if a word has several)."""
    tone = Tone.none
    kept = []
    for ch in unicodedata.normalize("NFD", word):
        if ch in _TONE_MARKS:
            tone = Tone(ch)
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def _tone_position(vowels: str, final: str) -> int:
    """Index, within the vowels, of the vowel that carries the tone."""
    marked = [i for i, ch in enumerate(vowels) if ch in _MARKED_VOWELS]
    if marked:
        return marked[-1]  # "ươ" → ơ, "ưu" → ư, "uyê" → ê
    if len(vowels) == 3:
        return 1  # "ngoài", "khuỷu"
    if len(vowels) == 2 and final:
        return 1  # "hoàn", "thuận"
    return 0  # "hòa", "thủy", "mía", "cáo"


def _with_tone(base: str, tone: Tone) -> str | None:
    """The toneless word with `tone` put on the right vowel; None when it is no syllable or has
    no vowel to carry a tone."""
    parts = split_syllable(base)
    if parts is None:
        return None
    initial, vowels, final = parts
    if not vowels:
        return base if tone is Tone.none else None
    index = len(initial) + _tone_position(vowels, final)
    toned = unicodedata.normalize("NFD", base[index]) + tone.value
    return base[:index] + unicodedata.normalize("NFC", toned) + base[index + 1 :]


def _last_word(text: str) -> tuple[str, str]:
    """(text before the last word, the last word): the word is the trailing run of letters."""
    end = len(text)
    start = end
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    return text[:start], text[start:end]


def _match_case(letter: str, like: str) -> str:
    return letter.upper() if like.isupper() else letter


def _retone(word: str) -> str:
    """The word with its tone moved to where spelling puts it (after a letter was added or
    removed); a word that is no syllable is left alone."""
    base, tone = _strip_tone(word)
    if tone is Tone.none:
        return word
    return _with_tone(base, tone) or word


def type_key(text: str, key: str, telex: bool = True) -> str:
    """The text after one key of the keyboard: a letter, a digit, ".", or a Vietnamese letter
    (ă â ê ô ơ ư đ). With `telex`, Telex keys modify the last word (see the module's docstring)."""
    if not key:
        return text
    before, word = _last_word(text)
    if telex and len(key) == 1:
        composed = _telex(word, key)
        if composed is not None:
            return before + composed
    if not key.isalpha():
        return text + key
    return before + _retone(_horn_both(word) + key)


def _horn_both(word: str) -> str:
    """uơ followed by more letters is ươ ("đuơ" + "c" → "đươc"): no Vietnamese word has uơ
    before another letter, and Telex users often type the w right after the o."""
    end = word[-2:]
    if end.lower() in ("uơ", "uờ", "uớ", "uở", "uỡ", "uợ"):
        return word[:-2] + _match_case("ư", end[0]) + end[1]
    return word


def _telex(word: str, key: str) -> str | None:
    """The word after a Telex key, or None when the key is just a letter here."""
    lower = key.lower()
    base, tone = _strip_tone(word)
    if split_syllable(base) is None:
        return None
    if lower in TELEX_TONES:
        return _telex_tone(word, base, tone, TELEX_TONES[lower], key)
    if lower == "d":
        return _telex_d(base, tone, key)
    if lower in _MODIFIERS:
        changed = _modify(base, lower, key)
        if changed is not None:
            return _with_tone(changed, tone) or (changed if tone is Tone.none else None)
    return None


def _telex_tone(word: str, base: str, tone: Tone, wanted: Tone, key: str) -> str | None:
    parts = split_syllable(base)
    if parts is None or not parts[1]:
        return None  # no vowel yet ("s" after "kh"): a letter
    if wanted is tone:
        # The same tone again (or z on a toneless word) gives the letter back: "bas" + "s".
        if tone is Tone.none:
            return None
        return base + key
    return _with_tone(base, wanted) or word


def _telex_d(base: str, tone: Tone, key: str) -> str | None:
    """dd → đ at the start of the word (also after its vowels: "dad" → "đa"); đ + d → dd."""
    if not base:
        return None
    first = base[0]
    if first in "dD":
        changed = _match_case("đ", first) + base[1:]
    elif first in "đĐ":
        return _match_case("d", first) + base[1:] + key
    else:
        return None
    return _with_tone(changed, tone) if tone is not Tone.none else changed


def _modify(base: str, lower: str, key: str) -> str | None:
    """Apply a vowel modifier (a, e, o, w) to the toneless word, or None when it does not apply."""
    parts = split_syllable(base)
    assert parts is not None  # checked by the caller
    initial, vowels, _final = parts
    start = len(initial)
    if lower == "w":
        pair = vowels.find("uo") if "uo" in vowels else vowels.find("ưo")
        if pair < 0:
            pair = vowels.find("uơ")
        if pair >= 0:  # "uow", "ưow", "uơw" → ươ ("nguwowif", "nguoiwf" → "người")
            i = start + pair
            # Ending the word, it is uơ ("thuở", "huơ"); a letter typed later makes it ươ.
            first = base[i] if i + 2 == len(base) and base[i] in "uU" else _match_case("ư", base[i])
            return base[:i] + first + _match_case("ơ", base[i + 1]) + base[i + 2 :]
        if not vowels:  # "w" alone or after consonants is ư ("nhw" → "như")
            return base + _match_case("ư", key)
    for i in range(start + len(vowels) - 1, start - 1, -1):
        letter = base[i].lower()
        if letter in _UNDO[lower]:
            return base[:i] + _match_case(_UNDO[lower][letter], base[i]) + base[i + 1 :] + key
        if letter in _MODIFIERS[lower]:
            return base[:i] + _match_case(_MODIFIERS[lower][letter], base[i]) + base[i + 1 :]
    return None


def set_tone(text: str, tone: Tone) -> str:
    """The text after a tone key of the keyboard: the last word takes the tone (the same tone
    again takes it away). A word with no vowel, or not a syllable, is left as it is."""
    before, word = _last_word(text)
    if not word:
        return text
    base, current = _strip_tone(word)
    wanted = Tone.none if tone is current else tone
    toned = _with_tone(base, wanted)
    return before + toned if toned is not None else text


def backspace(text: str) -> str:
    """The text without its last letter (with that letter's marks); the tone of what is left
    moves to where spelling puts it ("hoàn" → "hòa")."""
    if not text:
        return text
    before, word = _last_word(text[:-1])
    return before + _retone(word)


def add_space(text: str) -> str:
    """A space between words: none at the start and never two in a row."""
    if not text or text.endswith(" "):
        return text
    return text + " "

"""Typo tolerance for procedure search: match a misspelt word to the catalogue's own words.

Used only when the main search found nothing. Each word the catalogue does not know is looked
up in a trigram index of every indexed word (catalogue_word_trigram, padded with spaces so a
word's first and last letters make trigrams of their own); the candidates that share trigrams
are ranked by edit distance, counting a swap of two neighbouring letters as one edit ("khia" →
"khai"). Numbers and words of one letter are not corrected, and a word of two letters only to
short words with its first letter: too many words are near.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

# Edits allowed: one in a word of up to four letters (most Vietnamese syllables), else two.
SHORT_WORD = 4
MAX_CORRECTIONS = 5
_CANDIDATES = 200
_LAST_CHAR = "\U0010ffff"


@dataclass(frozen=True)
class Slot:
    """One word of a query: the words to search for in its place, and whether the last of
    them is still being typed (so matched as a prefix)."""

    options: tuple[str, ...]
    prefix: bool


def corrections(db: sqlite3.Connection, words: tuple[str, ...], *, typing_last: bool) -> list[Slot] | None:
    """The query with unknown words replaced by their nearest known words.

    None when there is nothing to correct (every word is known) or some word has no near
    known word, since then no search can find anything.
    """
    slots: list[Slot] = []
    corrected = False
    for i, word in enumerate(words):
        prefix = typing_last and i == len(words) - 1
        if word.isdigit() or _known(db, word, prefix=prefix):
            slots.append(Slot((word,), prefix))
            continue
        near = nearest_words(db, word, prefix=prefix)
        if not near:
            return None
        slots.append(Slot(tuple(near), False))
        corrected = True
    return slots if corrected else None


def nearest_words(db: sqlite3.Connection, word: str, *, prefix: bool = False) -> list[str]:
    """Known words at the smallest edit distance from `word` within its allowance, best
    first. With `prefix`, `word` may also be a misspelt start of a known word, as when a
    citizen is still typing ("sinj" for "sinh", "giaay" for "giấy"). A finished word of two
    letters is corrected only to words of two or three letters that start with its first
    letter ("ko" → "ki"): safe, because the other words of the query must still match."""
    if len(word) < 2 or (len(word) == 2 and prefix):
        return []  # one letter, or two still being typed: too many words are near
    allowed = 1 if len(word) <= SHORT_WORD else 2
    scored = []
    for order, candidate in enumerate(_candidates(db, word, allowed)):
        if len(word) == 2 and (candidate[0] != word[0] or not 2 <= len(candidate) <= 3):
            continue
        distance = osa_distance(word, candidate)
        if prefix:
            distance = min(distance, osa_distance(word, candidate[: len(word)]))
        if distance <= allowed:
            scored.append((distance, order, candidate))
    scored.sort()
    best = [candidate for distance, _, candidate in scored if distance == scored[0][0]]
    return best[:MAX_CORRECTIONS]


def _candidates(db: sqlite3.Connection, word: str, allowed: int) -> list[str]:
    """Known words that may be near `word`: those sharing a trigram with it, best sharers
    first, then those of about its length that start with the same letter. The second kind
    catches short words whose every trigram the typo broke ("hpn" for "hon")."""
    match = " OR ".join(f'"{t}"' for t in sorted(trigrams(word)))
    sharing = db.execute(
        "SELECT word FROM catalogue_word_trigram WHERE catalogue_word_trigram MATCH ? ORDER BY rank LIMIT ?",
        [match, _CANDIDATES],
    )
    same_start = db.execute(
        "SELECT word FROM catalogue_word WHERE word >= ? AND word < ? "
        "AND length(word) BETWEEN ? AND ? LIMIT ?",
        [word[0], word[0] + _LAST_CHAR, len(word) - allowed, len(word) + allowed, _CANDIDATES],
    )
    found = [row[0].strip() for row in sharing] + [row[0] for row in same_start]
    return list(dict.fromkeys(found))


def trigrams(word: str) -> set[str]:
    """The trigrams of a word padded with one space each side, as the index holds them."""
    padded = f" {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def osa_distance(a: str, b: str) -> int:
    """Edit distance counting insertions, deletions, substitutions and swaps of neighbours
    (optimal string alignment)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def _known(db: sqlite3.Connection, word: str, *, prefix: bool) -> bool:
    if prefix:
        sql = "SELECT 1 FROM catalogue_word WHERE word >= ? AND word < ? LIMIT 1"
        return db.execute(sql, [word, word + _LAST_CHAR]).fetchone() is not None
    sql = "SELECT 1 FROM catalogue_word WHERE word = ?"
    return db.execute(sql, [word]).fetchone() is not None

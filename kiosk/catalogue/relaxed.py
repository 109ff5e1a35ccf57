"""The relaxed tier of search: when no procedure has every word, rank by how many it has.

A citizen's sentence ("muốn làm giấy khai tử cho bố", "đăng ký tạm trú cho người thuê trọ ở
đâu") rarely has every word in one procedure. When the strict tiers and the typo fallback found
nothing, each meaningful word (fillers set aside, kiosk/catalogue/understanding.py) is looked up
on its own, and procedures that have more than half of the words are ranked by the share of the query they
cover, each word weighted
by how rare it is in the catalogue (a word in every name, "dang ky", says little) and by where
it was found (name, keywords, English name, field).

Bounded: each word reads at most CANDIDATES_PER_WORD procedures from the full-text index, the
rarest words first, and at most MAX_CANDIDATES procedures are scored, so no query costs more
than a few milliseconds on the 6,000 procedures of a national catalogue.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence

from kiosk.catalogue.understanding import Query

CANDIDATES_PER_WORD = 300
MAX_CANDIDATES = 400
# A procedure must cover at least this share of the query's weight to be shown.
MIN_COVERAGE = 0.35
# English words share their first letters with their other forms: register / registration,
# marry / marriage, certify / certificate. Only in the English column, only for long words.
STEM = 5
_COLUMNS = ("name", "keywords", "code", "field", "english")
_PLACE_WEIGHT = {
    "vi": {"name": 1.0, "keywords": 0.9, "english": 0.6, "code": 0.5, "field": 0.4},
    "en": {"english": 1.0, "name": 0.8, "keywords": 0.8, "code": 0.5, "field": 0.4},
}


def relaxed_matches(
    db: sqlite3.Connection, queries: Sequence[Query], want: int, language: str = "vi"
) -> list[tuple[int, float]]:
    """(procedure id, coverage in [0, 1)) best first, at most `want`, over the given forms of
    one query (as typed without fillers, with synonyms expanded); each procedure keeps its best."""
    best: dict[int, float] = {}
    for q in queries:
        for pid, coverage in _covered(db, q, language).items():
            best[pid] = max(best.get(pid, 0.0), coverage)
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    return [(pid, min(coverage, 1.0) * 0.999) for pid, coverage in ranked[:want]]


def _covered(db: sqlite3.Connection, q: Query, language: str) -> dict[int, float]:
    words = list(dict.fromkeys(q.words))
    if not words:
        return {}
    last = q.words[-1] if q.typing_last else None
    lists = {word: _procedures_with(db, word, prefix=word == last) for word in words}
    total = max(1, db.execute("SELECT count(*) FROM catalogue_procedure").fetchone()[0])
    weight = {word: math.log(1.0 + total / max(1, len(ids))) for word, ids in lists.items()}
    candidates: dict[int, None] = {}
    for word in sorted(words, key=lambda w: len(lists[w])):  # rarest first: all of theirs fit
        candidates.update(dict.fromkeys(lists[word]))
    chosen = list(candidates)[:MAX_CANDIDATES]
    if not chosen:
        return {}
    places = _PLACE_WEIGHT.get(language, _PLACE_WEIGHT["vi"])
    whole = sum(weight.values())
    scores: dict[int, float] = {}
    for pid, columns in _columns(db, chosen).items():
        found = {w: _best_place(w, w == last, columns, places) for w in words}
        got = sum(weight[w] * place for w, place in found.items())
        # More than half of the words, and of their weight: "khai tu" must not show "khai sinh".
        most = 2 * sum(1 for place in found.values() if place) > len(words)
        if most and got / whole >= MIN_COVERAGE and _any_in_name_or_keywords(words, last, columns):
            scores[pid] = got / whole
    return scores


def _procedures_with(db: sqlite3.Connection, word: str, *, prefix: bool) -> list[int]:
    quoted = '"' + word.replace('"', '""') + '"' + ("*" if prefix else "")
    match = quoted
    if len(word) > STEM and not prefix:
        match = f'({quoted} OR english : "{word[:STEM]}"*)'
    rows = db.execute(
        "SELECT rowid FROM catalogue_fts WHERE catalogue_fts MATCH ? ORDER BY rowid LIMIT ?",
        [match, CANDIDATES_PER_WORD],
    )
    return [int(row[0]) for row in rows]


def _columns(db: sqlite3.Connection, ids: list[int]) -> dict[int, dict[str, set[str]]]:
    marks = ", ".join("?" * len(ids))
    rows = db.execute(
        f"SELECT rowid, {', '.join(_COLUMNS)} FROM catalogue_fts WHERE rowid IN ({marks})", ids
    ).fetchall()
    return {
        int(row[0]): {c: set(str(v).split()) for c, v in zip(_COLUMNS, row[1:], strict=True)} for row in rows
    }


def _best_place(word: str, prefix: bool, columns: dict[str, set[str]], places: dict[str, float]) -> float:
    best = 0.0
    for column, tokens in columns.items():
        if places[column] > best and _has(word, prefix, tokens, stem=column == "english"):
            best = places[column]
    return best


def _has(word: str, prefix: bool, tokens: set[str], *, stem: bool) -> bool:
    if word in tokens:
        return True
    if prefix:
        return any(t.startswith(word) for t in tokens)
    if stem and len(word) > STEM:
        return any(t.startswith(word[:STEM]) for t in tokens)
    return False


def _any_in_name_or_keywords(words: list[str], last: str | None, columns: dict[str, set[str]]) -> bool:
    """A procedure shown must have one of the words in what it is called (in either language),
    not only in its field or code: a sentence that only names a field is better browsed."""
    return any(
        _has(w, w == last, columns[c], stem=c == "english")
        for w in words
        for c in ("name", "keywords", "english")
    )

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

CANDIDATES_PER_WORD = 200
MAX_CANDIDATES = 250
# A procedure must cover at least this share of the query's weight to be shown.
MIN_COVERAGE = 0.35
# English words share their first letters with their other forms: register / registration,
# marry / marriage, certify / certificate. Only in the English column, only for long words.
STEM = 5
_COLUMNS = ("name", "keywords", "code", "field", "english")
# Found in a name, keywords or English name (not only the field or code).
_NAMED = 0.6
_PLACE_WEIGHT = {
    "vi": {"name": 1.0, "keywords": 0.9, "english": 0.6, "code": 0.5, "field": 0.4},
    "en": {"english": 1.0, "name": 0.8, "keywords": 0.8, "code": 0.5, "field": 0.4},
}


def relaxed_matches(
    db: sqlite3.Connection, queries: Sequence[Query], want: int, language: str = "vi"
) -> list[tuple[int, float]]:
    """(procedure id, coverage in [0, 1)) best first, at most `want`, over the given forms of
    one query (as typed without fillers, with synonyms expanded); each procedure keeps its best."""
    reader = _Reader(db)
    places = _PLACE_WEIGHT.get(language, _PLACE_WEIGHT["vi"])
    best: dict[int, float] = {}
    for q in queries:
        for pid, coverage in _covered(reader, q, places).items():
            best[pid] = max(best.get(pid, 0.0), coverage)
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    return [(pid, min(coverage, 1.0) * 0.999) for pid, coverage in ranked[:want]]


class _Reader:
    """What the forms of one query read, read once: each word's procedures, their words."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.total = max(1, db.execute("SELECT count(*) FROM catalogue_procedure").fetchone()[0])
        self._lists: dict[tuple[str, bool], list[int]] = {}
        self._columns: dict[int, dict[str, set[str]]] = {}

    def procedures_with(self, word: str, prefix: bool) -> list[int]:
        key = (word, prefix)
        if key not in self._lists:
            self._lists[key] = _procedures_with(self.db, word, prefix=prefix)
        return self._lists[key]

    def columns(self, ids: list[int]) -> dict[int, dict[str, set[str]]]:
        missing = [pid for pid in ids if pid not in self._columns]
        if missing:
            self._columns.update(_columns(self.db, missing))
        return {pid: self._columns[pid] for pid in ids if pid in self._columns}


def _covered(reader: _Reader, q: Query, places: dict[str, float]) -> dict[int, float]:
    words = list(dict.fromkeys(q.words))
    if not words:
        return {}
    last = q.words[-1] if q.typing_last else None
    lists = {word: reader.procedures_with(word, word == last) for word in words}
    weight = {word: math.log(1.0 + reader.total / max(1, len(ids))) for word, ids in lists.items()}
    candidates: dict[int, None] = {}
    for word in sorted(words, key=lambda w: len(lists[w])):  # rarest first: all of theirs fit
        candidates.update(dict.fromkeys(lists[word]))
    chosen = list(candidates)[:MAX_CANDIDATES]
    whole = sum(weight.values())
    order = sorted(places, key=places.__getitem__, reverse=True)
    scores: dict[int, float] = {}
    for pid, columns in reader.columns(chosen).items():
        found = {w: _best_place(w, w == last, columns, order, places) for w in words}
        # More than half of the words, and enough of their weight: "khai tu" must not show
        # "khai sinh"; and one of them in what the procedure is called, not only its field.
        most = 2 * sum(1 for place in found.values() if place) > len(words)
        named = any(place >= _NAMED for place in found.values())
        got = sum(weight[w] * place for w, place in found.items())
        if most and named and got / whole >= MIN_COVERAGE:
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


def _best_place(
    word: str, prefix: bool, columns: dict[str, set[str]], order: list[str], places: dict[str, float]
) -> float:
    """The weight of the best place `word` is found in (0.0: nowhere). Whole words are set
    look-ups; only the word being typed and long English words compare starts."""
    for column in order:
        tokens = columns[column]
        if word in tokens:
            return places[column]
        if prefix and any(t.startswith(word) for t in tokens):
            return places[column]
        if column == "english" and len(word) > STEM and any(t.startswith(word[:STEM]) for t in tokens):
            return places[column]
    return 0.0

"""Procedure search for the lookup kiosk: as-you-type, without diacritics, by code, in the
words citizens use, in Vietnamese and English, with typos.

The citizen's text is folded and cut into words (kiosk/catalogue/folding.py: NFKC, case, marks,
đ, i/y spellings) and only those words, each quoted, ever reach FTS5's MATCH: quotes, *, -,
NEAR, AND and parentheses are characters to a citizen, never query syntax, so no input can raise.

A query is tried in several forms (kiosk/catalogue/understanding.py): as typed, without filler
words ("thủ tục", "muốn làm", "ở đâu"), and with the synonyms table's meanings. Results come in
tiers, each a cheap query per form that stops the search once `limit` hits are found:

    exact code > exact name > name starts with the query > a keyword is the query
    > part of a code > the words as a phrase in the name > … in the keywords
    > all words in the name > … in the keywords > … in the field's name > words spread over
    name, keywords, code, field > the English name (exact, start, phrase, words)

On the English screen the English tiers come first, each just before its Vietnamese twin. Only
when all that found nothing: misspelt words corrected, through the same tiers; and when that
found nothing either, the relaxed tier (kiosk/catalogue/relaxed.py): procedures ranked by how
much of the query they cover. `mode="strict"` is the search as it was before query
understanding (as typed, Vietnamese tiers, typo fallback by bm25), kept for comparisons.

Within a name tier shorter names come first (they say least besides what was asked); within
the others bm25, which weighs the name highest. A hit's score is its tier (the top tier is the
number of tiers; 1 is the last) plus a fraction in [0, 1) for its place within the tier; typo
and relaxed hits score below 1. docs/catalogue.md and docs/lookup.md explain the choices.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from kiosk.catalogue.relaxed import relaxed_matches
from kiosk.catalogue.typos import Slot, corrections
from kiosk.catalogue.understanding import MAX_QUERY_CHARS, MAX_WORDS, Query, meaningful, parse_query, variants

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 20
MAX_LIMIT = 500
# Spelling corrections tried as whole queries (each corrected word's nearest words combined).
MAX_CORRECTED_QUERIES = 4
# Forms of a query the relaxed tier scores (each reads its words' procedures): a bound on cost.
MAX_RELAXED_FORMS = 3
# bm25 weights of catalogue_fts's columns: name, keywords, code, field, English.
_WEIGHTS = "10.0, 5.0, 2.0, 1.0, 3.0"
_LAST_CHAR = "\U0010ffff"
Mode = Literal["full", "strict"]
__all__ = ["MAX_QUERY_CHARS", "MAX_WORDS", "Query", "SearchHit", "parse_query", "search"]


@dataclass(frozen=True)
class SearchHit:
    """One result: which procedure, and how well it matched (`match` names the tier)."""

    code: str
    name: str
    name_en: str
    field: str
    field_name: str
    score: float
    match: str


def search(
    db: sqlite3.Connection,
    query: str,
    limit: int = DEFAULT_LIMIT,
    *,
    language: str = "vi",
    mode: Mode = "full",
) -> list[SearchHit]:
    """Procedures matching `query`, best first, at most `limit`; `language` is the screen's
    ("en" puts English names first). Never raises: a database fault is logged and answered
    with no hits, so the lookup screen stays up."""
    if not isinstance(query, str) or limit < 1:
        return []
    try:
        with _snapshot(db):
            q, limit = parse_query(query), min(limit, MAX_LIMIT)
            if mode == "strict":
                return _strict_search(db, q, limit)
            return _search(db, q, limit, _EN_STAGES if language == "en" else _VI_STAGES, language)
    except sqlite3.Error:
        log.exception("catalogue search failed (query of %d characters)", len(query))
        return []


@contextmanager
def _snapshot(db: sqlite3.Connection) -> Iterator[None]:
    """Read every stage from one snapshot, so a sync committing between two stages cannot mix
    two catalogues in one answer (WAL: readers never wait for the writer)."""
    if db.in_transaction:
        yield
        return
    db.execute("BEGIN")
    try:
        yield
    finally:
        db.execute("ROLLBACK")  # nothing was written; ending the read is all that is needed


# A stage finds (procedure id, fraction) pairs in its own order, at most `want` of them.
Stage = Callable[[sqlite3.Connection, Query, int], list[tuple[int, float]]]


def _search(
    db: sqlite3.Connection, q: Query, limit: int, stages: Sequence[tuple[str, Stage]], language: str
) -> list[SearchHit]:
    if not q.words and q.code is None:
        return []
    forms = variants(db, q)
    found = _tiers(db, forms, stages, limit)
    corrected: list[Query] = []
    if not found:
        corrected = _corrected_queries(db, forms)
        found = _tiers(db, corrected, stages, limit, label="typo", scale=1.0 / (len(stages) + 1))
    if not found:
        # Relaxed: each meaningful word on its own, the typo-corrected forms included.
        loose = list(dict.fromkeys([meaningful(f) for f in forms] + [meaningful(c) for c in corrected]))
        loose = loose[:MAX_RELAXED_FORMS]
        _collect(found, relaxed_matches(db, loose, limit, language), 0, "relaxed", limit)
    return _hits(db, found)


def _strict_search(db: sqlite3.Connection, q: Query, limit: int) -> list[SearchHit]:
    """The search before query understanding: the words as typed, the Vietnamese tiers, then
    misspelt words corrected and ordered by bm25 alone."""
    if not q.words and q.code is None:
        return []
    found = _tiers(db, [q], _VI_STAGES[:11], limit)
    if not found:
        slots = corrections(db, q.words, typing_last=q.typing_last)
        if slots is not None:
            _collect(found, _fts(db, _match_slots(slots), limit), 0, "typo", limit)
    return _hits(db, found)


def _tiers(
    db: sqlite3.Connection,
    forms: Sequence[Query],
    stages: Sequence[tuple[str, Stage]],
    limit: int,
    label: str | None = None,
    scale: float = 1.0,
) -> dict[int, tuple[float, str]]:
    """Every stage in turn over every form of the query: a better tier of a later form beats
    a worse tier of an earlier one."""
    found: dict[int, tuple[float, str]] = {}
    for tier, (match, stage) in zip(range(len(stages), 0, -1), stages, strict=True):
        for form in forms:
            rows = stage(db, form, limit + len(found))
            _collect(found, rows, tier, label or match, limit, scale)
            if len(found) >= limit:
                return found
    return found


def _corrected_queries(db: sqlite3.Connection, forms: Sequence[Query]) -> list[Query]:
    """Each form with its unknown words replaced by their nearest known words: the best
    combinations first, at most MAX_CORRECTED_QUERIES."""
    out: list[Query] = []
    for form in forms:
        slots = corrections(db, form.words, typing_last=form.typing_last)
        if slots is None:
            continue
        for words in itertools.islice(itertools.product(*(s.options for s in slots)), MAX_CORRECTED_QUERIES):
            out.append(Query(tuple(words), slots[-1].prefix, None))
    return list(dict.fromkeys(out))[:MAX_CORRECTED_QUERIES]


def _collect(
    found: dict[int, tuple[float, str]],
    rows: list[tuple[int, float]],
    tier: int,
    match: str,
    limit: int,
    scale: float = 1.0,
) -> None:
    for pid, fraction in rows:
        if len(found) >= limit:
            return
        if pid not in found:
            found[pid] = ((tier + min(max(fraction, 0.0), 0.999)) * scale, match)


def _hits(db: sqlite3.Connection, found: dict[int, tuple[float, str]]) -> list[SearchHit]:
    if not found:
        return []
    marks = ", ".join("?" * len(found))
    rows = db.execute(
        "SELECT p.id, p.code, p.name, p.name_en, p.field, f.name FROM catalogue_procedure p "
        f"JOIN catalogue_field f ON f.id = p.field WHERE p.id IN ({marks})",
        list(found),
    ).fetchall()
    by_id = {row[0]: row for row in rows}
    hits = []
    previous = float("inf")
    for pid, (score, match) in found.items():
        _, code, name, name_en, field, field_name = by_id[pid]
        # Two forms of a query in one tier each order their own hits; the list still falls.
        previous = min(previous, round(score, 4))
        hits.append(SearchHit(code, name, name_en, field, field_name, previous, match))
    return hits


def _exact_code(db: sqlite3.Connection, q: Query, want: int) -> list[tuple[int, float]]:
    if q.code is None:
        return []
    sql = "SELECT id, 0.0 FROM catalogue_procedure WHERE code_key = ? ORDER BY position LIMIT ?"
    return _rows(db, sql, [q.code, want])


def _exact_name(db: sqlite3.Connection, q: Query, want: int) -> list[tuple[int, float]]:
    if not q.words:
        return []
    sql = "SELECT id, 0.0 FROM catalogue_procedure WHERE name_key = ? ORDER BY id LIMIT ?"
    return _rows(db, sql, [q.text, want])


def _name_prefix(db: sqlite3.Connection, q: Query, want: int) -> list[tuple[int, float]]:
    """Names that start with what was typed; the shorter the name, the closer the match
    (ids follow name length, see catalogue_store._write_procedures)."""
    if not q.words:
        return []
    text = q.text if q.typing_last else q.text + " "
    sql = (
        "SELECT id, ? * 1.0 / length(name_key) FROM catalogue_procedure "
        "WHERE name_key > ? AND name_key < ? ORDER BY id LIMIT ?"
    )
    return _rows(db, sql, [len(text), text, text + _LAST_CHAR, want])


def _keyword(db: sqlite3.Connection, q: Query, want: int) -> list[tuple[int, float]]:
    """The query is one of a procedure's keywords ("so do"): words people say, chosen by
    whoever edits the catalogue. Only whole keywords: keywords that merely start with the
    query ("kết hôn lưu động" for "ket hon") would push the names people mean down."""
    if not q.words:
        return []
    sql = (
        "SELECT procedure_id, 0.0 FROM catalogue_keyword WHERE keyword_key = ? ORDER BY procedure_id LIMIT ?"
    )
    return _rows(db, sql, [q.text, want])


def _partial_code(db: sqlite3.Connection, q: Query, want: int) -> list[tuple[int, float]]:
    """Codes that start with what was typed ("1.0011"), then codes that contain it ("001193"),
    each in code order. The first read walks the code index and stops after `want` rows."""
    if q.code is None:
        return []
    starting = (
        "SELECT id, 0.5 FROM catalogue_procedure WHERE code_key >= ? AND code_key < ? "
        "ORDER BY code_key LIMIT ?"
    )
    rows = _rows(db, starting, [q.code, q.code + _LAST_CHAR, want])
    if len(rows) < want:
        containing = (
            "SELECT id, 0.0 FROM catalogue_procedure WHERE instr(code_key, ?) > 1 ORDER BY code_key LIMIT ?"
        )
        rows += _rows(db, containing, [q.code, want - len(rows)])
    return rows


def _fts_stage(column: str | None, phrase: bool) -> Stage:
    """A stage that matches all the words in one column (or any), as a phrase or anywhere.

    In the name the shortest names come first: they say least besides what was asked. In other
    columns bm25 orders (it weighs the name highest, then keywords, code and field)."""

    def stage(db: sqlite3.Connection, q: Query, want: int) -> list[tuple[int, float]]:
        if not q.words or (phrase and len(q.words) < 2):
            return []  # one word as a phrase is the same as the word
        expression = _phrase(q) if phrase else _all_words(q)
        match = f"{column} : {expression}" if column else expression
        if column == "name":
            return _fts_by_length(db, match, len(q.text), want)
        return _fts(db, match, want)

    return stage


def _phrase(q: Query) -> str:
    return _quote(q.text) + ("*" if q.typing_last else "")


def _all_words(q: Query) -> str:
    last = len(q.words) - 1
    return _match_slots([Slot((w,), q.typing_last and i == last) for i, w in enumerate(q.words)])


def _match_slots(slots: list[Slot]) -> str:
    """Every slot must match; a slot may offer alternatives (typo corrections)."""
    parts = []
    for slot in slots:
        quoted = [_quote(option) + ("*" if slot.prefix else "") for option in slot.options]
        parts.append(quoted[0] if len(quoted) == 1 else "(" + " OR ".join(quoted) + ")")
    return "(" + " AND ".join(parts) + ")"


def _quote(text: str) -> str:
    """An FTS5 string: whatever is inside is text to match, never syntax."""
    return '"' + text.replace('"', '""') + '"'


def _fts(db: sqlite3.Connection, match: str, want: int) -> list[tuple[int, float]]:
    rows = db.execute(
        f"SELECT p.id, bm25(catalogue_fts, {_WEIGHTS}) AS r FROM catalogue_fts "
        "JOIN catalogue_procedure p ON p.id = catalogue_fts.rowid "
        "WHERE catalogue_fts MATCH ? ORDER BY r, p.id LIMIT ?",
        [match, want],
    ).fetchall()
    # bm25 is ≤ 0, more negative is better; map it into [0, 1) keeping the order.
    return [(pid, -r / (1.0 - r)) for pid, r in rows]


def _fts_by_length(db: sqlite3.Connection, match: str, typed: int, want: int) -> list[tuple[int, float]]:
    """Matches in rowid order, which is name-length order: FTS5 reads its doclists in that
    order, so the query stops after `want` rows however many names match."""
    sql = (
        "SELECT p.id, ? * 1.0 / length(p.name_key) FROM (SELECT rowid AS id FROM catalogue_fts "
        "WHERE catalogue_fts MATCH ? ORDER BY rowid LIMIT ?) AS m "
        "JOIN catalogue_procedure p ON p.id = m.id ORDER BY p.id"
    )
    return _rows(db, sql, [typed, match, want])


def _rows(db: sqlite3.Connection, sql: str, params: list[object]) -> list[tuple[int, float]]:
    return [(int(row[0]), float(row[1])) for row in db.execute(sql, params)]


def _english_name(db: sqlite3.Connection, q: Query, want: int) -> list[tuple[int, float]]:
    if not q.words:
        return []
    sql = "SELECT id, 0.0 FROM catalogue_procedure WHERE name_en_key = ? ORDER BY id LIMIT ?"
    return _rows(db, sql, [q.text, want])


def _english_prefix(db: sqlite3.Connection, q: Query, want: int) -> list[tuple[int, float]]:
    if not q.words:
        return []
    text = q.text if q.typing_last else q.text + " "
    sql = (
        "SELECT id, ? * 1.0 / length(name_en_key) FROM catalogue_procedure "
        "WHERE name_en_key > ? AND name_en_key < ? ORDER BY length(name_en_key), id LIMIT ?"
    )
    return _rows(db, sql, [len(text), text, text + _LAST_CHAR, want])


_VI_STAGES: list[tuple[str, Stage]] = [
    ("code", _exact_code),
    ("name", _exact_name),
    ("name_prefix", _name_prefix),
    ("keyword", _keyword),
    ("code_partial", _partial_code),
    ("name_phrase", _fts_stage("name", phrase=True)),
    ("keyword_phrase", _fts_stage("keywords", phrase=True)),
    ("name_words", _fts_stage("name", phrase=False)),
    ("keyword_words", _fts_stage("keywords", phrase=False)),
    ("field", _fts_stage("field", phrase=False)),
    ("words", _fts_stage("{name keywords code field}", phrase=False)),
    ("english_name", _english_name),
    ("english_prefix", _english_prefix),
    ("english_phrase", _fts_stage("english", phrase=True)),
    ("english_words", _fts_stage("english", phrase=False)),
]
_BY_MATCH = dict(_VI_STAGES)
# The English screen: each English tier just before its Vietnamese twin.
_EN_STAGES: list[tuple[str, Stage]] = [
    (match, _BY_MATCH[match])
    for match in (
        "code",
        "english_name",
        "name",
        "english_prefix",
        "name_prefix",
        "keyword",
        "code_partial",
        "english_phrase",
        "name_phrase",
        "keyword_phrase",
        "english_words",
        "name_words",
        "keyword_words",
        "field",
        "words",
    )
]

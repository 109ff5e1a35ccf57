"""Procedure search for the lookup kiosk: as-you-type, without diacritics, by code, with typos.

The citizen's text is folded and cut into words (kiosk/catalogue/folding.py) and only those
words, each quoted, ever reach FTS5's MATCH: quotes, *, -, NEAR, AND and parentheses are
characters to a citizen, never query syntax, so no input can raise.

Results come in tiers, each a cheap query that stops the search once `limit` hits are found:

    exact code > exact name > name starts with the query > a keyword is the query
    > part of a code > the words as a phrase in the name > … in the keywords
    > all words in the name > … in the keywords > … in the field's name > words spread over
    name, keywords, code and field > (only when all that found nothing) misspelt words corrected

Within a name tier shorter names come first (they say least besides what was asked); within
the others bm25, which weighs the name highest. A hit's score is its tier (11 for an exact
code down to 0 for a corrected typo) plus a fraction in [0, 1) for its place within the tier,
so scores fall as the list goes down. docs/catalogue.md explains the choices.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from kiosk.catalogue.folding import fold_vietnamese, search_tokens
from kiosk.catalogue.typos import Slot, corrections

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 20
MAX_LIMIT = 500
# Longer input is not a search a citizen types; cutting it keeps every query cheap.
MAX_QUERY_CHARS = 200
MAX_WORDS = 12
# bm25 weights of catalogue_fts's columns: name, keywords, code, field.
_WEIGHTS = "10.0, 5.0, 2.0, 1.0"
_CODE_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyz.-_")
_LAST_CHAR = "\U0010ffff"


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


@dataclass(frozen=True)
class Query:
    """A citizen's input made safe: folded words, and the code it might be."""

    words: tuple[str, ...]
    # The last word is still being typed (no space after it yet): match it as a prefix.
    typing_last: bool
    code: str | None

    @property
    def text(self) -> str:
        return " ".join(self.words)


def parse_query(query: str) -> Query:
    """Fold and cut the input; never raises, whatever the text."""
    raw = query[:MAX_QUERY_CHARS]
    words = tuple(search_tokens(raw)[:MAX_WORDS])
    folded = fold_vietnamese(raw)
    looks_like_code = folded != "" and set(folded) <= _CODE_CHARS and any(c.isdigit() for c in folded)
    return Query(words, bool(raw) and not raw[-1].isspace(), folded if looks_like_code else None)


def search(db: sqlite3.Connection, query: str, limit: int = DEFAULT_LIMIT) -> list[SearchHit]:
    """Procedures matching `query`, best first, at most `limit`. Never raises: a database
    fault is logged and answered with no hits, so the lookup screen stays up."""
    if not isinstance(query, str) or limit < 1:
        return []
    try:
        with _snapshot(db):
            return _search(db, parse_query(query), min(limit, MAX_LIMIT))
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


def _search(db: sqlite3.Connection, q: Query, limit: int) -> list[SearchHit]:
    if not q.words and q.code is None:
        return []
    found: dict[int, tuple[float, str]] = {}
    for tier, (match, stage) in zip(range(len(_STAGES), 0, -1), _STAGES, strict=True):
        _collect(found, stage(db, q, limit + len(found)), tier, match, limit)
        if len(found) >= limit:
            break
    if not found:
        _collect(found, _corrected_words(db, q, limit), 0, "typo", limit)
    return _hits(db, found)


def _collect(
    found: dict[int, tuple[float, str]],
    rows: list[tuple[int, float]],
    tier: int,
    match: str,
    limit: int,
) -> None:
    for pid, fraction in rows:
        if len(found) >= limit:
            return
        if pid not in found:
            found[pid] = (tier + min(max(fraction, 0.0), 0.999), match)


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
    for pid, (score, match) in found.items():
        _, code, name, name_en, field, field_name = by_id[pid]
        hits.append(SearchHit(code, name, name_en, field, field_name, round(score, 4), match))
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


def _corrected_words(db: sqlite3.Connection, q: Query, want: int) -> list[tuple[int, float]]:
    """The typo fallback: replace each unknown word by the known words nearest to it."""
    slots = corrections(db, q.words, typing_last=q.typing_last)
    if slots is None:
        return []
    return _fts(db, _match_slots(slots), want)


_STAGES: list[tuple[str, Stage]] = [
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
    ("words", _fts_stage(None, phrase=False)),
]

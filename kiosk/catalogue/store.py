"""The kiosk's copy of the procedure catalogue in SQLite: import, export, sync, browse.

Invariant 3: the catalogue is replaced atomically. Every change is validated whole before the
first write and then applied in one transaction, so a document that fails any rule, or a sync
answer that is truncated or inconsistent, leaves the current catalogue serving untouched.

Each procedure is stored with its folded search text (name_key, code_key, the catalogue_fts
row) computed here in Python, because SQLite cannot fold Đ (kiosk/catalogue/folding.py).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from kiosk.catalogue.folding import fold_vietnamese, vietnamese_sort_key
from kiosk.catalogue.index import SEARCH_INDEX_VERSION, index_text, write_search_rows
from kiosk.errors import CatalogueError, StoreError
from kiosk.protocol.catalogue_change import validate_change
from kiosk.protocol.catalogue_format import FORMAT, validate
from kiosk.store import now_utc, transaction


@dataclass(frozen=True)
class ImportCounts:
    """What an import changed: the versions before and after and how much it holds."""

    previous_version: int | None
    version: int
    fields: int
    procedures: int
    keywords: int


@dataclass(frozen=True)
class FieldCount:
    """A field (lĩnh vực) as the browse screen lists it."""

    id: str
    name: str
    count: int


@dataclass(frozen=True)
class ProcedureSummary:
    """One line of a field's procedure list."""

    code: str
    name: str
    name_en: str
    field: str
    level: str


def catalogue_version(db: sqlite3.Connection) -> int | None:
    """The version of the catalogue on this kiosk, or None before the first import."""
    row = db.execute("SELECT version FROM catalogue_meta WHERE id = 1").fetchone()
    return int(row[0]) if row else None


def import_catalogue(
    db: sqlite3.Connection,
    document: Mapping[str, Any],
    *,
    allow_older: bool = False,
    source: str = "import",
) -> ImportCounts:
    """Validate a kiosk-catalogue/1 document and replace the whole catalogue with it.

    Raises CatalogueError (with every problem) and changes nothing when the document breaks a
    rule, or when its version is older than the current one and `allow_older` is not set.
    """
    catalogue = validate(document)
    with _writing(db):
        previous = catalogue_version(db)
        if previous is not None and catalogue.version < previous and not allow_older:
            raise CatalogueError(
                "catalogue rejected: older than the current one",
                [("$.version", f"{catalogue.version} is older than the current {previous}")],
            )
        _clear_procedures(db)
        db.execute("DELETE FROM catalogue_field")
        _write_fields(db, catalogue.fields)
        _write_procedures(db, [(p, i) for i, p in enumerate(catalogue.procedures)], catalogue.synonyms)
        _set_meta(db, catalogue.version, catalogue.published_at, source, catalogue.synonyms)
    return ImportCounts(
        previous_version=previous,
        version=catalogue.version,
        fields=len(catalogue.fields),
        procedures=len(catalogue.procedures),
        keywords=sum(len(p["keywords"]) for p in catalogue.procedures),
    )


def apply_sync(db: sqlite3.Connection, response: Mapping[str, Any]) -> int:
    """Apply a GET /api/v1/catalogue answer and return the new catalogue version.

    A full answer replaces everything; a delta adds or updates its fields, upserts its
    procedures and deletes the codes listed (unknown codes are already gone). All of it is
    validated against the current catalogue first; on any problem CatalogueError is raised
    and nothing changes.
    """
    with _writing(db):
        known = {row[0] for row in db.execute("SELECT id FROM catalogue_field")}
        change = validate_change(response, current_version=catalogue_version(db), known_fields=known)
        # An answer that does not mention synonyms (a server from before them) keeps the table.
        synonyms = _synonyms(db) if change.synonyms is None else list(change.synonyms)
        if change.full:
            _clear_procedures(db)
            db.execute("DELETE FROM catalogue_field")
            _write_fields(db, change.fields)
            _write_procedures(db, [(p, i) for i, p in enumerate(change.upserts)], synonyms)
            published_at = ""
        else:
            procedures = _after_delta(db, change.upserts, change.deletes)
            _clear_procedures(db)
            _upsert_fields(db, change.fields)
            _write_procedures(db, procedures, synonyms)
            published_at = _published_at(db)
        _set_meta(db, change.version, published_at, "sync", synonyms)
    return change.version


def export_catalogue(db: sqlite3.Connection) -> dict[str, Any]:
    """The catalogue on this kiosk as a kiosk-catalogue/1 document, in its published order."""
    meta = db.execute("SELECT version, published_at FROM catalogue_meta WHERE id = 1").fetchone()
    if meta is None:
        raise CatalogueError("there is no catalogue on this kiosk yet; import one first")
    fields = [
        {"id": row[0], "name": row[1], "name_en": row[2]}
        for row in db.execute("SELECT id, name, name_en FROM catalogue_field ORDER BY position")
    ]
    procedures = [
        json.loads(row[0]) for row in db.execute("SELECT document FROM catalogue_procedure ORDER BY position")
    ]
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": meta[0],
        "published_at": meta[1],
        "fields": fields,
        "procedures": procedures,
    }
    synonyms = _synonyms(db)
    if synonyms:
        document["synonyms"] = synonyms
    return document


def ensure_search_index(db: sqlite3.Connection) -> bool:
    """Rebuild the search rows from the stored procedures when they were written by an older
    kiosk (a migration that changed them leaves them empty); True when it rebuilt them. Cheap
    when they are current: one read."""
    if not _index_stale(db):
        return False
    with _writing(db):
        if not _index_stale(db):
            return False  # the other process got there first
        procedures = _after_delta(db, [], [])
        _clear_procedures(db)
        _write_procedures(db, procedures, _synonyms(db))
        db.execute("UPDATE catalogue_meta SET search_index = ? WHERE id = 1", [SEARCH_INDEX_VERSION])
    return True


def _index_stale(db: sqlite3.Connection) -> bool:
    row = db.execute("SELECT search_index FROM catalogue_meta WHERE id = 1").fetchone()
    return row is not None and int(row[0]) < SEARCH_INDEX_VERSION


def _synonyms(db: sqlite3.Connection) -> list[dict[str, Any]]:
    row = db.execute("SELECT synonyms FROM catalogue_meta WHERE id = 1").fetchone()
    return list(json.loads(row[0])) if row else []


def get_procedure(db: sqlite3.Connection, code: str) -> dict[str, Any] | None:
    """The Procedure object (CATALOGUE.md, every key present) for a code, or None.

    The exact code is tried first, then the code ignoring case and spacing around it."""
    row = db.execute("SELECT document FROM catalogue_procedure WHERE code = ?", [code]).fetchone()
    if row is None:
        row = db.execute(
            "SELECT document FROM catalogue_procedure WHERE code_key = ? ORDER BY position",
            [fold_vietnamese(code)],
        ).fetchone()
    return json.loads(row[0]) if row else None


def get_field(db: sqlite3.Connection, field_id: str) -> dict[str, str] | None:
    """The Field object for an id, or None."""
    row = db.execute("SELECT id, name, name_en FROM catalogue_field WHERE id = ?", [field_id]).fetchone()
    return {"id": row[0], "name": row[1], "name_en": row[2]} if row else None


def fields_with_counts(db: sqlite3.Connection, language: str = "vi") -> list[FieldCount]:
    """Fields that hold at least one procedure, named in `language` ("vi" or "en"; English
    falls back to Vietnamese where a field has no English name), in Vietnamese order."""
    rows = db.execute(
        "SELECT f.id, f.name, f.name_en, count(*) FROM catalogue_field f "
        "JOIN catalogue_procedure p ON p.field = f.id GROUP BY f.id ORDER BY f.sort_key"
    ).fetchall()
    fields = [
        FieldCount(id, (name_en or name) if language == "en" else name, count)
        for id, name, name_en, count in rows
    ]
    if language == "en":
        fields.sort(key=lambda f: vietnamese_sort_key(f.name))
    return fields


def procedures_in_field(db: sqlite3.Connection, field_id: str) -> list[ProcedureSummary]:
    """The procedures of one field in Vietnamese order of their names."""
    rows = db.execute(
        "SELECT code, name, name_en, field, level FROM catalogue_procedure WHERE field = ? ORDER BY sort_key",
        [field_id],
    )
    return [ProcedureSummary(*row) for row in rows]


@contextmanager
def _writing(db: sqlite3.Connection) -> Iterator[None]:
    """One write transaction; a database fault (disk full, I/O error) rolls all of it back and
    is raised as StoreError, so callers see the kiosk's own errors only."""
    try:
        with transaction(db):
            yield
    except sqlite3.Error as exc:
        raise StoreError(f"the catalogue was not changed: the database failed: {exc}") from exc


def _clear_procedures(db: sqlite3.Connection) -> None:
    for table in ("catalogue_fts", "catalogue_keyword", "catalogue_synonym", "catalogue_procedure"):
        db.execute(f"DELETE FROM {table}")


def _write_fields(db: sqlite3.Connection, fields: Iterable[Mapping[str, Any]]) -> None:
    db.executemany(
        "INSERT INTO catalogue_field (id, name, name_en, position, sort_key) VALUES (?, ?, ?, ?, ?)",
        [(f["id"], f["name"], f["name_en"], i, vietnamese_sort_key(f["name"])) for i, f in enumerate(fields)],
    )


def _upsert_fields(db: sqlite3.Connection, fields: Iterable[Mapping[str, Any]]) -> None:
    """Add new fields after the others and rename known ones."""
    for f in fields:
        db.execute(
            "INSERT INTO catalogue_field (id, name, name_en, position, sort_key) "
            "VALUES (?, ?, ?, (SELECT coalesce(max(position) + 1, 0) FROM catalogue_field), ?) "
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, "
            "sort_key = excluded.sort_key",
            [f["id"], f["name"], f["name_en"], vietnamese_sort_key(f["name"])],
        )


def _after_delta(
    db: sqlite3.Connection, upserts: Iterable[Mapping[str, Any]], deletes: Iterable[str]
) -> list[tuple[Mapping[str, Any], int]]:
    """Every procedure with its published position once a delta is applied: an updated one
    keeps its place, a new one goes after the last."""
    rows = db.execute("SELECT code, position, document FROM catalogue_procedure").fetchall()
    current: dict[str, tuple[Mapping[str, Any], int]] = {
        code: (json.loads(document), position) for code, position, document in rows
    }
    for code in deletes:
        current.pop(code, None)
    next_free = max((position for _, position in current.values()), default=-1) + 1
    for procedure in upserts:
        if procedure["code"] in current:
            current[procedure["code"]] = (procedure, current[procedure["code"]][1])
        else:
            current[procedure["code"]] = (procedure, next_free)
            next_free += 1
    return list(current.values())


@dataclass(frozen=True)
class _Row:
    """A procedure ready to store: its published position and its folded name."""

    procedure: Mapping[str, Any]
    position: int
    name_key: str
    sort_key: str


def _write_procedures(
    db: sqlite3.Connection,
    procedures: list[tuple[Mapping[str, Any], int]],
    synonyms: Sequence[Mapping[str, Any]] = (),
) -> None:
    """Write the procedures (each with its position) and their search rows into cleared tables.

    Ids are given in search order, shortest folded name first and then Vietnamese order, so
    the name stages of search read FTS5 matches in rowid order and stop after `limit` rows
    instead of sorting every match (kiosk/catalogue/search.py). A delta therefore rewrites them all,
    which costs about what an import does and keeps one way of writing."""
    rows = [
        _Row(p, position, index_text(p["name"]), vietnamese_sort_key(p["name"])) for p, position in procedures
    ]
    rows.sort(key=lambda row: (len(row.name_key), row.sort_key))
    numbered = list(enumerate(rows, start=1))
    db.executemany(
        "INSERT INTO catalogue_procedure (id, code, name, name_en, field, level, position, "
        "name_key, code_key, sort_key, document, name_en_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [_procedure_values(pid, row) for pid, row in numbered],
    )
    write_search_rows(db, [(pid, row.procedure) for pid, row in numbered], synonyms)


def _procedure_values(pid: int, row: _Row) -> tuple[Any, ...]:
    p = row.procedure
    return (
        pid,
        p["code"],
        p["name"],
        p["name_en"],
        p["field"],
        p["level"],
        row.position,
        row.name_key,
        fold_vietnamese(p["code"]),
        row.sort_key,
        json.dumps(p, ensure_ascii=False),
        index_text(p["name_en"]),
    )


def _set_meta(
    db: sqlite3.Connection,
    version: int,
    published_at: str,
    source: str,
    synonyms: Sequence[Mapping[str, Any]],
) -> None:
    db.execute(
        "INSERT INTO catalogue_meta (id, version, published_at, changed_at, source, search_index, "
        "synonyms) VALUES (1, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
        "version = excluded.version, published_at = excluded.published_at, "
        "changed_at = excluded.changed_at, source = excluded.source, "
        "search_index = excluded.search_index, synonyms = excluded.synonyms",
        [
            version,
            published_at,
            now_utc(),
            source,
            SEARCH_INDEX_VERSION,
            json.dumps(list(synonyms), ensure_ascii=False),
        ],
    )


def _published_at(db: sqlite3.Connection) -> str:
    row = db.execute("SELECT published_at FROM catalogue_meta WHERE id = 1").fetchone()
    return str(row[0]) if row else ""

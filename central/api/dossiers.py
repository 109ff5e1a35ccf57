"""Dossier status: the adapter seam between GET /dossiers/{code} and wherever a province keeps
its dossiers.

A `DossierSource` answers one question, `lookup(code)`, with a `DossierRecord` holding the full
applicant name, or None. The default source reads the records imported with
`kiosk-central dossiers import FILE` (JSON or CSV). A province that runs its own dossier system
(a "một cửa điện tử" database, a web service) writes a class with the same method and starts
the server with `--dossier-source package.module:factory`; the endpoint, the masking of personal
data and the kiosk stay as they are. Masking happens here, after the source answered, so no
adapter can leak more than the protocol allows."""

from __future__ import annotations

import csv
import importlib
import io
import json
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, get_args

from central.store.contract import CentralStore
from kiosk.protocol.dossiers import DossierStatus

STATUSES: tuple[str, ...] = get_args(DossierStatus)  # one list, the protocol's
FINISHED = frozenset({"ready", "returned", "rejected"})
COLUMNS = ("code", "procedure", "applicant", "received_at", "due_at", "status")


class DossierImportError(ValueError):
    """A dossier file that cannot be imported; `errors` lists (record, problem)."""

    def __init__(self, message: str, errors: list[tuple[str, str]]) -> None:
        super().__init__(message)
        self.errors = errors


@dataclass(frozen=True)
class DossierRecord:
    code: str
    procedure: str
    applicant: str  # full name: masked before it leaves the server
    received_at: str
    due_at: str | None
    status: str
    late: bool | None = None  # None: work it out from due_at


class DossierSource(Protocol):
    """Where dossier statuses come from. `lookup` is called from a worker thread; it should
    answer within a few seconds, since a citizen is waiting at the kiosk."""

    def lookup(self, code: str) -> DossierRecord | None: ...


class ImportedDossiers:
    """The default source: records imported from a file into the server's store."""

    def __init__(self, store: CentralStore) -> None:
        self.store = store

    def lookup(self, code: str) -> DossierRecord | None:
        record = self.store.get_dossier(normalise_code(code))
        return DossierRecord(**record) if record else None


def load_source(spec: str, store: CentralStore) -> DossierSource:
    """`package.module:factory`, where factory(store) returns a DossierSource."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ValueError(f"dossier source {spec!r} must look like package.module:factory")
    factory = getattr(importlib.import_module(module_name), attr)
    source: DossierSource = factory(store)
    return source


def normalise_code(code: str) -> str:
    return unicodedata.normalize("NFC", code).strip().upper()


def mask_name(name: str) -> str:
    """'Nguyễn Văn An' → 'Nguyễn V*** A': the family name, then initials only."""
    words = unicodedata.normalize("NFC", name).split()
    if not words:
        return ""
    if len(words) == 1:
        return words[0][0] + "***"
    middle = [w[0] + "***" for w in words[1:-1]]
    return " ".join([words[0], *middle, words[-1][0]])


def public_view(record: DossierRecord, now: datetime) -> dict[str, Any]:
    """What the kiosk may show: the applicant masked, lateness worked out."""
    late = record.late
    if late is None:
        late = record.status not in FINISHED and _past(record.due_at, now)
    return {
        "code": record.code,
        "procedure": record.procedure,
        "applicant": mask_name(record.applicant),
        "received_at": record.received_at,
        "due_at": record.due_at,
        "status": record.status,
        "late": late,
    }


def _past(due_at: str | None, now: datetime) -> bool:
    if not due_at:
        return False
    try:
        due = datetime.fromisoformat(due_at)
    except ValueError:
        return False
    if due.tzinfo is None:
        due = due.replace(tzinfo=now.tzinfo)
    return due < now


def read_file(path: Path) -> list[dict[str, Any]]:
    """Rows of a dossier file: a JSON list (or {"dossiers": [...]}) or a CSV with a header."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        return [dict(row) for row in csv.DictReader(io.StringIO(text))]
    data = json.loads(text)
    rows = data.get("dossiers") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise DossierImportError(f"{path}: expected a list of dossiers", [])
    return rows


def check_rows(rows: list[Any]) -> dict[str, dict[str, Any]]:
    """Records by code, every string NFC; `DossierImportError` lists every bad row."""
    records: dict[str, dict[str, Any]] = {}
    errors: list[tuple[str, str]] = []
    for i, row in enumerate(rows):
        where = f"row {i + 1}"
        if not isinstance(row, dict):
            errors.append((where, "must be an object"))
            continue
        row = {k: unicodedata.normalize("NFC", v) if isinstance(v, str) else v for k, v in row.items()}
        missing = [
            c for c in COLUMNS if c != "due_at" and not (isinstance(row.get(c), str) and row[c].strip())
        ]
        if missing:
            errors.append((where, f"missing {', '.join(missing)}"))
            continue
        if row["status"] not in STATUSES:
            errors.append((where, f"status {row['status']!r} is not one of {', '.join(STATUSES)}"))
            continue
        late = row.get("late")
        if isinstance(late, str):
            late = {"true": True, "1": True, "false": False, "0": False}.get(late.strip().lower())
        code = normalise_code(row["code"])
        records[code] = {
            "code": code,
            "procedure": row["procedure"],
            "applicant": row["applicant"],
            "received_at": row["received_at"],
            "due_at": row.get("due_at") or None,
            "status": row["status"],
            "late": late if isinstance(late, bool) else None,
        }
    if errors:
        raise DossierImportError(f"{len(errors)} dossier(s) cannot be imported", errors)
    return records

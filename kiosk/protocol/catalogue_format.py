"""The procedure catalogue format (`kiosk-catalogue/1`, CATALOGUE.md) and its validator.

Pure: no database, no Kivy, so the central server checks what it publishes with the same rules
the kiosk applies when it imports. Validation is all or nothing and lists every problem with its
JSON path; what it returns is normalised (NFC text, every optional key present with its empty
value), which is also the shape the kiosk stores and the screens read.

This module walks a document (lists, duplicates, cross references, versions) and returns its
records; the rules for each object's keys and values are kiosk/protocol/catalogue_rules.py.
The store (import, export, sync, browse) is kiosk/catalogue/store.py; search is kiosk/catalogue/search.py.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kiosk.protocol.catalogue_rules import (
    CHANGE,
    CHANNELS,
    DOCUMENT,
    FIELD,
    FORMAT,
    LEVELS,
    PROCEDURE,
    Errors,
    check_object,
    list_items,
)
from kiosk.protocol.errors import CatalogueError

__all__ = [
    "CHANNELS",
    "FORMAT",
    "LEVELS",
    "Catalogue",
    "CatalogueChange",
    "parse_document",
    "validate",
    "validate_change",
    "validate_fields",
    "validate_procedures",
]


@dataclass(frozen=True)
class Catalogue:
    """A validated catalogue: NFC text, every optional key present, order as published."""

    version: int
    published_at: str
    fields: tuple[dict[str, Any], ...]
    procedures: tuple[dict[str, Any], ...]

    def to_document(self) -> dict[str, Any]:
        """The kiosk-catalogue/1 document for this catalogue."""
        return {
            "format": FORMAT,
            "version": self.version,
            "published_at": self.published_at,
            "fields": [dict(f) for f in self.fields],
            "procedures": [dict(p) for p in self.procedures],
        }


def parse_document(data: bytes | str) -> Any:
    """Parse JSON text (UTF-8, a BOM allowed); CatalogueError at "$" when it is not JSON."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        return json.loads(text, parse_constant=_reject_constant)
    except UnicodeDecodeError as exc:
        raise _rejected([("$", f"is not UTF-8 text: {exc.reason} at byte {exc.start}")]) from exc
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise _rejected([("$", f"is not valid JSON: {exc.msg} at {where}")]) from exc
    except ValueError as exc:
        raise _rejected([("$", f"is not valid JSON: {exc}")]) from exc
    except RecursionError as exc:
        raise _rejected([("$", "is nested too deeply to be a catalogue")]) from exc


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def validate(document: Mapping[str, Any]) -> Catalogue:
    """Check a whole kiosk-catalogue/1 document; raise CatalogueError listing every problem."""
    errors: Errors = []
    top = check_object(document, "$", DOCUMENT, errors)
    if top is None:
        raise _rejected(errors)
    fields = validate_fields(document.get("fields"), "$.fields", errors, at_least_one=True)
    known = {f["id"] for f in fields}
    procedures = validate_procedures(
        document.get("procedures"), "$.procedures", known, errors, at_least_one=True
    )
    if errors:
        raise _rejected(errors)
    return Catalogue(top["version"], top["published_at"], tuple(fields), tuple(procedures))


def validate_fields(
    items: Any, path: str, errors: Errors, *, at_least_one: bool = False
) -> list[dict[str, Any]]:
    """Normalise a list of Field objects, appending (path, problem) for each fault to `errors`."""
    fields: list[dict[str, Any]] = []
    first_seen: dict[str, str] = {}
    for item_path, item in list_items(items, path, errors, at_least_one, "field"):
        field = check_object(item, item_path, FIELD, errors)
        if field is None or field["id"] is None:
            continue
        if field["id"] in first_seen:
            errors.append((f"{item_path}.id", f"duplicate of {first_seen[field['id']]}.id"))
            continue
        first_seen[field["id"]] = item_path
        fields.append(field)
    return fields


def validate_procedures(
    items: Any, path: str, field_ids: set[str], errors: Errors, *, at_least_one: bool = False
) -> list[dict[str, Any]]:
    """Normalise a list of Procedure objects whose `field` must be one of `field_ids`."""
    procedures: list[dict[str, Any]] = []
    first_seen: dict[str, str] = {}
    for item_path, item in list_items(items, path, errors, at_least_one, "procedure"):
        procedure = check_object(item, item_path, PROCEDURE, errors)
        if procedure is None:
            continue
        field = procedure["field"]
        if field is not None and field not in field_ids:
            errors.append((f"{item_path}.field", f"no field has the id {field!r}"))
        code = procedure["code"]
        if code in first_seen:
            errors.append((f"{item_path}.code", f"duplicate of {first_seen[code]}.code"))
            continue
        if code is not None:
            first_seen[code] = item_path
            procedures.append(procedure)
    return procedures


@dataclass(frozen=True)
class CatalogueChange:
    """A validated GET /api/v1/catalogue answer (PROTOCOL.md): all of it, or a delta."""

    version: int
    full: bool
    fields: tuple[dict[str, Any], ...]
    upserts: tuple[dict[str, Any], ...]
    deletes: tuple[str, ...]


def validate_change(
    response: Mapping[str, Any], *, current_version: int | None, known_fields: set[str]
) -> CatalogueChange:
    """Check a sync answer against the catalogue it will change; raise listing every problem.

    A full answer must be a whole valid catalogue. A delta needs a catalogue to apply to; its
    `fields` are added or updated (fields are never removed by a delta) and every upserted
    procedure's field must exist afterwards. Either way the version must grow.
    """
    errors: Errors = []
    if isinstance(response, Mapping):
        # The envelope may grow (PROTOCOL.md); keys it does not know are not this kiosk's concern.
        response = {key: value for key, value in response.items() if key in CHANGE}
    top = check_object(response, "$", CHANGE, errors)
    if top is None:
        raise _rejected(errors)
    full = bool(top["full"])
    fields = validate_fields(response.get("fields"), "$.fields", errors, at_least_one=full)
    field_ids = {f["id"] for f in fields} | (set() if full else known_fields)
    upserts = validate_procedures(response.get("upserts"), "$.upserts", field_ids, errors, at_least_one=full)
    deletes = [] if full else (top["deletes"] or [])
    upserted = {p["code"] for p in upserts}
    for i, code in enumerate(deletes):
        if code in upserted:
            errors.append((f"$.deletes[{i}]", f"{code!r} is also in $.upserts"))
    version = top["version"]
    if not full and current_version is None:
        errors.append(("$.full", "a delta needs a catalogue to apply to; ask for all of it"))
    elif version is not None and current_version is not None and version <= current_version:
        errors.append(("$.version", f"must be newer than the current {current_version}"))
    if errors:
        raise _rejected(errors)
    return CatalogueChange(version, full, tuple(fields), tuple(upserts), tuple(deletes))


def _rejected(errors: Errors) -> CatalogueError:
    noun = "problem" if len(errors) == 1 else "problems"
    return CatalogueError(f"catalogue rejected: {len(errors)} {noun}", errors)

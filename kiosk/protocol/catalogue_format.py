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
    CHANNELS,
    DOCUMENT,
    FIELD,
    FORMAT,
    LEVELS,
    PROCEDURE,
    SYNONYM,
    Errors,
    check_object,
    list_items,
)
from kiosk.protocol.catalogue_synonyms import validate_synonyms
from kiosk.protocol.errors import CatalogueError

__all__ = [
    "CHANNELS",
    "FORMAT",
    "LEVELS",
    "Catalogue",
    "parse_document",
    "validate",
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
    synonyms: tuple[dict[str, Any], ...] = ()

    def to_document(self) -> dict[str, Any]:
        """The kiosk-catalogue/1 document for this catalogue (`synonyms` only when there are
        some, so a catalogue without them reads as it always did)."""
        document = {
            "format": FORMAT,
            "version": self.version,
            "published_at": self.published_at,
            "fields": [dict(f) for f in self.fields],
            "procedures": [dict(p) for p in self.procedures],
        }
        if self.synonyms:
            document["synonyms"] = [dict(s) for s in self.synonyms]
        return document


def parse_document(data: bytes | str) -> Any:
    """Parse JSON text (UTF-8, a BOM allowed); CatalogueError at "$" when it is not JSON."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        return json.loads(text, parse_constant=_reject_constant)
    except UnicodeDecodeError as exc:
        raise rejected([("$", f"is not UTF-8 text: {exc.reason} at byte {exc.start}")]) from exc
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise rejected([("$", f"is not valid JSON: {exc.msg} at {where}")]) from exc
    except ValueError as exc:
        raise rejected([("$", f"is not valid JSON: {exc}")]) from exc
    except RecursionError as exc:
        raise rejected([("$", "is nested too deeply to be a catalogue")]) from exc


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def validate(document: Mapping[str, Any]) -> Catalogue:
    """Check a whole kiosk-catalogue/1 document; raise CatalogueError listing every problem."""
    errors: Errors = []
    top = check_object(document, "$", DOCUMENT, errors)
    if top is None:
        raise rejected(errors)
    fields = validate_fields(document.get("fields"), "$.fields", errors, at_least_one=True)
    known = {f["id"] for f in fields}
    procedures = validate_procedures(
        document.get("procedures"), "$.procedures", known, errors, at_least_one=True
    )
    codes = {p["code"] for p in procedures}
    synonyms = validate_synonyms(document.get("synonyms"), "$.synonyms", codes, errors, synonym_entry)
    if errors:
        raise rejected(errors)
    return Catalogue(top["version"], top["published_at"], tuple(fields), tuple(procedures), tuple(synonyms))


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
            if not procedure["keywords_en"]:
                # Newer than the rest: left out when empty, so catalogues without it stay
                # byte-identical and kiosks from before it still accept them.
                del procedure["keywords_en"]
            procedures.append(procedure)
    return procedures


def synonym_entry(value: Any, path: str, errors: Errors) -> dict[str, Any] | None:
    """One entry of the synonyms table, checked with the format's rules."""
    return check_object(value, path, SYNONYM, errors)


def rejected(errors: Errors) -> CatalogueError:
    noun = "problem" if len(errors) == 1 else "problems"
    return CatalogueError(f"catalogue rejected: {len(errors)} {noun}", errors)

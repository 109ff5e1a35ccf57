"""Sync answers (GET /api/v1/catalogue, PROTOCOL.md): a whole catalogue or a delta, checked
against the catalogue on the kiosk with the rules of kiosk/protocol/catalogue_format.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kiosk.protocol.catalogue_format import rejected, synonym_entry, validate_fields, validate_procedures
from kiosk.protocol.catalogue_rules import CHANGE, Errors, check_object
from kiosk.protocol.catalogue_synonyms import validate_synonyms


@dataclass(frozen=True)
class CatalogueChange:
    """A validated GET /api/v1/catalogue answer (PROTOCOL.md): all of it, or a delta."""

    version: int
    full: bool
    fields: tuple[dict[str, Any], ...]
    upserts: tuple[dict[str, Any], ...]
    deletes: tuple[str, ...]
    # None: the answer does not say (a server from before synonyms); keep the kiosk's table.
    synonyms: tuple[dict[str, Any], ...] | None = None


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
        raise rejected(errors)
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
    synonyms = None
    if response.get("synonyms") is not None:
        synonyms = tuple(validate_synonyms(response["synonyms"], "$.synonyms", None, errors, synonym_entry))
    if errors:
        raise rejected(errors)
    return CatalogueChange(version, full, tuple(fields), tuple(upserts), tuple(deletes), synonyms)

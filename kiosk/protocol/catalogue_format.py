"""The procedure catalogue format (`kiosk-catalogue/1`, CATALOGUE.md) and its validator.

Pure: no database, no Kivy, so the central server checks what it publishes with the same rules
the kiosk applies when it imports. Validation is all or nothing and lists every problem with its
JSON path; what it returns is normalised (NFC text, every optional key present with its empty
value), which is also the shape the kiosk stores and the screens read.

The store (import, export, sync, browse) is kiosk/catalogue/store.py; search is kiosk/catalogue/search.py.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from kiosk.catalogue.folding import nfc
from kiosk.errors import CatalogueError
from kiosk.protocol.catalogue_synonyms import validate_synonyms

FORMAT = "kiosk-catalogue/1"
LEVELS = ("trung-uong", "tinh", "huyen", "xa")
CHANNELS = ("truc-tiep", "truc-tuyen", "buu-chinh")

_IDENTIFIER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$")
# C0/C1 controls have no place in text shown on a kiosk; newlines and tabs do in long text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"[\t\n]")

Errors = list[tuple[str, str]]
Check = Callable[[Any, str, Errors], Any]
_REQUIRED = object()


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
    top = _object(document, "$", _DOCUMENT, errors)
    if top is None:
        raise _rejected(errors)
    fields = validate_fields(document.get("fields"), "$.fields", errors, at_least_one=True)
    known = {f["id"] for f in fields}
    procedures = validate_procedures(
        document.get("procedures"), "$.procedures", known, errors, at_least_one=True
    )
    codes = {p["code"] for p in procedures}
    synonyms = validate_synonyms(document.get("synonyms"), "$.synonyms", codes, errors, _synonym)
    if errors:
        raise _rejected(errors)
    return Catalogue(top["version"], top["published_at"], tuple(fields), tuple(procedures), tuple(synonyms))


def validate_fields(
    items: Any, path: str, errors: Errors, *, at_least_one: bool = False
) -> list[dict[str, Any]]:
    """Normalise a list of Field objects, appending (path, problem) for each fault to `errors`."""
    fields: list[dict[str, Any]] = []
    first_seen: dict[str, str] = {}
    for item_path, item in _items(items, path, errors, at_least_one, "field"):
        field = _object(item, item_path, _FIELD, errors)
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
    for item_path, item in _items(items, path, errors, at_least_one, "procedure"):
        procedure = _object(item, item_path, _PROCEDURE, errors)
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


def _rejected(errors: Errors) -> CatalogueError:
    noun = "problem" if len(errors) == 1 else "problems"
    return CatalogueError(f"catalogue rejected: {len(errors)} {noun}", errors)


def _items(items: Any, path: str, errors: Errors, at_least_one: bool, noun: str) -> list[tuple[str, Any]]:
    if not isinstance(items, list):
        if items is not None:  # a missing list is reported by the object's own check
            errors.append((path, "must be a list"))
        return []
    if at_least_one and not items:
        errors.append((path, f"must list at least one {noun}"))
    return [(f"{path}[{i}]", item) for i, item in enumerate(items)]


def _object(
    value: Any, path: str, spec: Mapping[str, tuple[Check, Any]], errors: Errors
) -> dict[str, Any] | None:
    """Check one JSON object against `spec` (key → (check, default or _REQUIRED))."""
    if not isinstance(value, Mapping):
        errors.append((path, "must be an object"))
        return None
    unknown = [key for key in value if key not in spec]
    for key in unknown:
        errors.append((_key_path(path, key), f"unknown key (allowed: {', '.join(spec)})"))
    out: dict[str, Any] = {}
    for key, (check, default) in spec.items():
        sub = _key_path(path, key)
        if value.get(key) is None:
            if default is _REQUIRED:
                errors.append((sub, "is required"))
            out[key] = None if default is _REQUIRED else _fresh(default)
            continue
        out[key] = check(value[key], sub, errors)
    return out


def _synonym(value: Any, path: str, errors: Errors) -> dict[str, Any] | None:
    return _object(value, path, _SYNONYM, errors)


def _key_path(path: str, key: Any) -> str:
    text = str(key)
    return f"{path}.{text}" if text.isascii() and text.isidentifier() else f"{path}[{text!r}]"


def _fresh(default: Any) -> Any:
    return list(default) if isinstance(default, list) else default


# Checks: each returns the normalised value, or None after appending the problem to `errors`.


def _text(*, blank_ok: bool = True, one_line: bool = False) -> Check:
    def check(value: Any, path: str, errors: Errors) -> str | None:
        if not isinstance(value, str):
            errors.append((path, "must be a string"))
            return None
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            errors.append((path, "is not valid Unicode (lone surrogate)"))
            return None
        text = nfc(value)
        if _CONTROL.search(text) or (one_line and _LINE_BREAK.search(text)):
            errors.append(
                (
                    path,
                    "must not contain control characters" + (" or line breaks" if one_line else ""),
                )
            )
            return None
        if not blank_ok and not text.strip():
            errors.append((path, "must not be empty"))
            return None
        return text

    return check


def _identifier(value: Any, path: str, errors: Errors) -> str | None:
    if not isinstance(value, str) or not _IDENTIFIER.match(value):
        errors.append(
            (path, "must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit")
        )
        return None
    return value


def _choice(options: tuple[str, ...]) -> Check:
    def check(value: Any, path: str, errors: Errors) -> str | None:
        if value not in options:
            errors.append((path, f"must be one of {', '.join(options)}; got {value!r}"))
            return None
        return str(value)

    return check


def _number(*, integer: bool) -> Check:
    def check(value: Any, path: str, errors: Errors) -> int | float | None:
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or not math.isfinite(value):
            errors.append((path, "must be a whole number" if integer else "must be a number"))
            return None
        if value < 0:
            errors.append((path, "must not be negative"))
            return None
        return value

    return check


def _url(value: Any, path: str, errors: Errors) -> str | None:
    text = _text(one_line=True)(value, path, errors)
    if not text:
        return text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        errors.append((path, "must be an http:// or https:// address"))
        return None
    return text


def _iso(kind: str) -> Check:
    def check(value: Any, path: str, errors: Errors) -> str | None:
        text = _text(one_line=True)(value, path, errors)
        if not text:
            return text
        try:
            date.fromisoformat(text) if kind == "date" and len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            example = "2026-10-01" if kind == "date" else "2026-11-01T00:00:00+07:00"
            errors.append((path, f"must be an ISO 8601 {kind} like {example}"))
            return None
        return text

    return check


def _list_of(check: Check) -> Check:
    def check_list(value: Any, path: str, errors: Errors) -> list[Any] | None:
        if not isinstance(value, list):
            errors.append((path, "must be a list"))
            return None
        return [check(item, f"{path}[{i}]", errors) for i, item in enumerate(value)]

    return check_list


def _objects(spec: Mapping[str, tuple[Check, Any]]) -> Check:
    return _list_of(lambda value, path, errors: _object(value, path, spec, errors))


def _version(value: Any, path: str, errors: Errors) -> int | None:
    return _number(integer=True)(value, path, errors)


def _format(value: Any, path: str, errors: Errors) -> str | None:
    if value != FORMAT:
        errors.append((path, f"must be {FORMAT!r}; got {value!r}"))
        return None
    return FORMAT


def _flag(value: Any, path: str, errors: Errors) -> bool | None:
    if not isinstance(value, bool):
        errors.append((path, "must be true or false"))
        return None
    return value


def _passed_on(value: Any, path: str, errors: Errors) -> Any:
    """Lists checked on their own by validate_fields / validate_procedures."""
    return None


_LINE = _text(one_line=True)
_NAME = _text(blank_ok=False, one_line=True)
_LONG_TEXT = _text()

_DOCUMENT: dict[str, tuple[Check, Any]] = {
    "format": (_format, _REQUIRED),
    "version": (_version, _REQUIRED),
    "published_at": (_iso("date and time"), ""),
    "fields": (_passed_on, _REQUIRED),
    "procedures": (_passed_on, _REQUIRED),
    "synonyms": (_passed_on, []),
}
_CHANGE: dict[str, tuple[Check, Any]] = {
    "version": (_version, _REQUIRED),
    "full": (_flag, _REQUIRED),
    "fields": (_passed_on, []),
    "upserts": (_passed_on, []),
    "deletes": (_list_of(_identifier), []),
    "synonyms": (_passed_on, None),
}
_FIELD: dict[str, tuple[Check, Any]] = {
    "id": (_identifier, _REQUIRED),
    "name": (_NAME, _REQUIRED),
    "name_en": (_LINE, ""),
}
_METHOD: dict[str, tuple[Check, Any]] = {
    "channel": (_choice(CHANNELS), _REQUIRED),
    "time": (_LINE, ""),
    "time_days": (_number(integer=False), None),
    "fee": (_LINE, ""),
    "fee_vnd": (_number(integer=True), None),
}
_PAPER: dict[str, tuple[Check, Any]] = {
    "name": (_NAME, _REQUIRED),
    "originals": (_number(integer=True), None),
    "copies": (_number(integer=True), None),
    "form_url": (_url, ""),
}
_PROCEDURE: dict[str, tuple[Check, Any]] = {
    "code": (_identifier, _REQUIRED),
    "name": (_NAME, _REQUIRED),
    "name_en": (_LINE, ""),
    "field": (_identifier, _REQUIRED),
    "level": (_choice(LEVELS), _REQUIRED),
    "agency": (_LINE, ""),
    "audience": (_list_of(_NAME), []),
    "methods": (_objects(_METHOD), []),
    "documents": (_objects(_PAPER), []),
    "steps": (_list_of(_text(blank_ok=False)), []),
    "requirements": (_LONG_TEXT, ""),
    "result": (_LONG_TEXT, ""),
    "legal_basis": (_list_of(_NAME), []),
    "online_url": (_url, ""),
    "keywords": (_list_of(_NAME), []),
    "keywords_en": (_list_of(_NAME), []),
    "updated_at": (_iso("date"), ""),
}
_SYNONYM: dict[str, tuple[Check, Any]] = {
    "term": (_NAME, _REQUIRED),
    "means": (_list_of(_NAME), []),
    "procedures": (_list_of(_identifier), []),
}

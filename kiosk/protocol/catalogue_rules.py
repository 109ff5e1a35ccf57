"""The field rules of the catalogue format (`kiosk-catalogue/1`, docs/catalogue.md): which keys
each object has, which are required, and how each value is checked and normalised (NFC text, no
control characters, identifiers, choices, numbers, addresses, ISO dates). Each check returns the
normalised value, or None after appending (json path, problem) to the errors list.

The document walk (lists of fields and procedures, duplicates, cross references, versions) and the
records it returns are kiosk/protocol/catalogue_format.py.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

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


def nfc(text: str) -> str:
    """The NFC form of `text` (as kiosk.catalogue.folding.nfc; the protocol imports no room)."""
    return unicodedata.normalize("NFC", text)


def list_items(items: Any, path: str, errors: Errors, at_least_one: bool, noun: str) -> list[tuple[str, Any]]:
    """(json path, item) for each item of a list of objects, or [] after noting why not."""
    if not isinstance(items, list):
        if items is not None:  # a missing list is reported by the object's own check
            errors.append((path, "must be a list"))
        return []
    if at_least_one and not items:
        errors.append((path, f"must list at least one {noun}"))
    return [(f"{path}[{i}]", item) for i, item in enumerate(items)]


def check_object(
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
    return _list_of(lambda value, path, errors: check_object(value, path, spec, errors))


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
    """Lists checked on their own by catalogue_format.validate_fields / validate_procedures."""
    return None


# What each object may hold: key → (check, default or _REQUIRED).
_LINE = _text(one_line=True)
_NAME = _text(blank_ok=False, one_line=True)
_LONG_TEXT = _text()

DOCUMENT: dict[str, tuple[Check, Any]] = {
    "format": (_format, _REQUIRED),
    "version": (_version, _REQUIRED),
    "published_at": (_iso("date and time"), ""),
    "fields": (_passed_on, _REQUIRED),
    "procedures": (_passed_on, _REQUIRED),
    "synonyms": (_passed_on, []),
}
CHANGE: dict[str, tuple[Check, Any]] = {
    "version": (_version, _REQUIRED),
    "full": (_flag, _REQUIRED),
    "fields": (_passed_on, []),
    "upserts": (_passed_on, []),
    "deletes": (_list_of(_identifier), []),
    "synonyms": (_passed_on, None),
}
FIELD: dict[str, tuple[Check, Any]] = {
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
PROCEDURE: dict[str, tuple[Check, Any]] = {
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
SYNONYM: dict[str, tuple[Check, Any]] = {
    "term": (_NAME, _REQUIRED),
    "means": (_list_of(_NAME), []),
    "procedures": (_list_of(_identifier), []),
}

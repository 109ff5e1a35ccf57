"""Publishing catalogues (../shared/CATALOGUE.md) and answering GET /catalogue with a full
catalogue or a delta since the kiosk's version.

The server checks the rules a delta needs (format, a growing integer version, unique codes,
each procedure's field and level) and normalises text to NFC. The kiosk validates each answer
in full before applying it. TODO(catalogue branch): once kiosk.catalogue is merged, the server
may run its `validate` here too, so operators see every rule broken at publish time."""

from __future__ import annotations

import gzip
import json
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from central.context import Central
from central.models import MAX_INT
from central.storage import CentralStore, PublishOutcome

FORMAT = "kiosk-catalogue/1"
LEVELS = frozenset({"trung-uong", "tinh", "xa", "huyen"})


@dataclass(frozen=True)
class PreparedCatalogue:
    version: int
    published_at: str
    fields_json: str
    procedures: dict[str, str]


def canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def nfc(value: Any) -> Any:
    """Every string in a JSON value, keys included, in NFC."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [nfc(v) for v in value]
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    return value


def check_document(doc: Any) -> list[tuple[str, str]]:
    """Every (json path, problem) that stops this document from being published."""
    if not isinstance(doc, dict):
        return [("$", "must be a JSON object")]
    problems: list[tuple[str, str]] = []
    if doc.get("format") != FORMAT:
        problems.append(("$.format", f"must be {FORMAT!r}"))
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 0 < version <= MAX_INT:
        problems.append(("$.version", "must be a positive whole number"))
    fields = doc.get("fields")
    field_ids = _check_fields(fields, problems)
    procedures = doc.get("procedures")
    if not isinstance(procedures, list):
        problems.append(("$.procedures", "must be a list"))
        return problems
    seen: set[str] = set()
    for i, proc in enumerate(procedures):
        _check_procedure(f"$.procedures[{i}]", proc, field_ids, seen, problems)
    return problems


def _check_fields(fields: Any, problems: list[tuple[str, str]]) -> set[str]:
    if not isinstance(fields, list):
        problems.append(("$.fields", "must be a list"))
        return set()
    ids: set[str] = set()
    for i, item in enumerate(fields):
        path = f"$.fields[{i}]"
        if not isinstance(item, dict):
            problems.append((path, "must be an object"))
            continue
        for key in ("id", "name"):
            if not _text(item.get(key)):
                problems.append((f"{path}.{key}", "is required and must be non-empty text"))
        if isinstance(item.get("id"), str):
            if item["id"] in ids:
                problems.append((f"{path}.id", f"{item['id']!r} is used twice"))
            ids.add(item["id"])
    return ids


def _check_procedure(
    path: str, proc: Any, field_ids: set[str], seen: set[str], problems: list[tuple[str, str]]
) -> None:
    if not isinstance(proc, dict):
        problems.append((path, "must be an object"))
        return
    for key in ("code", "name", "field", "level"):
        if not _text(proc.get(key)):
            problems.append((f"{path}.{key}", "is required and must be non-empty text"))
    code = proc.get("code")
    if isinstance(code, str) and _text(code):
        if code in seen:
            problems.append((f"{path}.code", f"{code!r} is used twice"))
        seen.add(code)
    if _text(proc.get("field")) and proc["field"] not in field_ids:
        problems.append((f"{path}.field", f"{proc['field']!r} is not the id of a field"))
    if _text(proc.get("level")) and proc["level"] not in LEVELS:
        problems.append((f"{path}.level", f"must be one of {', '.join(sorted(LEVELS))}"))


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def prepare(doc: dict[str, Any], published_at: str) -> PreparedCatalogue:
    """A checked document in the form the store keeps: canonical NFC JSON per procedure."""
    doc = nfc(doc)
    return PreparedCatalogue(
        version=doc["version"],
        published_at=str(doc.get("published_at") or published_at),
        fields_json=canonical(doc["fields"]),
        procedures={p["code"]: canonical(p) for p in doc["procedures"]},
    )


def etag_of(version: int) -> str:
    # Weak: a full answer and a delta for the same version are equivalent for the kiosk.
    return f'W/"catalogue-{version}"'


def answer_body(ctx: Central, since: int | None) -> tuple[bytes, int, bool] | None:
    """The encoded GET /catalogue answer, its version and whether it is full; None when nothing
    is published.

    A delta is sent when `since` is a version this server published; otherwise (no since, a
    version from another server, or one in the future) the answer is full."""
    head = ctx.store.catalogue_head()
    if head is None:
        return None
    if since is not None and since <= head.version and ctx.store.catalogue_has_version(since):
        changes = ctx.store.catalogue_changes(since)
        body = _encode(head.version, False, head.fields_json, changes.upserts, changes.deletes)
        return body, head.version, False
    cached = ctx.full_catalogue_cache.get(head.version)
    if cached is None:
        full = ctx.store.catalogue_changes(None)
        cached = _encode(head.version, True, head.fields_json, full.upserts, [])
        ctx.full_catalogue_cache.clear()
        ctx.full_catalogue_cache[head.version] = cached
    return cached, head.version, True


def _encode(
    version: int, full: bool, fields_json: str, upserts: list[str], deletes: list[str]
) -> bytes:
    # The bodies are stored encoded; joining them avoids decoding 6,000 procedures per request.
    return (
        f'{{"version":{version},"full":{"true" if full else "false"},"fields":{fields_json},'
        f'"upserts":[{",".join(upserts)}],"deletes":{canonical(deletes)}}}'
    ).encode()


def gzipped(ctx: Central, body: bytes, version: int, full: bool) -> bytes:
    """The answer compressed for the wire; full answers are compressed once per version."""
    if not full:
        return gzip.compress(body, compresslevel=6)
    key = -version  # negative keys hold the compressed form beside the plain one
    cached = ctx.full_catalogue_cache.get(key)
    if cached is None:
        cached = gzip.compress(body, compresslevel=6)
        ctx.full_catalogue_cache[key] = cached
    return cached


class InvalidCatalogue(ValueError):
    """A document that breaks the format's rules; `problems` lists (json path, problem)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        first = f"{problems[0][0]}: {problems[0][1]}" if problems else ""
        super().__init__(f"{len(problems)} problem(s); first: {first}")
        self.problems = problems


def publish(store: CentralStore, doc: Any, now: datetime) -> PublishOutcome:
    """Check and publish one document as a new version (`VersionConflict` if it does not grow)."""
    problems = check_document(doc)
    if problems:
        raise InvalidCatalogue(problems)
    prepared = prepare(doc, now.isoformat(timespec="seconds"))
    return store.publish_catalogue(
        prepared.version, prepared.published_at, prepared.fields_json, prepared.procedures
    )

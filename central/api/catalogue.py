"""Publishing catalogues (../shared/CATALOGUE.md) and answering GET /catalogue with a full
catalogue or a delta since the kiosk's version.

A document is checked on publish with the kiosk's own validator (kiosk.protocol.catalogue_format.validate, the
shared format's rules), so an operator sees every broken rule at once and no kiosk is ever sent
what it would refuse. What is stored and sent is the validator's normalised form (NFC text,
every optional key present) as canonical JSON, one body per procedure, in published order."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from central.context import Central
from central.store.contract import CatalogueHead, CentralStore, PublishOutcome
from kiosk.protocol.catalogue_format import validate
from kiosk.protocol.errors import CatalogueError


@dataclass(frozen=True)
class PreparedCatalogue:
    version: int
    published_at: str
    fields_json: str
    procedures: dict[str, str]  # code → canonical JSON, in published order
    synonyms_json: str = "[]"


class InvalidCatalogue(ValueError):
    """A document that breaks the format's rules; `problems` lists (json path, problem)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        first = f"{problems[0][0]}: {problems[0][1]}" if problems else ""
        super().__init__(f"{len(problems)} problem(s); first: {first}")
        self.problems = problems


def canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def prepare(doc: Any, published_at: str) -> PreparedCatalogue:
    """A document checked and normalised into the form the store keeps."""
    if not isinstance(doc, dict):
        raise InvalidCatalogue([("$", "must be a JSON object")])
    try:
        catalogue = validate(doc)
    except CatalogueError as exc:
        raise InvalidCatalogue(exc.errors or [("$", str(exc))]) from None
    return PreparedCatalogue(
        version=catalogue.version,
        published_at=catalogue.published_at or published_at,
        fields_json=canonical(list(catalogue.fields)),
        procedures={p["code"]: canonical(p) for p in catalogue.procedures},
        synonyms_json=canonical(list(catalogue.synonyms)),
    )


def publish(store: CentralStore, doc: Any, now: datetime) -> PublishOutcome:
    """Check and publish one document as a new version (`VersionConflict` if it does not grow)."""
    prepared = prepare(doc, now.isoformat(timespec="seconds"))
    return store.publish_catalogue(
        prepared.version,
        prepared.published_at,
        prepared.fields_json,
        prepared.procedures,
        prepared.synonyms_json,
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
        body = _encode(head, False, changes.upserts, changes.deletes)
        return body, head.version, False
    cached = ctx.full_catalogue_cache.get(head.version)
    if cached is None:
        full = ctx.store.catalogue_changes(None)
        cached = _encode(head, True, full.upserts, [])
        ctx.full_catalogue_cache.clear()
        ctx.full_catalogue_cache[head.version] = cached
    return cached, head.version, True


def _encode(head: CatalogueHead, full: bool, upserts: list[str], deletes: list[str]) -> bytes:
    # The bodies are stored encoded; joining them avoids decoding 6,000 procedures per request.
    # The synonyms table is small and always sent whole; kiosks from before it ignore the key.
    return (
        f'{{"version":{head.version},"full":{"true" if full else "false"},"fields":{head.fields_json},'
        f'"upserts":[{",".join(upserts)}],"deletes":{canonical(deletes)},"synonyms":{head.synonyms_json}}}'
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

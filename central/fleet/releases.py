"""Release manifests and files, served from the releases directory:

    RELEASES_DIR/1.4.3/manifest.json   the signed envelope {"manifest": {…}, "key_id", "signature"}
    RELEASES_DIR/1.4.3/kiosk-1.4.3-py3-none-any.whl   each file the manifest lists

Files support `Range: bytes=START-[END]` so an interrupted download resumes; only files the
manifest lists are served."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header
from fastapi.responses import StreamingResponse

from central.api.models import ErrorBody, SignedManifest
from central.auth import current_device
from central.context import Central, central
from central.errors import ApiError
from central.store.contract import Device
from kiosk.protocol.errors import UpdateError
from kiosk.protocol.release_manifest import version_key

log = logging.getLogger("central.fleet.releases")
router = APIRouter(prefix="/api/v1/releases", tags=["releases"])
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,200}$")
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 256 * 1024
_BEYOND = 10**18


def read_manifest(releases_dir: Path, version: str) -> dict[str, Any]:
    """The signed envelope of one release; ApiError 404 when there is none."""
    path = releases_dir / version / "manifest.json"
    if not _NAME.match(version) or not path.is_file():
        raise ApiError(404, "release_unknown", f"no release {version!r} on this server")
    try:
        envelope = json.loads(path.read_text(encoding="utf-8"))
        SignedManifest.model_validate(envelope)
    except ValueError as exc:
        log.error("release %s: %s is not a signed manifest: %s", version, path, exc)
        raise ApiError(503, "release_unavailable", f"release {version!r} is broken on the server") from None
    result: dict[str, Any] = envelope
    return result


def list_releases(releases_dir: Path) -> list[dict[str, Any]]:
    """Every release in the directory, newest first, with its signed envelope; a broken one is
    listed with its problem instead (an operator must see it, not find it missing)."""
    found: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    entries = sorted(releases_dir.iterdir()) if releases_dir.is_dir() else []
    for directory in entries:
        if not (directory / "manifest.json").is_file():
            continue
        view: dict[str, Any] = {"version": directory.name, "manifest": None, "key_id": None}
        view.update(signature=None, size=0, problem=None)
        try:
            envelope = read_manifest(releases_dir, directory.name)
            view.update(manifest=envelope["manifest"], key_id=envelope["key_id"])
            view["signature"] = envelope["signature"]
            files = envelope["manifest"].get("files", [])
            view["size"] = sum(f.get("size", 0) for f in files if isinstance(f, dict))
        except ApiError as exc:
            view["problem"] = exc.message
        found.append((_sort_key(directory.name), view))
    return [view for _, view in sorted(found, key=lambda pair: pair[0], reverse=True)]


def _sort_key(version: str) -> tuple[Any, ...]:
    try:
        return (1, version_key(version))
    except UpdateError:
        return (0, version)  # not a version kiosks could install: listed last


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) byte of one satisfiable range; None to send the whole file (no header, or
    one this server does not handle: several ranges, other units). 416 when past the end."""
    match = _RANGE.match(header.strip()) if header else None
    if not match or match.group(1) == match.group(2) == "":
        return None
    first_s, last_s = match.groups()
    if first_s == "":  # bytes=-N: the last N bytes
        suffix = _position(last_s)
        if suffix == 0:
            raise _unsatisfiable(size)
        return max(0, size - suffix), size - 1
    first = _position(first_s)
    last = min(_position(last_s), size - 1) if last_s else size - 1
    if first >= size or first > last:
        raise _unsatisfiable(size)
    return first, last


def _position(digits: str) -> int:
    """A byte position as sent; beyond any file's size when it has more than 18 digits (int()
    refuses strings over 4,300 digits, and no file is an exabyte)."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= 18 else _BEYOND


def _unsatisfiable(size: int) -> ApiError:
    return ApiError(
        416,
        "range_not_satisfiable",
        f"the file has {size} bytes",
        headers={"Content-Range": f"bytes */{size}"},
    )


def _read(path: Path, first: int, last: int) -> Iterator[bytes]:
    with open(path, "rb") as f:
        f.seek(first)
        left = last - first + 1
        while left > 0:
            chunk = f.read(min(CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody},
    404: {"model": ErrorBody},
    503: {"model": ErrorBody},
}


@router.get("/{version}/manifest", response_model=SignedManifest, responses=_ERRORS)
def get_manifest(
    version: str,
    ctx: Annotated[Central, Depends(central)],
    device: Annotated[Device, Depends(current_device)],
) -> dict[str, Any]:
    """The signed manifest of a release."""
    return read_manifest(ctx.releases_dir, version)


@router.get(
    "/{version}/files/{name}",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "the whole file"},
        206: {"content": {"application/octet-stream": {}}, "description": "the range asked for"},
        416: {"model": ErrorBody},
        **_ERRORS,
    },
)
def get_file(
    version: str,
    name: str,
    ctx: Annotated[Central, Depends(central)],
    device: Annotated[Device, Depends(current_device)],
    range: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """One file of a release; `Range` resumes an interrupted download."""
    manifest = read_manifest(ctx.releases_dir, version).get("manifest", {})
    listed = {f.get("name") for f in manifest.get("files", []) if isinstance(f, dict)}
    path = ctx.releases_dir / version / name
    if not _NAME.match(name) or name not in listed or not path.is_file():
        raise ApiError(404, "release_file_unknown", f"release {version!r} has no file {name!r}")
    size = path.stat().st_size
    span = parse_range(range, size) if size else None
    headers = {"Accept-Ranges": "bytes"}
    if span is None:
        headers["Content-Length"] = str(size)
        return StreamingResponse(
            _read(path, 0, size - 1), headers=headers, media_type="application/octet-stream"
        )
    first, last = span
    headers["Content-Length"] = str(last - first + 1)
    headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    return StreamingResponse(
        _read(path, first, last),
        status_code=206,
        headers=headers,
        media_type="application/octet-stream",
    )

"""Downloads of release files that resume after a break and never hang.

Each file goes to `NAME.part` and is renamed to `NAME` only once it has the signed size and
SHA-256. After a break (connection cut, read timeout, a transfer slower than `min_rate_bps`) the
next attempt asks for `Range: bytes=<part size>-` and appends, so only the rest is downloaded.
A server that ignores Range (200 instead of 206) makes the part start again from zero.

The HTTP seam is `HttpGet`: the agent passes its own client (auth header, CA file, base URL);
`session_get` adapts a `requests.Session`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urljoin

import requests
import urllib3

from kiosk.errors import UpdateError
from kiosk.protocol.release_manifest import file_sha256

CHUNK = 64 * 1024


class HttpGet(Protocol):
    def __call__(
        self, url: str, *, headers: Mapping[str, str], timeout: tuple[float, float]
    ) -> requests.Response:
        """GET `url` (absolute, or relative to the server) with streaming on."""
        ...


def session_get(
    session: requests.Session, base_url: str, headers: Mapping[str, str] | None = None
) -> HttpGet:
    """An HttpGet over `session` that resolves server-relative URLs against `base_url`."""
    fixed = dict(headers or {})

    def get(url: str, *, headers: Mapping[str, str], timeout: tuple[float, float]) -> requests.Response:
        return session.get(urljoin(base_url, url), headers={**fixed, **headers}, timeout=timeout, stream=True)

    return get


@dataclass(frozen=True)
class DownloadOptions:
    connect_timeout_s: float = 5.0
    # No byte for this long: the transfer is stalled; the attempt ends and the next one resumes.
    read_timeout_s: float = 20.0
    # A transfer slower than this over `rate_window_s` counts as stalled too (a trickle never
    # trips the read timeout but would hold the updater for hours).
    min_rate_bps: float = 2048.0
    rate_window_s: float = 60.0
    attempts: int = 5
    backoff_s: float = 2.0


@dataclass
class DownloadStats:
    """Bytes received from the network (not counting what was already on disk) and requests."""

    bytes_received: int = 0
    requests: int = 0
    resumed_from: int = 0


class Downloader:
    def __init__(
        self,
        http: HttpGet,
        options: DownloadOptions | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.http = http
        self.options = options or DownloadOptions()
        self.sleep = sleep
        self.stats = DownloadStats()

    def get_json(self, url: str) -> Any:
        """A small JSON document (the signed manifest), with the same retries as files."""
        last: Exception | None = None
        for attempt in range(self.options.attempts):
            try:
                response = self.http(url, headers={}, timeout=self._timeout())
                self.stats.requests += 1
                with response:
                    _raise_for_status(response, url)
                    return response.json()
            except (requests.RequestException, ValueError) as exc:
                last = exc
                self._backoff(attempt)
        raise UpdateError(f"{url}: cannot be fetched: {last}", "download", transient=True)

    def fetch_file(self, url: str, dest: Path, size: int, sha256: str) -> Path:
        """Download `url` to `dest` (resuming `dest.part`), check size and SHA-256, return dest."""
        if dest.is_file() and dest.stat().st_size == size and file_sha256(dest) == sha256:
            return dest  # already here from an earlier attempt
        part = dest.with_name(dest.name + ".part")
        last: Exception | None = None
        for attempt in range(self.options.attempts):
            try:
                self._transfer(url, part, size)
                break
            except (
                requests.RequestException,
                urllib3.exceptions.HTTPError,
                StalledError,
                OSError,
            ) as exc:
                last = exc
                self._backoff(attempt)
        else:
            raise UpdateError(
                f"{dest.name}: download failed after {self.options.attempts} attempts: {last}",
                "download",
                transient=True,
            )
        if file_sha256(part) != sha256:
            part.unlink()
            # The server's copy is damaged (or was changed after signing): not the signed
            # release's fault, so it is fetched again later, after a re-publish.
            raise UpdateError(
                f"{dest.name}: SHA-256 differs from the signed manifest", "verify", transient=True
            )
        os.replace(part, dest)
        return dest

    def _transfer(self, url: str, part: Path, size: int) -> None:
        have = part.stat().st_size if part.exists() else 0
        if have > size:
            part.unlink()  # not ours or corrupt; start again
            have = 0
        if have == size:
            return
        # identity: the bytes on the wire are the file's bytes, so Range offsets mean the same.
        headers = {"Accept-Encoding": "identity", **({"Range": f"bytes={have}-"} if have else {})}
        response = self.http(url, headers=headers, timeout=self._timeout())
        self.stats.requests += 1
        with response:
            _raise_for_status(response, url)
            if have and response.status_code != 206:
                have = 0  # the server ignored Range: take the whole file again
            elif have:
                _check_content_range(response, have, url)
                self.stats.resumed_from = have
            with open(part, "ab" if have else "wb") as out:
                self._copy(response, out, size - have)
                out.flush()
                os.fsync(out.fileno())
        if part.stat().st_size != size:
            raise StalledError(f"transfer ended at {part.stat().st_size} of {size} bytes")

    def _copy(self, response: requests.Response, out: Any, remaining: int) -> None:
        window_start, window_bytes = time.monotonic(), 0
        for chunk in _chunks(response):
            if len(chunk) > remaining:
                raise UpdateError("server sent more bytes than the signed size", "verify", transient=True)
            out.write(chunk)
            remaining -= len(chunk)
            self.stats.bytes_received += len(chunk)
            window_bytes += len(chunk)
            elapsed = time.monotonic() - window_start
            if elapsed >= self.options.rate_window_s:
                if window_bytes / elapsed < self.options.min_rate_bps:
                    raise StalledError(f"transfer slower than {self.options.min_rate_bps} B/s")
                window_start, window_bytes = time.monotonic(), 0

    def _timeout(self) -> tuple[float, float]:
        return (self.options.connect_timeout_s, self.options.read_timeout_s)

    def _backoff(self, attempt: int) -> None:
        if attempt + 1 < self.options.attempts:
            self.sleep(min(60.0, self.options.backoff_s * 2**attempt))


def _chunks(response: requests.Response) -> Iterator[bytes]:
    """The body as it arrives. `read1` hands over what came before a cut, where a full-size read
    would drop it with the IncompleteRead error; so a resumed download repeats no byte."""
    raw = response.raw
    while True:
        chunk = raw.read1(CHUNK)
        if not chunk:
            return
        yield chunk


class StalledError(Exception):
    """A transfer stopped or slowed below the minimum rate; the next attempt resumes it."""


def file_url(manifest_url: str, name: str) -> str:
    """`…/releases/V/files/NAME` beside `…/releases/V/manifest` (PROTOCOL.md)."""
    base = manifest_url.rsplit("/manifest", 1)[0]
    return f"{base}/files/{quote(name)}"


def _raise_for_status(response: requests.Response, url: str) -> None:
    if response.status_code >= 500 or response.status_code in (408, 429):
        raise requests.HTTPError(f"{url}: HTTP {response.status_code}", response=response)
    if response.status_code >= 400:
        # 404 and other client errors will not get better by retrying now; a file the server
        # lacks may be published again, so the updater tries again later (with backoff).
        raise UpdateError(f"{url}: HTTP {response.status_code}", "download", transient=True)


def _check_content_range(response: requests.Response, have: int, url: str) -> None:
    content_range = response.headers.get("Content-Range", "")
    if not content_range.startswith(f"bytes {have}-"):
        raise requests.HTTPError(f"{url}: Content-Range {content_range!r} does not start at {have}")

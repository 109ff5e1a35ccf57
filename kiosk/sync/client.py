"""The HTTP client every sync part uses: one `requests.Session`, (connect, read) timeouts, an
overall deadline per call that covers DNS too, TLS verified (with an optional private CA on top
of the system's), bounded retries with exponential backoff and jitter, Retry-After, ETags, a cap
on how much of an answer is read, and the clock offset from each answer's Date header.

A flaky commune link fails in every way at once: refused connections, a server that answers
half a body, a proxy that answers HTML, a hung read. Each of those ends here as a `SyncError`
(or `NotEnrolled` for 401, `BadAnswer` for a wrong answer) with a one-line reason, so callers
keep their good state and report what happened."""

from __future__ import annotations

import ipaddress
import json
import random
import ssl
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter

from kiosk import __version__
from kiosk.errors import BadAnswer, ConfigError, NotEnrolled, SyncError

API = "/api/v1"
# Most answers are a few kilobytes; only a full catalogue is large (6,000 procedures are about
# 10 MB uncompressed). Anything bigger is refused before it is read into memory.
SMALL_ANSWER_BYTES = 1024 * 1024
CATALOGUE_ANSWER_BYTES = 32 * 1024 * 1024
_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Timeouts:
    connect_s: float = 5.0
    read_s: float = 20.0
    deadline_s: float = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter. Within one call: `attempts` tries; across calls, the
    agent uses `delay` with its own failure count."""

    attempts: int = 3
    base_s: float = 1.0
    cap_s: float = 300.0

    def delay(self, failures: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after `failures` failures in a row: half fixed, half random, so a
        fleet that lost the server together does not come back in one wave."""
        ceiling = min(self.cap_s, self.base_s * 2 ** max(0, failures - 1))
        return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


DEFAULT_TIMEOUTS = Timeouts()
DEFAULT_RETRY = RetryPolicy()


@dataclass(frozen=True)
class Reply:
    status: int
    data: Any
    etag: str | None
    headers: dict[str, str]
    wire_bytes: int
    server_time: datetime | None = None


@dataclass
class _Attempt:
    reply: Reply | None = None
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)


class _PrivateCAAdapter(HTTPAdapter):
    """Trusts the system's certificate store plus one private CA file."""

    def __init__(self, ca_file: str) -> None:
        self._context = ssl.create_default_context()
        try:
            self._context.load_verify_locations(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"server.ca_file = {ca_file!r} cannot be used: {exc}") from None
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_context"] = self._context
        super().init_poolmanager(*args, **kwargs)

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        # Keep verification on, but let our context (system + private CA) decide the trust.
        conn.cert_reqs = "CERT_REQUIRED"


def check_server_url(url: str) -> str:
    """The base URL without a trailing slash; plain HTTP is allowed to loopback only."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"server url {url!r} must look like https://host[:port]")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise ConfigError(f"server url {url!r}: plain http is allowed only to this machine; use https")
    return url.rstrip("/")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def new_session(ca_file: str = "") -> requests.Session:
    """A session as every kiosk call uses: TLS checked against the system's store plus
    `ca_file` when set, no proxy or netrc from the environment. Each thread builds its own."""
    session = requests.Session()
    session.headers["User-Agent"] = f"kiosk/{__version__}"
    session.headers["Accept"] = "application/json"
    session.trust_env = False  # no proxy or netrc surprises from the environment
    if ca_file:
        session.mount("https://", _PrivateCAAdapter(ca_file))
    return session


class ServerClient:
    """Calls to one central server. Not shared between threads: the agent and the UI's lookup
    worker each build their own."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        ca_file: str = "",
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = check_server_url(base_url)
        self.token = token
        self.ca_file = ca_file
        self.timeouts = timeouts
        self.retry = retry
        self.sleep = sleep
        self.clock_offset_s: float | None = None
        self._session = self._new_session()

    def _new_session(self) -> requests.Session:
        return new_session(self.ca_file)

    def close(self) -> None:
        self._session.close()

    def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        etag: str | None = None,
        accept: Collection[int] = (200,),
        limit: int = SMALL_ANSWER_BYTES,
        auth: bool = True,
        retries: bool = True,
    ) -> Reply:
        """One protocol call. Returns a `Reply` whose status is in `accept` (or 304 when an
        `etag` was sent); raises `NotEnrolled`, `BadAnswer` or `SyncError` otherwise."""
        headers = self._headers(auth, etag, body is not None)
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        deadline = time.monotonic() + self.timeouts.deadline_s
        attempts = self.retry.attempts if retries else 1
        failure: SyncError | None = None
        for attempt in range(1, attempts + 1):
            try:
                reply = self._attempt(method, self.base_url + path, headers, data, limit, deadline)
                failure = _failure(reply, accept, etag)
                if failure is None:
                    return reply
            except (NotEnrolled, BadAnswer):
                raise
            except _DeadlinePassed as exc:
                # Say why the earlier tries failed too: "deadline" alone hides the cause.
                raise SyncError(f"{exc}; the try before: {failure}") if failure else exc from None
            except SyncError as exc:
                failure = exc
            wait = failure.retry_after_s
            if wait is None:
                wait = self.retry.delay(attempt)
            if attempt == attempts or time.monotonic() + wait >= deadline:
                raise failure
            self.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _headers(self, auth: bool, etag: str | None, json_body: bool) -> dict[str, str]:
        headers = {"Accept-Encoding": "gzip"}
        if auth:
            if not self.token:
                raise NotEnrolled("this kiosk has no device token; run `kiosk enroll CODE`")
            headers["Authorization"] = f"Bearer {self.token}"
        if etag:
            headers["If-None-Match"] = etag
        if json_body:
            headers["Content-Type"] = "application/json"
        return headers

    def _attempt(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        data: bytes | None,
        limit: int,
        deadline: float,
    ) -> Reply:
        """One request on a worker thread, so the caller gets control back at the deadline
        however the server misbehaves (slow DNS, a trickle of bytes, a hung TLS handshake)."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _DeadlinePassed(self.timeouts.deadline_s)
        attempt = _Attempt()
        session = self._session
        sent_at = time.time()
        worker = threading.Thread(
            target=_run,
            args=(session, attempt, method, url, headers, data, limit, self.timeouts),
            name="kiosk-http",
            daemon=True,
        )
        worker.start()
        if not attempt.done.wait(remaining):
            # The stuck request keeps its (now closed) session; later calls get a fresh one.
            self._session = self._new_session()
            session.close()
            raise _DeadlinePassed(self.timeouts.deadline_s)
        if attempt.error is not None:
            raise attempt.error
        assert attempt.reply is not None
        if attempt.reply.server_time is not None:
            # Server time minus local time at the middle of the exchange.
            local = (sent_at + time.time()) / 2
            self.clock_offset_s = attempt.reply.server_time.timestamp() - local
        return attempt.reply


def _run(
    session: requests.Session,
    attempt: _Attempt,
    method: str,
    url: str,
    headers: dict[str, str],
    data: bytes | None,
    limit: int,
    timeouts: Timeouts,
) -> None:
    try:
        attempt.reply = _send(session, method, url, headers, data, limit, timeouts)
    except BaseException as exc:  # handed over to the caller's thread
        attempt.error = exc
    finally:
        attempt.done.set()


class _DeadlinePassed(SyncError):
    def __init__(self, deadline_s: float) -> None:
        super().__init__(f"no answer within the call deadline of {deadline_s:g} s")


def _failure(reply: Reply, accept: Collection[int], etag: str | None) -> SyncError | None:
    """None for an answer the caller wants; a retryable `SyncError`; or raises for answers
    that another try would not change (401, other 4xx)."""
    if reply.status in accept or (etag and reply.status == 304):
        return None
    if reply.status == 401:
        raise NotEnrolled(f"the server refused the device token: {_reason(reply)}")
    message = f"server answered {reply.status}: {_reason(reply)}"
    if reply.status not in _RETRY_STATUSES:
        raise BadAnswer(message)
    return SyncError(message, _retry_after(reply.headers))


def _send(
    session: requests.Session,
    method: str,
    url: str,
    headers: dict[str, str],
    data: bytes | None,
    limit: int,
    timeouts: Timeouts,
) -> Reply:
    try:
        response = session.request(
            method,
            url,
            headers=headers,
            data=data,
            stream=True,
            timeout=(timeouts.connect_s, timeouts.read_s),
            allow_redirects=False,
        )
    except requests.exceptions.SSLError as exc:
        raise SyncError(f"TLS failed (certificate not trusted?): {_short(exc)}") from None
    except requests.exceptions.ConnectTimeout:
        raise SyncError(f"no connection within {timeouts.connect_s:g} s") from None
    except requests.exceptions.ReadTimeout:
        raise SyncError(f"no answer within the read timeout of {timeouts.read_s:g} s") from None
    except requests.exceptions.RequestException as exc:
        raise SyncError(f"cannot reach the server: {_short(exc)}") from None
    with response:
        content = _read_capped(response, limit, timeouts.read_s)
        wire = int(response.raw.tell() or len(content))
    reply_headers = dict(response.headers)
    return Reply(
        status=response.status_code,
        data=_parse(content, response.status_code),
        etag=response.headers.get("ETag"),
        headers=reply_headers,
        wire_bytes=wire,
        server_time=_date(response.headers.get("Date")),
    )


def _read_capped(response: requests.Response, limit: int, read_s: float) -> bytes:
    """The body, decompressed, refusing it as soon as it passes `limit` bytes (a 50 MB answer
    is never held in memory, and neither is a gzip bomb)."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit and "Content-Encoding" not in response.headers:
        raise BadAnswer(f"answer of {int(declared)} bytes is over the cap of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.raw.stream(_CHUNK, decode_content=True):
            size += len(chunk)
            if size > limit:
                raise BadAnswer(f"answer is over the cap of {limit} bytes; not read further")
            chunks.append(chunk)
    except (urllib3.exceptions.ProtocolError, urllib3.exceptions.DecodeError) as exc:
        raise SyncError(f"the answer broke off after {size} bytes: {_short(exc)}") from None
    except urllib3.exceptions.ReadTimeoutError:
        raise SyncError(f"the answer stalled for more than {read_s:g} s") from None
    return b"".join(chunks)


def _parse(content: bytes, status: int) -> Any:
    if status == 304 or not content:
        return None
    try:
        return json.loads(content)
    except ValueError as exc:
        if status >= 400:
            return None  # an error page from a proxy: the status says enough
        raise BadAnswer(f"answer is not valid JSON: {exc}") from None


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    # Date has whole seconds and is truncated: the middle of that second is the best guess.
    return parsed.astimezone(UTC).replace(microsecond=500_000)


def _retry_after(headers: dict[str, str]) -> float | None:
    value = headers.get("Retry-After") or headers.get("retry-after")
    if value is None:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    when = _date(value)
    return max(0.0, when.timestamp() - time.time()) if when else None


def _reason(reply: Reply) -> str:
    error = reply.data.get("error") if isinstance(reply.data, dict) else None
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        return f"{error['code']}: {str(error.get('message', ''))[:200]}"
    return "no error body"


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__

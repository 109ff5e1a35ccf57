"""The HTTP client on its own: retries, Retry-After, deadlines, ETags, status handling, TLS with a
private CA. Real servers on loopback: the central server, the misbehaving one, and the central
server behind TLS with certificates made here."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import given
from hypothesis import strategies as st

from kiosk.errors import BadAnswer, ConfigError, NotEnrolled, SyncError
from kiosk.sync.client import API, RetryPolicy, ServerClient, Timeouts, check_server_url
from tests.central.api.test_central_api import enroll
from tests.fixtures_central import FaultyServer, Kiosk, RunningServer, start_server

QUICK = Timeouts(connect_s=2.0, read_s=10.0, deadline_s=30.0)  # room for a loaded machine


@given(failures=st.integers(min_value=1, max_value=40), seed=st.integers())
def test_backoff_grows_to_the_cap_with_jitter(failures: int, seed: int) -> None:
    policy = RetryPolicy(base_s=1.0, cap_s=300.0)
    ceiling = min(300.0, 2.0 ** (failures - 1))
    delay = policy.delay(failures, random.Random(seed))
    assert ceiling / 2 <= delay <= ceiling


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("http://127.0.0.1:8080", True),
        ("http://localhost:8080/", True),
        ("http://[::1]:8080", True),
        ("https://kiosk.tinh.gov.vn", True),
        ("http://kiosk.tinh.gov.vn", False),
        ("http://10.0.0.5:8080", False),
        ("ftp://127.0.0.1", False),
        ("kiosk.tinh.gov.vn", False),
    ],
)
def test_plain_http_only_to_loopback(url: str, ok: bool) -> None:
    if ok:
        assert check_server_url(url) == url.rstrip("/")
    else:
        with pytest.raises(ConfigError):
            check_server_url(url)


def test_retry_after_is_waited_then_the_call_succeeds(flaky_kiosk: Kiosk, faulty: FaultyServer) -> None:
    slept: list[float] = []
    token = (flaky_kiosk.state_dir / "device-token").read_text()
    client = ServerClient(faulty.url, token, timeouts=QUICK, sleep=slept.append)
    faulty.fail("status", "/api/v1/config", status=503, headers={"Retry-After": "2"})
    reply = client.call("GET", f"{API}/config")
    assert reply.status == 200 and slept == [2.0]


def test_retry_after_beyond_the_deadline_is_handed_to_the_caller(
    flaky_kiosk: Kiosk, faulty: FaultyServer
) -> None:
    slept: list[float] = []
    token = (flaky_kiosk.state_dir / "device-token").read_text()
    client = ServerClient(faulty.url, token, timeouts=QUICK, sleep=slept.append)
    faulty.fail("status", "/api/v1/config", status=429, headers={"Retry-After": "120"})
    with pytest.raises(SyncError) as caught:
        client.call("GET", f"{API}/config")
    assert caught.value.retry_after_s == 120 and slept == []


def test_backoff_between_attempts_then_give_up(flaky_kiosk: Kiosk, faulty: FaultyServer) -> None:
    slept: list[float] = []
    token = (flaky_kiosk.state_dir / "device-token").read_text()
    client = ServerClient(
        faulty.url,
        token,
        timeouts=QUICK,
        sleep=slept.append,
        retry=RetryPolicy(attempts=3, base_s=0.2, cap_s=10),
    )
    faulty.fail("status", "/api/v1/config", times=10, status=500)
    with pytest.raises(SyncError, match="server answered 500"):
        client.call("GET", f"{API}/config")
    assert len(slept) == 2
    assert 0.1 <= slept[0] <= 0.2 and 0.2 <= slept[1] <= 0.4
    assert [s for s in faulty.seen if s[1] == "/api/v1/config"] == [("GET", "/api/v1/config", "status")] * 3


def test_the_call_deadline_cuts_a_slow_answer_short(flaky_kiosk: Kiosk, faulty: FaultyServer) -> None:
    token = (flaky_kiosk.state_dir / "device-token").read_text()
    client = ServerClient(
        faulty.url,
        token,
        timeouts=Timeouts(connect_s=1, read_s=30, deadline_s=1),
        retry=RetryPolicy(attempts=1),
    )
    faulty.fail("slow", "/api/v1/config", seconds=3)
    with pytest.raises(SyncError, match="call deadline of 1 s"):
        client.call("GET", f"{API}/config")
    assert client.call("GET", f"{API}/config").status == 200  # a fresh connection afterwards


def test_etag_gives_304_and_statuses_map_to_errors(kiosk: Kiosk) -> None:
    token = (kiosk.state_dir / "device-token").read_text()
    client = ServerClient(kiosk.server.url, token, timeouts=QUICK)
    first = client.call("GET", f"{API}/config")
    assert first.etag and client.call("GET", f"{API}/config", etag=first.etag).status == 304
    with pytest.raises(BadAnswer, match="404: dossier_unknown"):
        client.call("GET", f"{API}/dossiers/NOPE")
    with pytest.raises(NotEnrolled, match="refused the device token"):
        ServerClient(kiosk.server.url, "wrong", timeouts=QUICK).call("GET", f"{API}/config")
    with pytest.raises(NotEnrolled, match="no device token"):
        ServerClient(kiosk.server.url, None, timeouts=QUICK).call("GET", f"{API}/config")
    assert client.clock_offset_s is not None


# --- TLS with a private CA ------------------------------------------------------------------


def _certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A private CA and a server certificate for localhost signed by it (ca, cert, key)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Sở TT&TT test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = directory / "ca.pem", directory / "server.pem", directory / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


@pytest.fixture
def tls_server(tmp_path: Path) -> tuple[RunningServer, Path]:
    ca, cert, key = _certificates(tmp_path)
    server = start_server(tmp_path, ssl_certfile=str(cert), ssl_keyfile=str(key))
    yield server, ca  # type: ignore[misc]
    server.stop()


def test_tls_is_verified_against_the_private_ca(
    tls_server: tuple[RunningServer, Path], tmp_path: Path
) -> None:
    server, ca = tls_server
    trusted = ServerClient(server.url, ca_file=str(ca), timeouts=QUICK)
    assert trusted.call("GET", f"{API}/health", auth=False).data["status"] == "ok"
    once = RetryPolicy(attempts=1)
    with pytest.raises(SyncError, match="TLS failed"):
        ServerClient(server.url, timeouts=QUICK, retry=once).call("GET", f"{API}/health", auth=False)
    other = tmp_path / "other"
    other.mkdir()
    stranger_ca, _, _ = _certificates(other)
    with pytest.raises(SyncError, match="TLS failed"):
        ServerClient(server.url, ca_file=str(stranger_ca), timeouts=QUICK, retry=once).call(
            "GET", f"{API}/health", auth=False
        )
    with pytest.raises(ConfigError, match="server.ca_file"):
        ServerClient(server.url, ca_file=str(tmp_path / "missing.pem"))
    assert enroll  # the device side works the same over TLS (see test_sync_loopback)


def test_the_call_deadline_covers_a_hanging_dns_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    # A resolver that never answers cannot be had on loopback; this one hangs for the caller.
    import socket
    import threading

    released = threading.Event()
    real = socket.getaddrinfo

    def hanging(host: str, *args: object, **kw: object) -> object:
        if host == "kiosk.tinh.example":
            released.wait(30)
            raise socket.gaierror("no such host")  # never asks a real resolver
        return real(host, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", hanging)
    client = ServerClient(
        "https://kiosk.tinh.example", "t", timeouts=Timeouts(1, 1, 1), retry=RetryPolicy(attempts=1)
    )
    try:
        with pytest.raises(SyncError, match="call deadline of 1 s"):
            client.call("GET", f"{API}/config")
    finally:
        released.set()

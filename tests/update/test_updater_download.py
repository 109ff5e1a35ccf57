"""Resumable release downloads against the loopback release server: breaks, stalls, servers
that ignore Range, wrong bytes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
import requests

from kiosk.errors import UpdateError
from kiosk.update.download import Downloader, DownloadOptions, file_url, session_get
from tests.release_server import ReleaseServer

MANIFEST_URL = "/api/v1/releases/2.0.0/manifest"
OPTIONS = DownloadOptions(read_timeout_s=0.3, attempts=3, backoff_s=0.0)


@pytest.fixture
def payload(release_server: ReleaseServer) -> bytes:
    data = os.urandom(200_000)
    (release_server.releases_dir / "2.0.0").mkdir()
    (release_server.releases_dir / "2.0.0" / "kiosk.whl").write_bytes(data)
    return data


def fetch(
    server: ReleaseServer,
    dest: Path,
    data: bytes,
    options: DownloadOptions = OPTIONS,
    name: str = "kiosk.whl",
) -> Downloader:
    downloader = Downloader(session_get(requests.Session(), server.url), options)
    sha = hashlib.sha256(data).hexdigest()
    downloader.fetch_file(file_url(MANIFEST_URL, name), dest / name, len(data), sha)
    return downloader


def test_stalled_transfer_times_out_and_resumes(
    release_server: ReleaseServer, payload: bytes, tmp_path: Path
) -> None:
    release_server.faults["kiosk.whl"] = ("stall", 70_000)

    downloader = fetch(release_server, tmp_path, payload)

    assert (tmp_path / "kiosk.whl").read_bytes() == payload
    served = release_server.file_requests("kiosk.whl")
    assert [s.range for s in served] == [None, "bytes=70000-"]
    assert downloader.stats.bytes_received == len(payload)


def test_partial_file_from_an_earlier_run_is_continued(
    release_server: ReleaseServer, payload: bytes, tmp_path: Path
) -> None:
    (tmp_path / "kiosk.whl.part").write_bytes(payload[:123_456])

    downloader = fetch(release_server, tmp_path, payload)

    assert downloader.stats.bytes_received == len(payload) - 123_456
    assert not (tmp_path / "kiosk.whl.part").exists()
    assert (tmp_path / "kiosk.whl").read_bytes() == payload


def test_server_that_ignores_range_makes_the_download_start_over(
    release_server: ReleaseServer, payload: bytes, tmp_path: Path
) -> None:
    release_server.honour_range = False
    (tmp_path / "kiosk.whl.part").write_bytes(payload[:50_000])

    fetch(release_server, tmp_path, payload)

    assert (tmp_path / "kiosk.whl").read_bytes() == payload


def test_corrupt_partial_file_fails_the_hash_and_is_removed(
    release_server: ReleaseServer, payload: bytes, tmp_path: Path
) -> None:
    (tmp_path / "kiosk.whl.part").write_bytes(b"\0" * 1000)  # not the file's first bytes

    with pytest.raises(UpdateError, match="SHA-256") as caught:
        fetch(release_server, tmp_path, payload)

    # Transient: a damaged copy is no fault of the signed release; the updater fetches it later.
    assert caught.value.stage == "verify" and caught.value.transient
    assert not (tmp_path / "kiosk.whl.part").exists()  # the next try starts clean
    assert not (tmp_path / "kiosk.whl").exists()


def test_missing_file_is_not_retried(release_server: ReleaseServer, payload: bytes, tmp_path: Path) -> None:
    with pytest.raises(UpdateError, match="HTTP 404") as caught:
        fetch(release_server, tmp_path, payload, name="other.whl")

    assert len(release_server.log) == 1  # not now; the updater tries again after its backoff
    assert caught.value.transient


def test_server_that_keeps_breaking_fails_transiently_after_the_attempts(
    release_server: ReleaseServer, payload: bytes, tmp_path: Path
) -> None:
    release_server.stop()  # nothing listens any more

    with pytest.raises(UpdateError, match="after 3 attempts") as caught:
        fetch(release_server, tmp_path, payload)

    assert caught.value.transient and caught.value.stage == "download"


def test_bytes_beyond_the_signed_size_are_refused(
    release_server: ReleaseServer, payload: bytes, tmp_path: Path
) -> None:
    downloader = Downloader(session_get(requests.Session(), release_server.url), OPTIONS)
    short = len(payload) - 10

    with pytest.raises(UpdateError, match="more bytes than the signed size"):
        downloader.fetch_file(
            file_url(MANIFEST_URL, "kiosk.whl"),
            tmp_path / "kiosk.whl",
            short,
            hashlib.sha256(payload[:short]).hexdigest(),
        )

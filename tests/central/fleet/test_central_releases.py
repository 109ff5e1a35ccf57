"""Release manifests and files, with Range for resuming downloads."""

from __future__ import annotations

import json

import pytest

from tests.central.api.test_central_api import call, enroll
from tests.fixtures_central import RunningServer

WHEEL = bytes(range(256)) * 40  # 10,240 bytes


@pytest.fixture
def release(central_server: RunningServer) -> str:
    folder = central_server.releases_dir / "1.4.3"
    folder.mkdir(parents=True)
    (folder / "kiosk-1.4.3-py3-none-any.whl").write_bytes(WHEEL)
    (folder / "stray.txt").write_text("not in the manifest")
    envelope = {
        "manifest": {
            "version": "1.4.3",
            "files": [{"name": "kiosk-1.4.3-py3-none-any.whl", "sha256": "…", "size": len(WHEEL)}],
        },
        "key_id": "test",
        "signature": "c2ln",
    }
    (folder / "manifest.json").write_text(json.dumps(envelope))
    return "1.4.3"


def test_manifest_is_served_as_signed(central_server: RunningServer, release: str) -> None:
    _, token = enroll(central_server)
    answer = call(central_server, token, "GET", f"/releases/{release}/manifest")
    assert answer.json()["manifest"]["version"] == "1.4.3"
    assert answer.json()["signature"] == "c2ln"
    assert (
        call(central_server, token, "GET", "/releases/9.9.9/manifest").json()["error"]["code"]
        == "release_unknown"
    )


LAST = len(WHEEL) - 1


@pytest.mark.parametrize(
    ("range_header", "span"),
    [
        (None, None),
        ("bytes=1000-", (1000, LAST)),
        ("bytes=0-99", (0, 99)),
        ("bytes=-10", (LAST - 9, LAST)),
        ("bytes=10000-99999", (10000, LAST)),
        ("bytes=0-1,5-6", None),  # several ranges: the whole file
        ("lines=1-2", None),  # other units: the whole file
    ],
)
def test_files_support_range(
    central_server: RunningServer,
    release: str,
    range_header: str | None,
    span: tuple[int, int] | None,
) -> None:
    _, token = enroll(central_server)
    headers = {"Range": range_header} if range_header else {}
    answer = call(
        central_server,
        token,
        "GET",
        f"/releases/{release}/files/kiosk-1.4.3-py3-none-any.whl",
        headers=headers,
    )
    if span is None:
        assert answer.status_code == 200
        assert answer.content == WHEEL
        return
    first, last = span
    assert answer.status_code == 206
    assert answer.content == WHEEL[first : last + 1]
    assert answer.headers["Content-Range"] == f"bytes {first}-{last}/{len(WHEEL)}"


def test_range_past_the_end_is_416(central_server: RunningServer, release: str) -> None:
    _, token = enroll(central_server)
    answer = call(
        central_server,
        token,
        "GET",
        f"/releases/{release}/files/kiosk-1.4.3-py3-none-any.whl",
        headers={"Range": f"bytes={len(WHEEL)}-"},
    )
    assert answer.status_code == 416
    assert answer.headers["Content-Range"] == f"bytes */{len(WHEEL)}"
    assert answer.json()["error"]["code"] == "range_not_satisfiable"


@pytest.mark.parametrize("name", ["stray.txt", "manifest.json", "..%2Fcentral.db", "missing.whl"])
def test_only_files_the_manifest_lists_are_served(
    central_server: RunningServer, release: str, name: str
) -> None:
    _, token = enroll(central_server)
    answer = call(central_server, token, "GET", f"/releases/{release}/files/{name}")
    assert answer.status_code == 404

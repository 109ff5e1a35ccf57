"""What the server answers at the edges of HTTP, over loopback: a Range with a number too long
for int() is 416 or the whole file (never a 500); a body that is not JSON is 400 bad_request as
docs/protocol.md says; numbers and booleans are strict (no 0 for false, no false for 0); a 405
names every method the path takes."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from tests.central.api.test_central_api import call, enroll
from tests.fixtures_central import RunningServer

CONTENT = bytes(range(256)) * 40  # 10,240 bytes
LONG = "9" * 5000


def put_release(server: RunningServer) -> None:
    """A release directory the server serves files from (the manifest's shape is all it checks
    before serving; signatures are the kiosk's to verify)."""
    folder = server.releases_dir / "1.0.0"
    folder.mkdir(parents=True)
    (folder / "kiosk-1.0.0-py3-none-any.whl").write_bytes(CONTENT)
    manifest = {"version": "1.0.0", "files": [{"name": "kiosk-1.0.0-py3-none-any.whl", "size": len(CONTENT)}]}
    envelope = {"manifest": manifest, "key_id": "test", "signature": "unchecked"}
    (folder / "manifest.json").write_text(json.dumps(envelope), encoding="utf-8")


@pytest.mark.parametrize(
    ("header", "status", "body"),
    [
        (f"bytes={LONG}-", 416, b""),
        (f"bytes={LONG}-{LONG}", 416, b""),
        (f"bytes=0-{LONG}", 206, CONTENT),
        (f"bytes=-{LONG}", 206, CONTENT),
        (f"bytes={'0' * 5000}10-19", 206, CONTENT[10:20]),
    ],
)
def test_a_range_with_thousands_of_digits_is_answered(
    central_server: RunningServer, header: str, status: int, body: bytes
) -> None:
    put_release(central_server)
    _, token = enroll(central_server)
    path = "/releases/1.0.0/files/kiosk-1.0.0-py3-none-any.whl"
    answer = call(central_server, token, "GET", path, headers={"Range": header})
    assert answer.status_code == status
    if status == 416:
        assert answer.headers["Content-Range"] == f"bytes */{len(CONTENT)}"
        assert answer.json()["error"]["code"] == "range_not_satisfiable"
    else:
        assert answer.content == body


@pytest.mark.parametrize("path", ["/enroll", "/events", "/heartbeat", "/logs"])
def test_a_body_that_is_not_json_is_400_bad_request(central_server: RunningServer, path: str) -> None:
    _, token = enroll(central_server)
    answer = call(
        central_server,
        token,
        "POST",
        path,
        data=b'{"events": [',
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "bad_request"


BEAT = {"app_version": "0.1.0", "uptime_s": 3600, "disk_free_mb": 5120, "ui_healthy": True}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/heartbeat", {**BEAT, "ui_healthy": 0}),
        ("/heartbeat", {**BEAT, "ui_healthy": "true"}),
        ("/heartbeat", {**BEAT, "catalogue_version": "3"}),
        ("/heartbeat", {**BEAT, "outbox_pending": True}),
        ("/heartbeat", {**BEAT, "uptime_s": False}),
        ("/logs", {"command": None, "lines": False, "text": ""}),
        ("/logs", {"command": None, "lines": 1.0, "text": "x"}),
    ],
)
def test_numbers_and_booleans_are_not_coerced(central_server: RunningServer, path: str, body: Any) -> None:
    _, token = enroll(central_server)
    answer = call(central_server, token, "POST", path, json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "invalid_request"
    assert call(central_server, token, "POST", "/heartbeat", json=BEAT).status_code == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/enrollment-codes", {"site": "me-linh-xa", "ttl_s": "3600"}),
        ("/dossiers", {"dossiers": [], "replace": 1}),
        ("/rollouts", {"version": "1.0.0", "min_results": True}),
        ("/rollouts", {"version": "1.0.0", "stages": [10, "50", 100]}),
    ],
)
def test_the_admin_api_is_as_strict(central_server: RunningServer, path: str, body: Any) -> None:
    answer = central_server.admin("POST", path, body)
    assert answer.status_code == 422, answer.text


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/console/login", "GET, POST"),
        ("DELETE", "/api/v1/admin/devices/kiosk-0001/commands", "GET, POST"),
        ("GET", "/api/v1/events", "POST"),
    ],
)
def test_a_405_names_every_method_the_path_takes(
    central_server: RunningServer, method: str, path: str, allow: str
) -> None:
    answer = requests.request(method, f"{central_server.url}{path}", timeout=10)
    assert answer.status_code == 405
    assert answer.headers["Allow"] == allow
    assert answer.json()["error"]["code"] == "method_not_allowed"

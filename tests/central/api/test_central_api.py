"""The central server's device protocol over loopback: enrollment, tokens, catalogue versions and
deltas, events stored once, heartbeats, commands, config layers, queue status, errors."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from central.auth import hash_secret, normalise_code
from tests.fixtures_central import SITE, RunningServer

API = "/api/v1"


def enroll(server: RunningServer, hardware_id: str = "rpi-0001") -> tuple[str, str]:
    """(device_id, token) of a newly enrolled kiosk."""
    answer = requests.post(
        f"{server.url}{API}/enroll",
        json={
            "enrollment_code": server.enrollment_code(),
            "hardware_id": hardware_id,
            "app_version": "0.1.0",
        },
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["device_id"], answer.json()["token"]


def call(server: RunningServer, token: str, method: str, path: str, **kw: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", **kw.pop("headers", {})}
    return requests.request(method, f"{server.url}{API}{path}", headers=headers, timeout=10, **kw)


def catalogue(version: int, procedures: dict[str, str]) -> dict[str, Any]:
    return {
        "format": "kiosk-catalogue/1",
        "version": version,
        "fields": [{"id": "ho-tich", "name": "Hộ tịch"}],
        "procedures": [
            {"code": code, "name": name, "field": "ho-tich", "level": "xa"}
            for code, name in procedures.items()
        ],
    }


def ticket_event(event_id: str, ticket: str, day: str, priority: str | None = None) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "ticket.issued",
        "at": "2026-11-28T08:01:02+07:00",
        "data": {
            "ticket": ticket,
            "service": ticket[0],
            "number": int(ticket[1:]),
            "day": day,
            "priority": priority,
            "issued_at": f"2026-11-28T08:{int(ticket[1:]):02d}:00+07:00",
        },
    }


def test_health_answers_without_a_token_and_with_a_date(central_server: RunningServer) -> None:
    answer = requests.get(f"{central_server.url}{API}/health", timeout=10)
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"
    assert answer.headers["Date"]


def test_enrollment_gives_a_token_and_the_site(central_server: RunningServer) -> None:
    code = central_server.enrollment_code()
    typed = code.lower().replace("-", " ")  # as a technician might type it
    answer = requests.post(
        f"{central_server.url}{API}/enroll",
        json={"enrollment_code": typed, "hardware_id": "rpi-1", "app_version": "0.1.0"},
        timeout=10,
    ).json()
    assert answer["device_id"] == "kiosk-0001"
    assert answer["site"] == {
        "id": SITE.id,
        "name": "UBND xã Mê Linh",
        "timezone": "Asia/Ho_Chi_Minh",
    }
    assert call(central_server, answer["token"], "GET", "/config").status_code == 200


def test_enrollment_code_is_single_use(central_server: RunningServer) -> None:
    code = central_server.enrollment_code()
    body = {"enrollment_code": code, "hardware_id": "rpi-1", "app_version": "0.1.0"}
    first = requests.post(f"{central_server.url}{API}/enroll", json=body, timeout=10)
    again = requests.post(f"{central_server.url}{API}/enroll", json=body, timeout=10)
    assert first.status_code == 201
    assert again.status_code == 410
    assert again.json()["error"]["code"] == "enrollment_code_used"


def test_expired_and_unknown_codes_are_refused(central_server: RunningServer) -> None:
    central_server.store.add_enrollment_code(
        hash_secret(normalise_code("AAAA-BBBB")), SITE.id, datetime.now(UTC) - timedelta(seconds=1)
    )
    url = f"{central_server.url}{API}/enroll"
    expired = requests.post(
        url,
        json={"enrollment_code": "AAAA-BBBB", "hardware_id": "x", "app_version": "1"},
        timeout=10,
    )
    unknown = requests.post(
        url,
        json={"enrollment_code": "CCCC-DDDD", "hardware_id": "x", "app_version": "1"},
        timeout=10,
    )
    assert (expired.status_code, expired.json()["error"]["code"]) == (
        410,
        "enrollment_code_expired",
    )
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (
        404,
        "enrollment_code_unknown",
    )


def test_guessing_codes_is_stopped_for_a_while_even_for_a_right_one(central_server: RunningServer) -> None:
    url = f"{central_server.url}{API}/enroll"
    body = {"enrollment_code": "", "hardware_id": "x", "app_version": "1"}
    for i in range(10):
        wrong = requests.post(url, json={**body, "enrollment_code": f"WRONG-{i:03d}"}, timeout=10)
        assert wrong.status_code == 404
    right = {**body, "enrollment_code": central_server.enrollment_code()}
    stopped = requests.post(url, json=right, timeout=10)
    assert (stopped.status_code, stopped.json()["error"]["code"]) == (429, "too_many_attempts")
    assert 500 <= int(stopped.headers["Retry-After"]) <= 600
    assert central_server.store.list_devices() == [], "the right code was not used up either"


def test_tokens_and_codes_are_stored_only_hashed(central_server: RunningServer) -> None:
    code = central_server.enrollment_code()
    answer = requests.post(
        f"{central_server.url}{API}/enroll",
        json={"enrollment_code": code, "hardware_id": "rpi-1", "app_version": "0.1.0"},
        timeout=10,
    ).json()
    dump = "\n".join(sqlite3.connect(central_server.store.path).iterdump())
    assert answer["token"] not in dump
    assert normalise_code(code) not in dump
    assert hash_secret(answer["token"]) in dump


def test_reenrolling_a_kiosk_keeps_its_id_and_revokes_the_old_token(
    central_server: RunningServer,
) -> None:
    device, old = enroll(central_server, "rpi-same")
    again, new = enroll(central_server, "rpi-same")
    assert again == device
    assert call(central_server, old, "GET", "/config").status_code == 401
    assert call(central_server, new, "GET", "/config").status_code == 200


@pytest.mark.parametrize(
    "path", ["/config", "/queue", "/catalogue", "/dossiers/X1", "/releases/1.0/manifest"]
)
def test_calls_without_a_valid_token_get_401_in_the_error_shape(
    central_server: RunningServer, path: str
) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        answer = requests.get(f"{central_server.url}{API}{path}", headers=headers, timeout=10)
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "unauthorized"
        assert answer.json()["error"]["message"]


def test_revoked_device_gets_401(central_server: RunningServer) -> None:
    device, token = enroll(central_server)
    assert central_server.admin("POST", f"/devices/{device}/revoke").json()["revoked"] is True
    assert call(central_server, token, "POST", "/heartbeat", json={"app_version": "1"}).status_code == 401


def test_device_and_admin_credentials_do_not_mix(central_server: RunningServer) -> None:
    _, token = enroll(central_server)
    as_admin = requests.get(
        f"{central_server.url}{API}/admin/devices",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert as_admin.status_code == 401
    assert call(central_server, "test-admin-token-0123456789", "GET", "/config").status_code == 401


def test_catalogue_full_then_delta_then_not_modified(central_server: RunningServer) -> None:
    _, token = enroll(central_server)
    assert call(central_server, token, "GET", "/catalogue").json()["error"]["code"] == "catalogue_unpublished"
    v1 = {
        "1.001193": "Đăng ký khai sinh",
        "1.000894": "Đăng ký kết hôn",
        "2.000001": "Chứng thực bản sao",
    }
    assert central_server.admin("POST", "/catalogue", catalogue(1, v1)).status_code == 201
    full = call(central_server, token, "GET", "/catalogue")
    assert full.json()["full"] is True
    assert sorted(p["code"] for p in full.json()["upserts"]) == sorted(v1)
    v2 = {**v1, "1.001193": "Đăng ký khai sinh (sửa)"}
    del v2["2.000001"]
    v2["3.000002"] = "Cấp bản sao trích lục"
    published = central_server.admin("POST", "/catalogue", catalogue(2, v2)).json()
    assert published == {"version": 2, "procedures": 3, "changed": 2, "deleted": 1}
    delta = call(central_server, token, "GET", "/catalogue?since=1").json()
    assert delta["full"] is False and delta["version"] == 2
    assert {p["code"]: p["name"] for p in delta["upserts"]} == {
        "1.001193": "Đăng ký khai sinh (sửa)",
        "3.000002": "Cấp bản sao trích lục",
    }
    assert delta["deletes"] == ["2.000001"]
    etag = full.headers["ETag"]
    assert (
        call(central_server, token, "GET", "/catalogue?since=1", headers={"If-None-Match": etag}).status_code
        == 200
    )
    current = call(central_server, token, "GET", "/catalogue?since=2")
    again = call(
        central_server,
        token,
        "GET",
        "/catalogue?since=2",
        headers={"If-None-Match": current.headers["ETag"]},
    )
    assert again.status_code == 304


def test_unknown_since_gets_a_full_catalogue(central_server: RunningServer) -> None:
    _, token = enroll(central_server)
    central_server.admin("POST", "/catalogue", catalogue(5, {"1.001193": "Đăng ký khai sinh"}))
    for since in (3, 99):  # never published here; newer than the server has
        answer = call(central_server, token, "GET", f"/catalogue?since={since}").json()
        assert answer["full"] is True and answer["version"] == 5


def test_catalogue_text_is_stored_nfc(central_server: RunningServer) -> None:
    _, token = enroll(central_server)
    decomposed = "Đăng ký khai sinh".replace("ă", "a\u0306")
    central_server.admin("POST", "/catalogue", catalogue(1, {"1.001193": decomposed}))
    answer = call(central_server, token, "GET", "/catalogue").json()
    assert answer["upserts"][0]["name"] == "Đăng ký khai sinh"


def test_invalid_catalogue_is_refused_with_every_problem(central_server: RunningServer) -> None:
    doc = catalogue(1, {"1.001193": "Đăng ký khai sinh", "1.000894": ""})
    doc["procedures"].append({"code": "1.001193", "name": "Đôi", "field": "dat-dai", "level": "quan"})
    answer = central_server.admin("POST", "/catalogue", doc)
    assert answer.status_code == 422
    problems = {(d["path"], d["problem"]) for d in answer.json()["error"]["details"]}
    assert problems == {
        ("$.procedures[1].name", "must not be empty"),
        ("$.procedures[2].code", "duplicate of $.procedures[0].code"),
        ("$.procedures[2].field", "no field has the id 'dat-dai'"),
        ("$.procedures[2].level", "must be one of trung-uong, tinh, huyen, xa; got 'quan'"),
    }
    assert central_server.store.catalogue_head() is None


def test_catalogue_version_must_grow(central_server: RunningServer) -> None:
    assert central_server.admin("POST", "/catalogue", catalogue(3, {"1": "Một"})).status_code == 201
    again = central_server.admin("POST", "/catalogue", catalogue(3, {"1": "Hai"}))
    assert (again.status_code, again.json()["error"]["code"]) == (409, "catalogue_version_conflict")


def test_events_are_stored_once_and_bad_ones_rejected_alone(central_server: RunningServer) -> None:
    device, token = enroll(central_server)
    events = [
        ticket_event("e-1", "A012", "2026-11-28"),
        {
            "id": "e-2",
            "type": "rating.submitted",
            "at": "2026-11-28T09:00:00+07:00",
            "data": {"score": 3},
        },
        {"id": "e-3", "type": "printer.melted", "at": "2026-11-28T09:00:00+07:00", "data": {}},
        {"id": "e-4", "type": "rating.submitted", "at": "yesterday", "data": {"score": 2}},
        {
            "id": "e-5",
            "type": "ticket.issued",
            "at": "2026-11-28T09:00:00+07:00",
            "data": {"ticket": "A1"},
        },
    ]
    first = call(central_server, token, "POST", "/events", json={"events": events}).json()
    assert first["accepted"] == ["e-1", "e-2"]
    reasons = {r["id"]: r["reason"] for r in first["rejected"]}
    assert set(reasons) == {"e-3", "e-4", "e-5"}
    assert "unknown event type" in reasons["e-3"]
    assert "ISO 8601" in reasons["e-4"]
    again = call(central_server, token, "POST", "/events", json={"events": events[:2]}).json()
    assert again == {"accepted": ["e-1", "e-2"], "rejected": []}
    stored = central_server.admin("GET", f"/events?device={device}").json()["events"]
    assert [e["id"] for e in stored] == ["e-1", "e-2"]


def test_more_than_500_events_in_one_call_is_refused(central_server: RunningServer) -> None:
    _, token = enroll(central_server)
    events = [
        {"id": f"e{i}", "type": "kiosk.started", "at": "2026-11-28T08:00:00+07:00", "data": {}}
        for i in range(501)
    ]
    answer = call(central_server, token, "POST", "/events", json={"events": events})
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "invalid_request"


def test_queue_status_comes_from_ticket_events_and_counter_calls(
    central_server: RunningServer,
) -> None:
    _, token = enroll(central_server)
    today = (
        datetime.now(UTC)
        .astimezone()
        .astimezone(__import__("zoneinfo").ZoneInfo(SITE.timezone))
        .date()
        .isoformat()
    )
    events = [ticket_event(f"t{n}", f"A{n:03d}", today) for n in (1, 2, 3)]
    events.append(ticket_event("t4", "A004", today, priority="elderly"))
    events.append(ticket_event("b1", "B001", today))
    events.append(
        {
            "id": "v2",
            "type": "ticket.voided",
            "at": "2026-11-28T08:30:00+07:00",
            "data": {"ticket": "A002", "day": today},
        }
    )
    call(central_server, token, "POST", "/events", json={"events": events})
    before = call(central_server, token, "GET", "/queue").json()
    assert {s["id"]: s["waiting"] for s in before["services"]} == {"A": 3, "B": 1}
    called = [
        central_server.admin("POST", f"/sites/{SITE.id}/queue/call", {"service": "A", "counter": "2"}).json()[
            "ticket"
        ]
        for _ in range(4)
    ]
    assert called == ["A004", "A001", "A003", None]  # priority first; the voided ticket never
    after = {s["id"]: s for s in call(central_server, token, "GET", "/queue").json()["services"]}
    assert after["A"]["waiting"] == 0 and after["A"]["serving"] == "A003"
    assert isinstance(after["A"]["avg_service_s"], int)
    assert after["B"] == {"id": "B", "waiting": 1, "serving": None, "avg_service_s": None}


def test_config_layers_merge_and_versions_grow(central_server: RunningServer) -> None:
    device, token = enroll(central_server)
    empty = call(central_server, token, "GET", "/config")
    assert empty.json() == {"version": 0, "settings": {}}
    v_site = central_server.admin(
        "PUT",
        f"/sites/{SITE.id}/config",
        {
            "settings": {
                "site": {"name": "UBND xã Mê Linh", "header": "BỘ PHẬN MỘT CỬA"},
                "ui": {"idle_timeout_s": 90},
            }
        },
    ).json()["version"]
    v_dev = central_server.admin(
        "PUT", f"/devices/{device}/config", {"settings": {"ui": {"idle_timeout_s": 45}}}
    ).json()["version"]
    assert v_dev > v_site
    answer = call(central_server, token, "GET", "/config")
    assert answer.json() == {
        "version": v_dev,
        "settings": {
            "site": {"name": "UBND xã Mê Linh", "header": "BỘ PHẬN MỘT CỬA"},
            "ui": {"idle_timeout_s": 45},
        },
    }
    assert (
        call(
            central_server,
            token,
            "GET",
            "/config",
            headers={"If-None-Match": answer.headers["ETag"]},
        ).status_code
        == 304
    )
    v_site2 = central_server.admin("PUT", f"/sites/{SITE.id}/config", {"settings": {}}).json()["version"]
    assert call(central_server, token, "GET", "/config").json()["version"] == v_site2 > v_dev


def test_commands_are_resent_until_acknowledged(central_server: RunningServer) -> None:
    device, token = enroll(central_server)
    command = central_server.admin("POST", f"/devices/{device}/commands", {"type": "sync_now"}).json()
    beat = {"app_version": "0.1.0", "catalogue_version": None, "config_version": 0}
    for _ in range(2):
        answer = call(central_server, token, "POST", "/heartbeat", json=beat).json()
        assert [c["id"] for c in answer["commands"]] == [command["id"]]
    done = {
        "id": "d1",
        "type": "command.done",
        "at": "2026-11-28T08:00:00+07:00",
        "data": {"command": command["id"], "ok": True, "detail": "done"},
    }
    call(central_server, token, "POST", "/events", json={"events": [done]})
    assert call(central_server, token, "POST", "/heartbeat", json=beat).json()["commands"] == []
    listed = central_server.admin("GET", f"/devices/{device}/commands").json()
    assert listed[0]["ok"] is True and listed[0]["done_at"]


def test_heartbeat_is_kept_with_fields_this_server_does_not_know(
    central_server: RunningServer,
) -> None:
    device, token = enroll(central_server)
    beat = {
        "app_version": "0.1.0",
        "outbox_pending": 3,
        "printer": {"state": "paper_near_end", "detail": ""},
        "future_field": [1],
    }
    answer = call(central_server, token, "POST", "/heartbeat", json=beat).json()
    assert answer["release"] is None
    view = central_server.admin("GET", f"/devices/{device}").json()
    assert view["last_heartbeat"]["future_field"] == [1]
    assert view["last_heartbeat"]["printer"]["state"] == "paper_near_end"
    assert view["last_seen_at"]


def test_heartbeat_without_required_fields_is_an_error(central_server: RunningServer) -> None:
    _, token = enroll(central_server)
    answer = call(central_server, token, "POST", "/heartbeat", json={"uptime_s": 5})
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "invalid_request"


def test_unknown_route_and_oversized_body_answer_in_the_error_shape(
    central_server: RunningServer,
) -> None:
    missing = requests.get(f"{central_server.url}{API}/nothing-here", timeout=10)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    big = requests.post(
        f"{central_server.url}{API}/enroll",
        data=b"x" * (5 * 1024 * 1024),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"

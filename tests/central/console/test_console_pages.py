"""The console over plain HTTP on the real server: logins and sessions, CSRF and origin checks,
what each form does (and refuses, losing nothing), and `kiosk-central operator …`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests

from central import cli
from central.auth import hash_secret
from central.console.passwords import hash_password, verify_password
from central.store.sqlite import SQLiteStore
from tests.console_fleet import OPERATOR, PASSWORD, add_operator, enroll
from tests.fixtures_central import SITE, RunningServer

_CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


@pytest.fixture
def server(central_server: RunningServer) -> RunningServer:
    add_operator(central_server)
    return central_server


def login(server: RunningServer, password: str = PASSWORD, name: str = OPERATOR) -> requests.Session:
    browser = requests.Session()
    answer = browser.post(
        f"{server.url}/console/login", data={"name": name, "password": password}, allow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    return browser


def csrf(browser: requests.Session, server: RunningServer, path: str = "/console/") -> str:
    match = _CSRF.search(browser.get(f"{server.url}{path}").text)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_pages_need_a_login_and_a_wrong_password_gets_nowhere(server: RunningServer) -> None:
    anonymous = requests.get(f"{server.url}/console/kiosks/kiosk-0001?x=1", allow_redirects=False, timeout=10)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/console/login?next=/console/kiosks/kiosk-0001%3Fx%3D1"

    wrong = requests.post(
        f"{server.url}/console/login", data={"name": OPERATOR, "password": "sai"}, timeout=10
    )
    assert wrong.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in wrong.text
    unknown = requests.post(f"{server.url}/console/login", data={"name": "ai-do", "password": PASSWORD})
    assert unknown.status_code == 401 and "kiosk_console" not in unknown.cookies


def test_login_sets_a_strict_httponly_session_cookie_kept_only_hashed(server: RunningServer) -> None:
    answer = requests.post(
        f"{server.url}/console/login",
        data={"name": OPERATOR, "password": PASSWORD, "next": "/console/releases"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.headers["location"] == "/console/releases"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback; behind TLS the cookie is Secure
    token = answer.cookies["kiosk_console"]
    db = server.store._db()
    assert db.execute(
        "SELECT COUNT(*) FROM console_sessions WHERE session_hash = ?", [hash_secret(token)]
    ).fetchone()[0]
    assert not db.execute("SELECT COUNT(*) FROM console_sessions WHERE session_hash = ?", [token]).fetchone()[
        0
    ]
    page = requests.get(f"{server.url}/console/", cookies={"kiosk_console": token}, timeout=10)
    assert page.status_code == 200 and OPERATOR in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "target", ["https://elsewhere.example/", "//elsewhere.example/", "/console//x.example"]
)
def test_login_never_sends_the_operator_to_another_site(server: RunningServer, target: str) -> None:
    answer = requests.post(
        f"{server.url}/console/login",
        data={"name": OPERATOR, "password": PASSWORD, "next": target},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.headers["location"] == "/console/"


def test_repeated_failures_lock_the_name_for_a_while(server: RunningServer) -> None:
    for _ in range(5):
        requests.post(
            f"{server.url}/console/login", data={"name": OPERATOR, "password": "sai-roi"}, timeout=10
        )
    locked = requests.post(f"{server.url}/console/login", data={"name": OPERATOR, "password": PASSWORD})
    assert locked.status_code == 429 and "thử lại sau 5 phút" in locked.text


def test_forms_without_the_csrf_token_or_from_another_origin_change_nothing(server: RunningServer) -> None:
    browser = login(server)
    kiosk = enroll(server, SITE.id, "rpi-csrf")
    url = f"{server.url}/console/kiosks/{kiosk.device_id}/commands"
    assert browser.post(url, data={"type": "sync_now"}).status_code == 403
    assert browser.post(url, data={"type": "sync_now", "csrf": "0" * 64}).status_code == 403
    token = csrf(browser, server)
    foreign = browser.post(
        url, data={"type": "sync_now", "csrf": token}, headers={"Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    assert server.store.list_commands(kiosk.device_id) == []

    proxied = {"Origin": "https://kiosk.tinh.gov.vn", "X-Forwarded-Host": "kiosk.tinh.gov.vn"}
    assert browser.post(url, data={"type": "sync_now", "csrf": token}, headers=proxied).status_code == 200
    done = browser.post(url, data={"type": "sync_now", "csrf": token}, headers={"Origin": server.url})
    assert done.status_code == 200 and "Đã xếp lệnh" in done.text
    assert [c.type for c in server.store.list_commands(kiosk.device_id)] == ["sync_now", "sync_now"]
    assert kiosk.heartbeat()["commands"][0]["type"] == "sync_now"  # it rides on the heartbeat


def test_reprint_needs_a_ticket_number_and_unknown_types_are_refused(server: RunningServer) -> None:
    browser = login(server)
    kiosk = enroll(server, SITE.id, "rpi-reprint")
    url = f"{server.url}/console/kiosks/{kiosk.device_id}/commands"
    token = csrf(browser, server)
    bad = browser.post(url, data={"type": "reprint_ticket", "ticket": "12", "csrf": token})
    assert bad.status_code == 422 and "ví dụ A012" in bad.text
    assert browser.post(url, data={"type": "format_disk", "csrf": token}).status_code == 422
    assert server.store.list_commands(kiosk.device_id) == []
    browser.post(url, data={"type": "reprint_ticket", "ticket": "a012", "day": "2026-11-28", "csrf": token})
    [command] = server.store.list_commands(kiosk.device_id)
    assert (command.type, command.args) == ("reprint_ticket", {"ticket": "A012", "day": "2026-11-28"})
    assert browser.get(f"{server.url}/console/kiosks/kiosk-9999").status_code == 404


def test_logout_and_a_new_password_end_sessions(server: RunningServer) -> None:
    first, second = login(server), login(server)
    out = first.post(
        f"{server.url}/console/logout", data={"csrf": csrf(first, server)}, allow_redirects=False
    )
    assert out.status_code == 303 and out.headers["location"] == "/console/login?done=logged_out"
    assert first.get(f"{server.url}/console/", allow_redirects=False).status_code == 303
    assert second.get(f"{server.url}/console/", allow_redirects=False).status_code == 200
    server.store.set_operator_password(OPERATOR, hash_password("mật-khẩu-mới-2027"), server.clock())
    assert second.get(f"{server.url}/console/", allow_redirects=False).status_code == 303


def test_sessions_end_after_a_working_day(server: RunningServer) -> None:
    browser = login(server)
    server.clock.advance(11 * 3600)
    assert browser.get(f"{server.url}/console/", allow_redirects=False).status_code == 200
    server.clock.advance(2 * 3600)
    assert browser.get(f"{server.url}/console/", allow_redirects=False).status_code == 303


def test_fleet_filters_are_query_parameters(server: RunningServer) -> None:
    browser = login(server)
    quiet, broken = enroll(server, SITE.id, "rpi-a"), enroll(server, SITE.id, "rpi-b")
    quiet.heartbeat()
    broken.heartbeat(printer="paper_out", detail="Hết giấy")
    page = browser.get(f"{server.url}/console/?state=printer").text
    assert f'data-device="{broken.device_id}"' in page and f'data-device="{quiet.device_id}"' not in page
    assert "Hết giấy" in page
    both = browser.get(f"{server.url}/console/?sort=id&dir=desc&q=kiosk").text
    assert both.index(broken.device_id) < both.index(quiet.device_id)
    assert browser.get(f"{server.url}/console/?sort=nonsense").status_code == 200


def test_catalogue_upload_lists_every_problem_and_publishes_only_a_valid_file(
    server: RunningServer, tmp_path: Path
) -> None:
    browser = login(server)
    token = csrf(browser, server, "/console/catalogue")
    url = f"{server.url}/console/catalogue"
    broken = {"format": "kiosk-catalogue/1", "version": 3, "fields": [], "procedures": [{"code": "x"}, {}]}
    answer = browser.post(url, data={"csrf": token}, files={"file": ("c.json", json.dumps(broken).encode())})
    assert answer.status_code == 422 and "chưa phát hành" in answer.text
    assert answer.text.count('data-label="Vị trí"') >= 2  # each problem on its own row
    not_json = browser.post(url, data={"csrf": token}, files={"file": ("c.json", b"\xff{")})
    assert not_json.status_code == 422 and "không phải JSON" in not_json.text
    assert server.store.catalogue_head() is None

    good = {
        "format": "kiosk-catalogue/1",
        "version": 3,
        "fields": [{"id": "ho-tich", "name": "Hộ tịch"}],
        "procedures": [{"code": "1.001193", "name": "Đăng ký khai sinh", "field": "ho-tich", "level": "xa"}],
    }
    published = browser.post(url, data={"csrf": token}, files={"file": ("c.json", json.dumps(good).encode())})
    assert published.status_code == 200 and "Đã phát hành phiên bản 3: 1 thủ tục" in published.text
    again = browser.post(url, data={"csrf": token}, files={"file": ("c.json", json.dumps(good).encode())})
    assert again.status_code == 409
    assert [v.version for v in server.store.list_catalogue_versions(10)] == [3]


def test_enrolment_codes_are_shown_once_and_listed_by_their_last_characters(server: RunningServer) -> None:
    browser = login(server)
    token = csrf(browser, server, "/console/enrolment")
    made = browser.post(
        f"{server.url}/console/enrolment", data={"site": SITE.id, "hours": "48", "csrf": token}
    )
    assert made.status_code == 201
    code = re.search(r'<p class="code">([0-9A-Z]{4}-[0-9A-Z]{4})</p>', made.text).group(1)  # type: ignore[union-attr]
    listing = browser.get(f"{server.url}/console/enrolment").text
    assert code not in listing and f"••••-••{code[-2:]}" in listing and SITE.name in listing
    assert enroll_with(server, code) == 201
    assert f"••••-••{code[-2:]}" not in browser.get(f"{server.url}/console/enrolment").text  # used
    refused = browser.post(f"{server.url}/console/enrolment", data={"site": "nowhere", "csrf": token})
    assert refused.status_code == 422


def enroll_with(server: RunningServer, code: str) -> int:
    body = {"enrollment_code": code, "hardware_id": "rpi-new", "app_version": "1.0.0"}
    return requests.post(f"{server.url}/api/v1/enroll", json=body, timeout=10).status_code


def test_console_pages_stay_out_of_the_api_document(server: RunningServer) -> None:
    paths = requests.get(f"{server.url}/openapi.json", timeout=10).json()["paths"]
    assert not [p for p in paths if p.startswith("/console")]


def test_operator_cli_sets_lists_and_removes_logins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "c.db")
    secret = tmp_path / "pw"
    secret.write_text("ngắn\n", encoding="utf-8")
    assert cli.main(["operator", "set", "lan.nguyen", "--password-file", str(secret), "--db", db]) == 1
    assert "at least 10 characters" in capsys.readouterr().err
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    assert cli.main(["operator", "set", "Lan Nguyen", "--password-file", str(secret), "--db", db]) == 1
    assert cli.main(["operator", "set", "lan.nguyen", "--password-file", str(secret), "--db", db]) == 0
    assert cli.main(["operator", "list", "--db", db]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "lan.nguyen"
    store = SQLiteStore(db)
    assert verify_password(PASSWORD, store.operator_password_hash("lan.nguyen"))
    assert PASSWORD not in (store.operator_password_hash("lan.nguyen") or "")
    store.close()
    assert cli.main(["operator", "remove", "lan.nguyen", "--db", db]) == 0
    assert cli.main(["operator", "remove", "lan.nguyen", "--db", db]) == 1

"""Counter officers: created by `kiosk-central staff`, passwords kept as scrypt hashes, sessions
that end (a new password, removal, expiry), CSRF-safe forms, the page in Vietnamese."""

from __future__ import annotations

from pathlib import Path

import requests

from central.cli import main as central_main
from tests.fixtures_calling import PASSWORD, CallingSite, Counter
from tests.fixtures_central import SITE, RunningServer


def test_staff_cli_sets_lists_and_removes(tmp_path: Path, capsys: object) -> None:
    db = str(tmp_path / "c.db")
    assert central_main(["site", "set", SITE.id, "--name", SITE.name, "--db", db]) == 0
    pw = tmp_path / "pw"
    pw.write_text("mot-hai-ba-bon\n", encoding="utf-8")
    assert (
        central_main(
            [
                "staff",
                "set",
                "hoa.tran",
                "--site",
                SITE.id,
                "--role",
                "supervisor",
                "--password-file",
                str(pw),
                "--db",
                db,
            ]
        )
        == 0
    )
    assert (
        central_main(["staff", "set", "x", "--site", "nowhere", "--password-file", str(pw), "--db", db]) == 1
    )
    from central.store.sqlite import SQLiteStore

    store = SQLiteStore(db)
    stored = store.staff_password_hash(SITE.id, "hoa.tran")
    assert stored is not None and stored.startswith("scrypt$") and "mot-hai" not in stored
    assert [m.role for m in store.list_staff(SITE.id)] == ["supervisor"]
    store.close()
    assert central_main(["staff", "remove", "hoa.tran", "--site", SITE.id, "--db", db]) == 0
    assert central_main(["staff", "remove", "hoa.tran", "--site", SITE.id, "--db", db]) == 1


def test_wrong_password_and_expired_session_change_nothing(calling_site: CallingSite) -> None:
    calling_site.issue("A001")
    officer = calling_site.officer("lan", "1", ["A"])
    day = calling_site.day
    stranger = Counter(calling_site.server.url, "lan")
    answer = stranger.login(password="sai-mat-khau-roi")
    assert answer.status_code == 401 and "Sai đơn vị, tên đăng nhập hoặc mật khẩu." in answer.text
    calling_site.server.clock.advance(11 * 3600)  # a shift is 10 hours
    expired = officer.press("call_next")
    assert expired.status_code == 401 and expired.json()["error"]["code"] == "session_expired"
    page = officer.http.get(f"{calling_site.server.url}/counter/", allow_redirects=False, timeout=10)
    assert page.status_code == 303 and page.headers["location"] == "/counter/login"
    ticket = calling_site.server.store.calling_ticket(SITE.id, day, "A001")
    assert ticket is not None and ticket.state == "waiting"


def test_a_new_password_signs_the_officer_out(calling_site: CallingSite) -> None:
    officer = calling_site.officer("lan", "1", ["A"])
    calling_site.officer("lan", "1", ["A"])  # set again: same password, sessions end anyway
    assert officer.press("call_next").status_code == 401


def test_posts_need_the_csrf_token_and_this_origin(calling_site: CallingSite) -> None:
    calling_site.issue("A001")
    officer = calling_site.officer("lan", "1", ["A"])
    url = f"{calling_site.server.url}/counter/action"
    forged = officer.http.post(
        url, data={"key": "k" * 12, "action": "call_next", "csrf": "0" * 64}, timeout=10
    )
    assert forged.status_code == 403
    other = officer.http.post(
        url,
        data={"key": "k" * 12, "action": "call_next", "csrf": officer.csrf},
        headers={"Origin": "https://evil.example"},
        timeout=10,
    )
    assert other.status_code == 403
    assert calling_site.queue()["A"]["waiting"] == 1


def test_counter_page_is_vietnamese_and_shows_the_ticket(calling_site: CallingSite) -> None:
    calling_site.issue("A001", "A002")
    officer = calling_site.officer("lan", "1", ["A"])
    officer.called()
    page = officer.http.get(f"{calling_site.server.url}/counter/", timeout=10)
    assert page.status_code == 200 and 'lang="vi"' in page.text
    for text in ("Đang phục vụ", "A001", "Gọi số tiếp theo", "Vắng mặt", "Chuyển", "Hộ tịch", PASSWORD[:0]):
        assert text in page.text
    assert "cookie" not in requests.get(f"{calling_site.server.url}/counter/login", timeout=10).text.lower()


def test_console_adds_and_removes_officers(calling_server: RunningServer) -> None:
    from tests.central.console.test_console_pages import csrf, login
    from tests.console_fleet import add_operator

    server = calling_server
    add_operator(server)
    browser = login(server)
    token = csrf(browser, server, "/console/staff")
    url = f"{server.url}/console/staff"
    weak = browser.post(url, data={"csrf": token, "site": SITE.id, "name": "hoa", "password": "ngan"})
    assert weak.status_code == 422 and "ít nhất 10 ký tự" in weak.text
    saved = browser.post(
        url,
        data={
            "csrf": token,
            "site": SITE.id,
            "name": "hoa",
            "role": "supervisor",
            "password": "mot-hai-ba-bon",
        },
    )
    assert saved.status_code == 200 and "Trưởng bộ phận" in saved.text and "Đã lưu cán bộ." in saved.text
    assert Counter(server.url, "hoa").login("mot-hai-ba-bon").status_code == 303
    forged = browser.post(
        url, data={"csrf": "0" * 64, "site": SITE.id, "name": "x", "password": "mot-hai-ba-bon"}
    )
    assert forged.status_code == 403
    browser.post(f"{url}/remove", data={"csrf": token, "site": SITE.id, "name": "hoa"})
    assert Counter(server.url, "hoa").login("mot-hai-ba-bon").status_code == 401

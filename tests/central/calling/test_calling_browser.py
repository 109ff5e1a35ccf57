"""Calling in a real browser: Debian's Chromium (/usr/bin/chromium) driven by Playwright against
the real server on loopback. Tickets come from a real kiosk (its own state database, the sync
agent's real client); two officers sign in at two counter pages and call at the same moment;
the lobby display receives each call live and plays its announcement (the audio element's
events), and keeps working through a server restart without a reload. With
CALLING_SCREENSHOTS=DIR the pages' screenshots are kept there (docs/screenshots)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from central.console.passwords import hash_password
from kiosk.protocol.ticket_link import ticket_token
from tests.fixtures_calling import demo_services
from tests.fixtures_central import SITE, Kiosk, RunningServer

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
    # A fake sound card: the machine running the tests has none, and the display would (rightly)
    # say "no speaker". tests/central/calling/test_display_sound.py runs without it.
    "--use-fake-device-for-media-stream",
]
PASSWORD = "mat-khau-quay-1"
LIVE_MS = 5_000  # generous: a call shows within 1 s; the figure itself is bench/bench_calling.py's


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield launched
        launched.close()


def open_around_the_clock(server: RunningServer, kiosk: Kiosk) -> None:
    """The site's services pushed by the server, and taken by the kiosk's real config sync."""
    server.admin("PUT", f"/sites/{SITE.id}/config", {"settings": {"queue": {"services": demo_services()}}})
    assert kiosk.agent().sync_once().ok


def new_tab(browser: Browser, width: int, height: int) -> Page:
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": height})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    return tab


def sign_in(tab: Page, server: RunningServer, name: str, counter: str) -> None:
    server.store.set_staff(SITE.id, name, "officer", hash_password(PASSWORD), server.clock())
    tab.goto(f"{server.url}/counter/login")
    tab.get_by_label("Tên đăng nhập").fill(name)
    tab.get_by_label("Mật khẩu").fill(PASSWORD)
    tab.get_by_role("button", name="Đăng nhập").click()
    tab.get_by_label("Quầy làm việc").select_option(counter)
    tab.get_by_role("button", name="Bắt đầu làm việc").click()
    expect(tab.locator("#counter-no")).to_have_text(counter)


def restart(server: RunningServer) -> None:
    """Stop the server and start it again on the same port with the same app (the store stays)."""
    port = int(server.url.rsplit(":", 1)[1])
    app = server.server.config.app
    server.server.should_exit = True
    server.thread.join(timeout=10)
    time.sleep(1.5)  # the display notices it is gone
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server.server = uvicorn.Server(config)
    server.thread = threading.Thread(target=server.server.run, daemon=True)
    server.thread.start()
    deadline = time.monotonic() + 15
    while not server.server.started and time.monotonic() < deadline:
        time.sleep(0.05)


def announced(display: Page, count: int) -> None:
    """Wait (30 s at most) until `count` announcements have played to their end."""
    ended = 0
    for _ in range(300):
        ended = display.evaluate("window.announcements.filter(a => a.outcome === 'ended').length")
        if ended >= count:
            return
        display.wait_for_timeout(100)
    raise AssertionError(f"{ended} announcements played, not {count}")


@pytest.mark.slow
def test_two_counters_call_and_the_display_announces_live(
    browser: Browser, central_server: RunningServer, kiosk: Kiosk
) -> None:
    open_around_the_clock(central_server, kiosk)
    kiosk.issue(5, service="A")
    assert kiosk.agent().heartbeat_pass().ok  # the kiosk's real outbox push
    display = new_tab(browser, 1920, 1080)
    display.goto(f"{central_server.url}/display/{SITE.id}?repeat=1")
    display.evaluate("window.sameDocument = true")
    one, two = new_tab(browser, 1366, 900), new_tab(browser, 820, 1180)
    sign_in(one, central_server, "lan", "1")
    sign_in(two, central_server, "minh", "2")
    # Both press at once: different tickets, never the same one.
    one.locator("#call-next").click(no_wait_after=True)
    two.locator("#call-next").click(no_wait_after=True)
    expect(one.locator("#current")).not_to_have_text("—")
    expect(two.locator("#current")).not_to_have_text("—")
    first, second = one.locator("#current").inner_text(), two.locator("#current").inner_text()
    assert {first, second} == {"A001", "A002"}
    expect(display.locator("#history li")).to_have_count(1, timeout=LIVE_MS)
    announced(display, 2)
    # Recall: announced again.
    one.locator("#recall").click()
    expect(one.locator("#message")).to_have_text(f"Đã gọi lại số {first}.")
    announced(display, 3)
    # No-show, then the next citizen, then the no-show called back.
    one.locator("#no-show").click()
    expect(one.locator("#message")).to_have_text(f"Số {first}: vắng mặt.")
    one.locator("#call-next").click()
    expect(one.locator("#current")).to_have_text("A003")
    one.locator(f"#call-back-{first}").click()
    expect(one.locator("#current")).to_have_text(first)
    expect(display.locator("#latest-ticket")).to_have_text(first, timeout=LIVE_MS)
    # Transfer to counter 2's service B, then served.
    one.locator("#to-service").select_option("B")
    one.locator("#transfer").click()
    expect(one.locator("#message")).to_have_text(f"Đã chuyển số {first}.")
    two.locator("#served").click()
    expect(two.locator("#message")).to_have_text(f"Số {second}: đã phục vụ xong.")
    # The server restarts: the display says so, keeps its last state, and recovers by itself.
    restart(central_server)
    two.locator("#call-next").click()
    expect(two.locator("#current")).to_have_text("A004")
    expect(display.locator("#latest-ticket")).to_have_text("A004", timeout=LIVE_MS * 2)
    assert display.evaluate("window.sameDocument") is True  # no reload happened
    shots = os.environ.get("CALLING_SCREENSHOTS")
    if shots:
        save_screenshots(Path(shots), display, one, two, central_server, kiosk)


def test_the_display_says_when_the_server_is_gone(browser: Browser, central_server: RunningServer) -> None:
    display = new_tab(browser, 1920, 1080)
    display.goto(f"{central_server.url}/display/{SITE.id}")
    expect(display.locator("#status")).not_to_contain_text("Mất kết nối")
    central_server.server.should_exit = True
    central_server.thread.join(timeout=10)
    expect(display.locator("#status")).to_contain_text("Mất kết nối máy chủ", timeout=15_000)
    expect(display.locator(".office")).to_have_text(SITE.name)  # the last state stays


def test_the_number_fills_an_eighth_of_a_1080p_screen(
    browser: Browser, central_server: RunningServer
) -> None:
    display = new_tab(browser, 1920, 1080)
    display.goto(f"{central_server.url}/display/{SITE.id}")
    box = display.locator("#latest-ticket").bounding_box()
    assert box is not None and box["height"] >= 1080 / 8


def test_the_phone_page_follows_the_ticket(
    browser: Browser, central_server: RunningServer, kiosk: Kiosk
) -> None:
    open_around_the_clock(central_server, kiosk)
    kiosk.issue(2, service="A")
    assert kiosk.agent().heartbeat_pass().ok
    day = kiosk.db.execute("SELECT day FROM tickets ORDER BY number LIMIT 1").fetchone()[0]
    key = central_server.store.find_tickets(day, "A002")[0][2]
    assert key is not None
    phone = new_tab(browser, 390, 844)
    phone.goto(f"{central_server.url}/p/{day}/A002/{ticket_token(key, day, 'A002')}")
    expect(phone.locator("#headline")).to_have_text("Còn 1 người trước quý khách")
    if os.environ.get("CALLING_SCREENSHOTS"):
        Path(os.environ["CALLING_SCREENSHOTS"]).mkdir(parents=True, exist_ok=True)
        phone.screenshot(
            path=str(Path(os.environ["CALLING_SCREENSHOTS"]) / "calling-phone.png"), full_page=True
        )
    counter = new_tab(browser, 1366, 900)
    sign_in(counter, central_server, "lan", "1")
    counter.locator("#call-next").click()
    expect(phone.locator("#headline")).to_have_text("Quý khách là người tiếp theo", timeout=LIVE_MS)
    counter.locator("#call-next").click()
    expect(phone.locator("#headline")).to_have_text("Mời quý khách đến Quầy 1", timeout=LIVE_MS)
    counter.locator("#no-show").click()
    expect(phone.locator("#headline")).to_contain_text("vắng mặt", timeout=LIVE_MS)
    wrong = phone.request.get(f"{central_server.url}/p/{day}/A002/{'x' * 22}")
    assert wrong.status == 404


def save_screenshots(
    out: Path, display: Page, desktop: Page, tablet: Page, server: RunningServer, kiosk: Kiosk
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    display.wait_for_timeout(500)
    display.screenshot(path=str(out / "calling-display-1920x1080.png"))
    desktop.locator("#call-next").click()
    expect(desktop.locator("#current")).to_have_text("A005")
    desktop.screenshot(path=str(out / "calling-counter-desktop.png"), full_page=True)
    tablet.reload()
    tablet.screenshot(path=str(out / "calling-counter-tablet.png"), full_page=True)

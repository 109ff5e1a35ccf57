"""The fleet console in a real browser: Debian's Chromium (/usr/bin/chromium), driven by
Playwright, against the real server on loopback with real kiosks (their own state databases,
the sync agent's real client). One browser for the module; a fresh server per test.

Screenshots of every page at desktop and phone widths are taken in the last test; with
CONSOLE_SCREENSHOTS=DIR they are kept there (docs/screenshots is where they live)."""

from __future__ import annotations

import os
import shutil
import unicodedata
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.drivers.ports import PrinterState, PrinterStatus
from kiosk.services import record_printer_status
from kiosk.sync.answers import ServerCommand
from tests.console_fleet import OPERATOR, PASSWORD, add_operator, demo_fleet
from tests.fixtures_central import Kiosk, RunningServer, publish_releases
from tests.fixtures_updates import V2, Keys

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import BrowserContext, Page, expect, sync_playwright  # noqa: E402

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {"desktop": (1366, 900), "phone": (390, 844)}


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),  # a fresh user-data-dir
            executable_path=str(CHROMIUM),
            headless=True,
            args=ARGS,
            locale="vi-VN",
            viewport={"width": 1366, "height": 900},
        )
        yield context
        context.close()


@pytest.fixture
def page(browser: BrowserContext, central_server: RunningServer) -> Iterator[Page]:
    """A tab with no session (each test's server is new, on the same host)."""
    add_operator(central_server)
    browser.clear_cookies()
    tab = browser.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    tab.close()


def log_in(page: Page, server: RunningServer) -> None:
    page.goto(f"{server.url}/console/login")
    page.get_by_label("Tên đăng nhập").fill(OPERATOR)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator(".who")).to_have_text(OPERATOR)


def test_operator_logs_in_and_sees_the_fleet(page: Page, central_server: RunningServer, kiosk: Kiosk) -> None:
    page.goto(f"{central_server.url}/console/")
    expect(page).to_have_url(f"{central_server.url}/console/login?next=/console/")
    page.get_by_label("Tên đăng nhập").fill(OPERATOR)
    page.get_by_label("Mật khẩu").fill("không đúng")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_have_text("Sai tên đăng nhập hoặc mật khẩu.")

    log_in(page, central_server)
    expect(page).to_have_url(f"{central_server.url}/console/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kiosk")
    expect(page.locator(f'tr[data-device="{kiosk.device_id}"]')).to_contain_text("Chưa kết nối")


def test_a_kiosk_runs_out_of_paper_then_goes_offline(
    page: Page, central_server: RunningServer, kiosk: Kiosk
) -> None:
    record_printer_status(kiosk.db, PrinterStatus(PrinterState.ready), datetime.now(UTC))
    assert kiosk.agent().heartbeat_pass().ok
    log_in(page, central_server)
    row = page.locator(f'tr[data-device="{kiosk.device_id}"]')
    expect(row.locator(".badge").first).to_have_text("Trực tuyến")
    expect(row).to_contain_text("Sẵn sàng")
    expect(row).to_have_class("sev-ok")

    # what the UI's printer status monitor leaves for the agent
    record_printer_status(kiosk.db, PrinterStatus(PrinterState.paper_out, "Hết giấy"), datetime.now(UTC))
    assert kiosk.agent().heartbeat_pass().ok
    page.reload()
    expect(row).to_contain_text("Hết giấy")
    expect(row).to_have_class("sev-error")
    page.get_by_role("link", name="Máy in 1").click()  # the summary chip filters to it
    expect(page.locator("tbody tr")).to_have_count(1)

    central_server.clock.advance(central_server_offline_after(page, central_server) + 1)
    page.goto(f"{central_server.url}/console/kiosks/{kiosk.device_id}")
    expect(page.locator("#connection")).to_have_text("Mất kết nối")
    page.goto(f"{central_server.url}/console/?state=offline")
    expect(page.locator(f'tr[data-device="{kiosk.device_id}"]')).to_contain_text("Mất kết nối")


def central_server_offline_after(page: Page, server: RunningServer) -> float:
    """The window the server uses, as the fleet page states it (minutes)."""
    text = page.locator("main > p.muted.small").inner_text()
    minutes = int(text.split("trong ")[1].split(" phút")[0])
    return minutes * 60.0


def test_print_test_is_queued_and_acknowledged_by_the_kiosk(
    page: Page, central_server: RunningServer, kiosk: Kiosk
) -> None:
    log_in(page, central_server)
    page.goto(f"{central_server.url}/console/kiosks/{kiosk.device_id}")
    page.get_by_role("button", name="In trang thử").click()
    expect(page.locator(".notice")).to_contain_text("Đã xếp lệnh")
    command = page.locator('#commands tr[data-command="print_test"]')
    expect(command).to_have_attribute("data-state", "pending")
    expect(command).to_contain_text("Đang chờ kiosk")

    printed: list[dict[str, object]] = []

    def print_test(command: ServerCommand) -> tuple[bool, str]:
        printed.append(command.args)
        return True, "đã in trang thử"

    report = kiosk.agent(handlers={"print_test": print_test}).heartbeat_pass()  # runs it, sends command.done
    assert report.ok and printed == [{}]
    page.reload()
    expect(command).to_have_attribute("data-state", "ok")
    expect(command).to_contain_text("Đã xong")
    expect(command).to_contain_text("đã in trang thử")
    expect(page.locator(".events")).to_contain_text("Lệnh đã chạy")


def test_a_rollout_started_in_the_console_halts_on_failed_updates(
    page: Page,
    central_server: RunningServer,
    make_kiosk: Callable[[], Kiosk],
    tmp_path: Path,
    keys: Keys,
    release_wheels: dict[str, Path],
) -> None:
    publish_releases(central_server, tmp_path, keys, release_wheels)
    canary = [make_kiosk(), make_kiosk()]
    log_in(page, central_server)
    page.get_by_role("link", name="Phát hành").click()
    form = page.locator("#start-rollout")
    form.get_by_label("Phiên bản").select_option(V2)
    form.get_by_label("Kiosk thử nghiệm").fill(", ".join(k.device_id for k in canary))
    form.get_by_label("Ngưỡng lỗi").fill("50")
    form.get_by_label("Số kết quả tối thiểu").fill("2")
    form.get_by_role("button", name="Bắt đầu triển khai").click()
    expect(page.locator(".notice")).to_have_text("Đã bắt đầu triển khai.")
    expect(page.locator("#rollout-state")).to_have_text("Đang triển khai")

    for kiosk in canary:
        offers: list[dict[str, object]] = []
        kiosk.agent(on_release=offers.append).heartbeat_pass()
        assert [o["version"] for o in offers] == [V2]
        kiosk.report_update(False, V2, "health", "giao diện không sẵn sàng sau 180 giây")
        assert kiosk.agent().heartbeat_pass().ok
    page.reload()
    expect(page.locator("#rollout-state")).to_have_text("Đã dừng do lỗi")
    expect(page.locator("#halt-reason")).to_contain_text("2 trên 2 kiosk cập nhật thất bại")
    expect(page.locator("#rollout-failed")).to_have_text("2 thất bại")
    expect(page.get_by_role("button", name="Chuyển giai đoạn tiếp")).to_have_count(0)

    page.once("dialog", lambda dialog: dialog.accept())  # "halted on failures: resume anyway?"
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("#rollout-state")).to_have_text("Đang triển khai")


def check_and_shoot(page: Page, name: str, size: str, shots: Path) -> None:
    """The page has its text right and fits the screen's width; then its screenshot."""
    text = page.locator("body").inner_text()
    assert unicodedata.is_normalized("NFC", text), name
    assert "None" not in text and "undefined" not in text, (name, size)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} is {overflow}px wider than a {size} screen"
    page.screenshot(path=str(shots / f"console-{name}-{size}.png"), full_page=True)


def test_every_page_fits_desktop_and_phone_screens(
    page: Page,
    central_server: RunningServer,
    tmp_path: Path,
    keys: Keys,
    release_wheels: dict[str, Path],
) -> None:
    fleet = demo_fleet(central_server, tmp_path, keys, release_wheels)
    shots = tmp_path / "shots"
    shots.mkdir()
    for size, (width, height) in VIEWPORTS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{central_server.url}/console/login")
        check_and_shoot(page, "login", size, shots)
    log_in(page, central_server)
    pages = {
        "fleet": "/console/",
        "kiosk": f"/console/kiosks/{fleet[2].device_id}",
        "releases": "/console/releases",
        "catalogue": "/console/catalogue",
        "enrolment": "/console/enrolment",
    }
    for size, (width, height) in VIEWPORTS.items():
        page.set_viewport_size({"width": width, "height": height})
        for name, path in pages.items():
            page.goto(f"{central_server.url}{path}")
            check_and_shoot(page, name, size, shots)
    keep = os.environ.get("CONSOLE_SCREENSHOTS")
    if keep:
        for shot in shots.iterdir():
            shutil.copyfile(shot, Path(keep) / shot.name)

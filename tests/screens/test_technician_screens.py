"""Technician mode through the real app, headless, with real touch events: the corner gesture,
the PIN pad and its lock-out, the status screen, the printer through the virtual printer on a
real pty, enrolment and sync carried out by a real agent (in a thread, on its own connection to
the same state database) against the real central server, the screen saying so when no agent
runs, reprint and void, the log, and the ways out (leave, idle timeout, restart)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk import config, outbox, store
from kiosk.device import agent_requests
from kiosk.drivers.virtual.printer import Simulated, VirtualPrinter
from kiosk.queue import issuing
from kiosk.queue import numbering as queue
from kiosk.technician import pin as technician
from kiosk.technician import settings as technician_settings
from tests.fixtures_core import DEMO_CONFIG

pytestmark = pytest.mark.ui
PIN = "2468"
# Half the 1080p window: a quarter of the pixels to draw per frame; the layout scales with it.
SIZE = "540x960"
# Limits, not timings: enrolment is one call, never retried, and a loaded CI machine is slow.
SERVER = {"server.connect_timeout_s": 2.0, "server.read_timeout_s": 15.0, "server.call_deadline_s": 20.0}


@pytest.fixture
def agent_beside(state_dir: Path) -> Iterator[Any]:
    """agent_beside(server_url): the real sync agent (kiosk.sync.agent.Agent) running its loop
    in a thread beside the app, as kiosk-agent.service runs beside kiosk.service."""
    from kiosk.sync.agent import Agent
    from kiosk.sync.client import RetryPolicy

    running: list[tuple[threading.Event, threading.Thread, Any]] = []

    def start(server_url: str) -> Any:
        overrides = {"server.url": server_url, **SERVER}
        loaded = config.load(site_file=DEMO_CONFIG, state_dir=state_dir, overrides=overrides)
        db = store.open_state(state_dir)
        retry = RetryPolicy(attempts=3, base_s=0.01, cap_s=0.05)
        agent = Agent(db, state_dir, loaded, site_file=DEMO_CONFIG, retry=retry)
        stop = threading.Event()
        thread = threading.Thread(target=agent.run, args=(stop,), name="agent", daemon=True)
        thread.start()
        running.append((stop, thread, db))
        return agent

    yield start
    for stop, thread, db in running:
        stop.set()
        thread.join(60)
        db.close()


@pytest.fixture
def pin_hash() -> str:
    return technician.hash_pin(PIN)


@pytest.fixture
def settings(state_dir: Path, pin_hash: str) -> config.Settings:
    """The demo site with the technician PIN pushed as a setting, in the file the agent writes
    (so the UI's restart check reads the same settings back)."""
    pushed = {"version": 1, "settings": {"technician": {"pin_hash": pin_hash}}}
    (state_dir / config.SERVER_SETTINGS_FILE).write_text(json.dumps(pushed), encoding="utf-8")
    return config.load(site_file=DEMO_CONFIG, state_dir=state_dir).settings


def button(ui: Any, text: str) -> Any:
    ui.pump(frames=2)  # a screen just switched to lays itself out first
    hits = ui.find(
        lambda w: getattr(w, "text", None) == text and hasattr(w, "state") and hasattr(w, "on_release")
    )
    assert hits, f"no button {text!r} on {ui.app.sm.current}: {ui.texts()}"
    return hits[0]


def corner_taps(ui: Any, count: int = 5) -> None:
    inset = 50 * ui.app.u  # well inside the 120-unit corner
    for _ in range(count):
        ui.tap_at(inset, ui.window.height - inset)


def type_keys(ui: Any, keys: str) -> None:
    for key in keys:
        ui.tap(button(ui, key))


def enter_technician_mode(ui: Any, pin: str = PIN) -> None:
    corner_taps(ui)
    assert ui.app.sm.current == "tech_pin"
    type_keys(ui, pin)
    ui.tap(button(ui, "Xác nhận"))
    ui.until(lambda: ui.app.sm.current == "tech_status")


def with_printer(app_factory: Any, settings: config.Settings, virtual_printer: VirtualPrinter) -> Any:
    """The app on the virtual printer, once the printer answered."""
    ui = app_factory(settings, size=SIZE, printer_url=virtual_printer.device)
    ui.until(lambda: ui.app.services.printer_status.can_print)
    return ui


def open_printer_screen(ui: Any) -> Any:
    ui.tap(button(ui, "Máy in"))
    assert ui.app.sm.current == "tech_printer"
    return ui.app.sm.get_screen("tech_printer")


def past_the_pin(ui: Any) -> None:
    """Straight to technician status: the gesture and the PIN have their own tests above."""
    ui.app.sm.go("tech_status")
    ui.pump(frames=2)


def test_gesture_opens_the_pin_pad_and_the_right_pin_opens_status(app_factory, state_dir: Path) -> None:
    technician.write_pin_file(state_dir, technician.hash_pin("1357"))  # as `kiosk set-pin` does
    ui = app_factory(size=SIZE)
    corner_taps(ui, 4)
    ui.tap_at(540, 960)  # a tap elsewhere starts the count again
    corner_taps(ui, 4)
    assert ui.app.sm.current == "home" and ui.app.lang == "vi", "nine taps, never five in a row"
    corner_taps(ui, 1)
    assert ui.app.sm.current == "tech_pin"
    pad = ui.app.sm.get_screen("tech_pin")
    type_keys(ui, "1357")
    assert pad.dots == "●●●●" and "1357" not in ui.texts()
    ui.tap(button(ui, "Xác nhận"))
    ui.until(lambda: ui.app.sm.current == "tech_status")
    status = ui.app.sm.get_screen("tech_status")
    ui.until(lambda: status.reach is not None)
    texts = ui.texts()
    assert "Tình trạng thiết bị" in texts and "Chưa đăng ký với máy chủ" in texts
    assert "UBND xã Mê Linh" in texts and "Không kết nối được: no server configured" in texts


def test_five_wrong_pins_lock_the_pad_and_say_so(app_factory, settings) -> None:
    ui = app_factory(settings, size=SIZE)
    corner_taps(ui)
    pad = ui.app.sm.get_screen("tech_pin")
    for tries_left in (4, 3, 2, 1):
        type_keys(ui, "1111")
        ui.tap(button(ui, "Xác nhận"))
        ui.until(lambda: pad.state == "wrong")
        assert f"Mã PIN không đúng. Còn {tries_left} lần thử." in ui.texts()
    type_keys(ui, "1111")
    ui.tap(button(ui, "Xác nhận"))
    ui.until(lambda: pad.state == "locked")
    assert "Nhập sai quá nhiều lần. Thử lại sau 5 phút." in ui.texts()
    ui.tap(button(ui, "2"))  # the pad takes nothing while locked
    assert pad.typed == ""
    assert float(store.get_state(ui.app.services.db, technician.LOCKED_UNTIL_KEY) or 0) > 0


def test_a_lock_from_before_a_restart_still_holds(app_factory, settings, db) -> None:
    import time

    store.set_state(db, technician.LOCKED_UNTIL_KEY, f"{time.time() + 200:.3f}")  # the last run's lock
    ui = app_factory(settings, size=SIZE)
    corner_taps(ui)
    pad = ui.app.sm.get_screen("tech_pin")
    ui.until(lambda: pad.state == "locked")
    assert "Nhập sai quá nhiều lần. Thử lại sau 4 phút." in ui.texts()
    assert button(ui, "1").disabled


def test_no_pin_anywhere_says_how_to_set_one(app_factory) -> None:
    ui = app_factory(size=SIZE)
    corner_taps(ui)
    pad = ui.app.sm.get_screen("tech_pin")
    ui.until(lambda: pad.state == "not_set")
    assert "Chưa đặt mã PIN kỹ thuật. Đặt bằng lệnh: kiosk set-pin" in ui.texts()


def test_printer_test_page_and_a_mode_sample_go_through_the_virtual_printer(
    app_factory, settings, virtual_printer: VirtualPrinter
) -> None:
    ui = with_printer(app_factory, settings, virtual_printer)
    enter_technician_mode(ui)
    screen = open_printer_screen(ui)
    assert "Sẵn sàng" in ui.texts() and virtual_printer.device in ui.texts()
    ui.tap(button(ui, "In trang thử"))
    [page] = virtual_printer.wait_for_tickets(1)
    ui.until(lambda: screen.message_key == "tech.printer.test_done")
    assert "TRANG IN THỬ" in page.lines[0] and any("Chế độ tiếng Việt: tcvn3" in line for line in page.lines)
    ui.tap(button(ui, "cp1258"))
    sample = virtual_printer.wait_for_tickets(2)[1]
    ui.until(lambda: screen.message_key == "tech.printer.sample_done")
    assert any("ắ ầ ẻ ỗ ợ ự" in line for line in sample.lines)
    assert ui.app.services.printer.options.mode == "tcvn3"
    ui.tap(button(ui, "Dò tìm máy in"))
    ui.until(lambda: screen.message_key == "tech.printer.detected")
    assert "Đang dùng, trả lời ở 9600 baud: ready" in ui.texts()


def test_printer_out_of_paper_is_shown_and_the_test_page_says_why(
    app_factory, settings, virtual_printer: VirtualPrinter
) -> None:
    ui = with_printer(app_factory, settings, virtual_printer)
    past_the_pin(ui)
    screen = open_printer_screen(ui)
    virtual_printer.set_state(Simulated.paper_out)
    ui.tap(button(ui, "In trang thử"))
    ui.until(lambda: screen.message_key == "tech.printer.failed")
    ui.until(lambda: "Hết giấy" in ui.texts(), timeout_s=15)
    assert virtual_printer.tickets == []


def test_idle_timeout_leaves_technician_mode(app_factory, settings) -> None:
    ui = app_factory(settings, size=SIZE)
    enter_technician_mode(ui)
    ui.tap(button(ui, "Phiếu số"))
    type_keys(ui, "B0")
    ui.app.last_touch -= ui.app.services.settings.ui.idle_timeout_s + 1
    ui.until(lambda: ui.app.sm.current == "home")
    assert ui.app.sm.get_screen("tech_tickets").code == ""
    corner_taps(ui)
    assert ui.app.sm.current == "tech_pin", "the PIN is asked again"


def test_leave_returns_home(app_factory, settings) -> None:
    ui = app_factory(settings, size=SIZE)
    past_the_pin(ui)
    ui.tap(button(ui, "English"))
    ui.tap(button(ui, "Leave"))
    assert ui.app.sm.current == "home" and ui.app.lang == "vi"


def test_restart_asks_the_app_to_stop_with_exit_code_0(app_factory, settings, monkeypatch) -> None:
    ui = app_factory(settings, size=SIZE)
    past_the_pin(ui)
    stops: list[int] = []
    # The real stop would end the test process's event loop; record the request instead.
    monkeypatch.setattr(ui.app, "stop", lambda *_a: stops.append(ui.app.exit_code))
    ui.tap(button(ui, "Khởi động lại ứng dụng"))
    assert stops == [], "one tap only asks to confirm"
    ui.tap(button(ui, "Chạm lần nữa để khởi động lại"))
    assert stops == [0]


def test_enrol_by_keypad_then_sync_now_against_the_real_server(
    app_factory, state_dir, pin_hash, central_server, agent_beside, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    agent_beside(central_server.url)
    overrides = {"technician.pin_hash": pin_hash, "server.url": central_server.url, **SERVER}
    ui = app_factory(
        config.load(site_file=DEMO_CONFIG, state_dir=state_dir, overrides=overrides).settings, size=SIZE
    )
    past_the_pin(ui)
    ui.tap(button(ui, "Máy chủ"))
    screen = ui.app.sm.get_screen("tech_server")
    code = central_server.enrollment_code()
    type_keys(ui, code.upper())
    assert screen.code == code.upper()
    ui.tap(button(ui, "Đăng ký"))
    answered = ("tech.server.enrolled", "tech.server.enrol_failed", "tech.server.no_agent")
    ui.until(lambda: screen.message_key in answered, timeout_s=60)
    assert screen.message_key == "tech.server.enrolled", screen.message_values
    device = screen.message_values["device"]
    ui.until(lambda: device in ui.texts())
    ui.tap(button(ui, "Đồng bộ ngay"))
    ui.until(lambda: screen.parts != [] or screen.message_key == "tech.server.no_agent", timeout_s=60)
    parts = {p.part: p.ok for p in screen.parts}
    assert parts["outbox"] and parts["heartbeat"], screen.parts
    assert central_server.store.get_device(device) is not None
    assert code.upper() not in caplog.text and code not in caplog.text  # the code is never logged


def test_wrong_enrolment_code_says_why(
    app_factory, state_dir, pin_hash, central_server, agent_beside
) -> None:
    agent_beside(central_server.url)
    overrides = {"technician.pin_hash": pin_hash, "server.url": central_server.url, **SERVER}
    ui = app_factory(
        config.load(site_file=DEMO_CONFIG, state_dir=state_dir, overrides=overrides).settings, size=SIZE
    )
    past_the_pin(ui)
    ui.tap(button(ui, "Máy chủ"))
    screen = ui.app.sm.get_screen("tech_server")
    type_keys(ui, "ZZZZ-9999")
    ui.tap(button(ui, "Đăng ký"))
    ui.until(lambda: screen.message_key in ("tech.server.enrol_failed", "tech.server.no_agent"), timeout_s=60)
    assert screen.message_key == "tech.server.enrol_failed", screen.message_values
    assert "enrollment failed" in screen.message_values["detail"]


@pytest.mark.parametrize("press", ["Đồng bộ ngay", "Đăng ký"])
def test_without_an_agent_the_screen_says_it_is_not_running(
    app_factory, state_dir, pin_hash, central_server, press
) -> None:
    overrides = {"technician.pin_hash": pin_hash, "server.url": central_server.url, **SERVER}
    ui = app_factory(
        config.load(site_file=DEMO_CONFIG, state_dir=state_dir, overrides=overrides).settings, size=SIZE
    )
    past_the_pin(ui)
    ui.tap(button(ui, "Máy chủ"))
    screen = ui.app.sm.get_screen("tech_server")
    type_keys(ui, "7K3M")
    ui.tap(button(ui, press))
    assert screen.waiting and screen.busy()  # buttons off, the idle timeout waits
    ui.until(lambda: not screen.waiting, timeout_s=agent_requests.CLAIM_S + 10)
    assert screen.message_key == "tech.server.no_agent" and screen.message_bad
    assert any(t.startswith("Chương trình đồng bộ (kiosk-agent) không chạy") for t in ui.texts()), ui.texts()
    assert screen.parts == [] and central_server.store.list_devices() == []


def test_reprint_after_paper_out_then_void(app_factory, settings, virtual_printer: VirtualPrinter) -> None:
    ui = with_printer(app_factory, settings, virtual_printer)
    services = ui.app.services
    virtual_printer.set_state(Simulated.paper_out)
    outcome = issuing.issue_and_print(services.db, services.settings, services.printer, "B", services.now())
    assert not outcome.printed
    virtual_printer.set_state(Simulated.ready)  # paper refilled
    past_the_pin(ui)
    ui.tap(button(ui, "Phiếu số"))
    screen = ui.app.sm.get_screen("tech_tickets")
    type_keys(ui, "B002")
    ui.tap(button(ui, "Tìm phiếu"))
    ui.until(lambda: screen.message_key == "tech.tickets.unknown")
    assert "Không có phiếu B002." in ui.texts()
    ui.tap(button(ui, "⌫"))
    type_keys(ui, "1")
    ui.tap(button(ui, "Tìm phiếu"))
    ui.until(lambda: screen.ticket is not None)
    assert "In không thành công" in ui.texts()
    ui.tap(button(ui, "In lại"))
    ui.until(lambda: screen.message_key == "tech.tickets.reprinted")
    assert "B001" in "\n".join(virtual_printer.wait_for_tickets(1)[0].lines)
    assert queue.find_ticket(services.db, "B001").state == "reprinted"
    ui.tap(button(ui, "Huỷ phiếu"))
    ui.tap(button(ui, "Xác nhận huỷ"))
    ui.until(lambda: screen.message_key == "tech.tickets.voided")
    assert queue.find_ticket(services.db, "B001").state == "voided"
    assert "ticket.voided" in [e.type for e in outbox.pending(services.db)]


def test_staff_reprint_of_an_unknown_ticket_prints_in_lai(
    app_factory, settings, virtual_printer: VirtualPrinter
) -> None:
    ui = with_printer(app_factory, settings, virtual_printer)
    services = ui.app.services
    virtual_printer.configure(mute_after_bytes=40)  # the ticket goes out, no confirmation comes
    outcome = issuing.issue_and_print(services.db, services.settings, services.printer, "B", services.now())
    assert outcome.unknown and outcome.ticket.state == "print_unknown"
    [first] = virtual_printer.wait_for_tickets(1)
    assert "IN LẠI" not in first.lines
    virtual_printer.configure(mute_after_bytes=None)  # answering again
    past_the_pin(ui)
    ui.tap(button(ui, "Phiếu số"))
    screen = ui.app.sm.get_screen("tech_tickets")
    type_keys(ui, "B001")
    ui.tap(button(ui, "Tìm phiếu"))
    ui.until(lambda: screen.ticket is not None)
    assert "Chưa rõ đã in chưa (kiểm tra phiếu trước khi in lại)" in ui.texts()
    ui.tap(button(ui, "In lại (ghi “IN LẠI”)"))
    ui.until(lambda: screen.message_key == "tech.tickets.reprinted", timeout_s=30)
    second = virtual_printer.wait_for_tickets(2)[1]
    assert "IN LẠI" in second.lines and "B001" in "\n".join(second.lines)
    assert queue.find_ticket(services.db, "B001").state == "reprinted"


def test_log_screen_shows_the_latest_lines(app_factory, settings) -> None:
    ui = app_factory(settings, size=SIZE)
    logging.getLogger("kiosk.test").warning("máy in được kiểm tra lúc %s", datetime(2026, 11, 28, 8, 5))
    past_the_pin(ui)
    ui.tap(button(ui, "Nhật ký"))
    screen = ui.app.sm.get_screen("tech_log")
    ui.until(lambda: screen.lines != [])
    assert any("máy in được kiểm tra lúc 2026-11-28 08:05:00" in t for t in ui.texts())


def test_what_printed_right_is_saved_on_the_kiosk_and_used_at_once(
    app_factory, settings, virtual_printer: VirtualPrinter, state_dir: Path
) -> None:
    ui = with_printer(app_factory, settings, virtual_printer)
    past_the_pin(ui)
    screen = open_printer_screen(ui)
    ui.tap(button(ui, "raster"))
    virtual_printer.wait_for_tickets(1)
    ui.until(lambda: screen.message_key == "tech.printer.sample_done")
    ui.tap(button(ui, "Dùng chế độ raster cho máy in này"))
    ui.until(lambda: screen.message_key == "tech.printer.saved_mode")
    assert technician_settings.saved(state_dir) == {"vietnamese": "raster"}
    assert ui.app.services.printer.options.mode == "raster", "the running printer uses it at once"
    assert ui.app.restart_reason() == "the technician saved printer settings"
    ui.tap(button(ui, "Tắt ký tự tải về (nếu mẫu raster in ra dấu câu lạ)"))
    ui.until(lambda: screen.message_key == "tech.printer.saved_glyphs_off")
    assert technician_settings.saved(state_dir) == {"vietnamese": "raster", "user_glyphs": False}
    ui.tap(button(ui, "In trang thử"))
    page = virtual_printer.wait_for_tickets(2)[1]
    assert page.images > 3 and not any("ắ" in line for line in page.lines), "every Vietnamese line drawn"
    loaded = config.load(site_file=DEMO_CONFIG, state_dir=state_dir)
    assert loaded.settings.printer.vietnamese == "raster" and loaded.settings.printer.user_glyphs is False
    assert loaded.origins["printer.vietnamese"].endswith(config.TECHNICIAN_SETTINGS_FILE)

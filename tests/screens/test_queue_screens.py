"""Take a number through the real app: touch events in, ESC/POS over a real pty to the virtual
printer out, the database and the outbox checked after."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk import config, outbox
from kiosk.drivers.virtual.printer import Simulated, VirtualPrinter
from kiosk.queue import issuing
from kiosk.queue import numbering as queue
from tests.fixtures_core import DEMO_CONFIG

pytestmark = pytest.mark.ui


@pytest.fixture
def settings(state_dir: Path) -> config.Settings:
    return config.load(site_file=DEMO_CONFIG, state_dir=state_dir, overrides={"ui.done_return_s": 2}).settings


def tile(ui, title: str):
    hits = ui.find(lambda w: getattr(w, "title", None) == title)
    assert hits, f"no tile {title!r} on {ui.app.sm.current}: {ui.texts()}"
    return hits[0]


def test_two_taps_from_home_print_a_ticket_then_home_again(
    app_factory, settings, virtual_printer: VirtualPrinter
) -> None:
    ui = app_factory(settings, printer_url=virtual_printer.device)
    ui.until(lambda: ui.app.services.printer_status.can_print)
    ui.tap(tile(ui, "LẤY SỐ THỨ TỰ"))  # tap 1
    assert ui.app.sm.current == "queue"
    ui.tap(tile(ui, "Chứng thực"))  # tap 2
    assert ui.app.sm.current == "ticket"
    ticket_screen = ui.app.sm.get_screen("ticket")
    ui.until(lambda: ticket_screen.state == "done")
    [printed] = virtual_printer.wait_for_tickets(1)
    assert "B001" in "\n".join(printed.lines) and "Chứng thực" in "\n".join(printed.lines)
    assert "B001" in ui.texts() and "Vui lòng nhận phiếu" in ui.texts()
    [row] = queue.tickets_on(ui.app.services.db, ticket_screen.last_outcome.ticket.day)
    assert (row.ticket, row.state) == ("B001", "printed")
    ui.until(lambda: ui.app.sm.current == "home")  # by itself, a few seconds after printing


def test_paper_out_shows_the_number_keeps_it_unprinted_and_reprint_works_after_refill(
    app_factory, settings, virtual_printer: VirtualPrinter
) -> None:
    ui = app_factory(settings, printer_url=virtual_printer.device)
    ui.until(lambda: ui.app.services.printer_status.can_print)
    ui.tap(tile(ui, "LẤY SỐ THỨ TỰ"))
    virtual_printer.set_state(Simulated.paper_out)  # runs out between the tap and the print
    ui.tap(tile(ui, "Chứng thực"))
    screen = ui.app.sm.get_screen("ticket")
    ui.until(lambda: screen.state == "failed")
    assert "B001" in ui.texts()
    assert any("Máy in gặp sự cố, vui lòng báo cán bộ" in t for t in ui.texts())
    services = ui.app.services
    ticket = queue.find_ticket(services.db, "B001")
    assert (ticket.state, ticket.reason) == ("print_failed", "paper_out")
    events = [(e.type, e.data.get("reason")) for e in outbox.pending(services.db)]
    assert ("ticket.print_failed", "paper_out") in events
    ui.pump(seconds=3)
    assert ui.app.sm.current == "ticket", "a failed ticket stays on screen until staff or the idle timeout"
    ui.tap(ui.find_text("Về trang chủ"))
    ui.until(lambda: ui.app.sm.current == "home")
    ui.until(lambda: services.printer_status.state.value == "paper_out", timeout_s=15)
    home_tile = tile(ui, "LẤY SỐ THỨ TỰ")
    assert home_tile.disabled and "máy in hết giấy" in home_tile.subtitle
    virtual_printer.set_state(Simulated.ready)  # staff refilled the paper
    outcome = issuing.reprint(services.db, services.settings, services.printer, "B001", services.now())
    assert outcome.printed and outcome.ticket.state == "reprinted"
    assert "B001" in "\n".join(virtual_printer.wait_for_tickets(1)[-1].lines)
    ui.until(lambda: not tile(ui, "LẤY SỐ THỨ TỰ").disabled, timeout_s=15)


def test_priority_ticket_takes_one_extra_tap_and_is_flagged(app_factory, settings, virtual_printer) -> None:
    ui = app_factory(settings, printer_url=virtual_printer.device)
    ui.until(lambda: ui.app.services.printer_status.can_print)
    ui.tap(tile(ui, "LẤY SỐ THỨ TỰ"))
    row = next(w for w in ui.find(lambda w: getattr(w, "service_id", "") == "B"))
    priority_button = next(w for w in row.walk(restrict=True) if getattr(w, "text", "") == "Ưu tiên")
    ui.tap(priority_button)
    assert ui.app.sm.current == "priority"
    ui.tap(tile(ui, "Người cao tuổi"))
    screen = ui.app.sm.get_screen("ticket")
    ui.until(lambda: screen.state == "done")
    assert screen.last_outcome.ticket.priority == "elderly"
    [event] = [e for e in outbox.pending(ui.app.services.db) if e.type == "ticket.issued"]
    assert event.data["priority"] == "elderly"
    assert "Ưu tiên" in "\n".join(virtual_printer.wait_for_tickets(1)[0].lines)


def test_no_printer_disables_take_a_number_with_the_reason(app_factory, settings) -> None:
    ui = app_factory(settings)
    home_tile = tile(ui, "LẤY SỐ THỨ TỰ")
    assert home_tile.disabled
    assert home_tile.subtitle == "Tạm ngừng phát số: chưa kết nối máy in. Vui lòng báo cán bộ."
    ui.tap(home_tile)
    assert ui.app.sm.current == "home"


def test_ticket_sent_but_not_confirmed_is_unknown_and_the_citizen_is_asked_to_check(
    app_factory, settings, virtual_printer: VirtualPrinter
) -> None:
    ui = app_factory(settings, printer_url=virtual_printer.device)
    ui.until(lambda: ui.app.services.printer_status.can_print)
    ui.tap(tile(ui, "LẤY SỐ THỨ TỰ"))
    # The printer answers the check before the ticket, then falls silent after 40 more bytes:
    # it prints the ticket, and never says so.
    virtual_printer.configure(mute_after_bytes=40)
    ui.tap(tile(ui, "Chứng thực"))
    screen = ui.app.sm.get_screen("ticket")
    ui.until(lambda: screen.state == "unknown", timeout_s=30)
    assert "B001" in ui.texts()
    assert any(
        "Quý khách vui lòng kiểm tra phiếu; nếu chưa có phiếu, xin báo cán bộ" in t for t in ui.texts()
    )
    assert not any("Máy in gặp sự cố" in t for t in ui.texts()), "unknown is not 'not printed'"
    services = ui.app.services
    ticket = queue.find_ticket(services.db, "B001")
    assert ticket.state == "print_unknown"
    events = [e.type for e in outbox.pending(services.db)]
    assert "ticket.print_unknown" in events and "ticket.print_failed" not in events
    assert "B001" in "\n".join(virtual_printer.wait_for_tickets(1)[0].lines)  # it did come out

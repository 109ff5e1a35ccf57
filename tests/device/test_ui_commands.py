"""Server commands the UI carries out (kiosk/device/ui_commands.py): handed over by the agent, printed
on the real driver over a pty to the virtual printer, acknowledged once with command.done; and
the real app running one while its home screen is idle."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk import config, outbox, store
from kiosk.device import ui_commands
from kiosk.drivers.serial_printer import SerialTicketPrinter
from kiosk.drivers.virtual.printer import Simulated, VirtualPrinter
from kiosk.queue import numbering as queue
from kiosk.sync.answers import ServerCommand
from kiosk.sync.server_commands import run_commands
from tests.fixtures_printing import connect

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> datetime:
    return datetime.now(ZONE)


@pytest.fixture
def printer(virtual_printer: VirtualPrinter) -> Iterator[SerialTicketPrinter]:
    driver = connect(virtual_printer.device, "tcvn3")
    yield driver
    driver.close()


def command(type_: str, **args: object) -> ServerCommand:
    return ServerCommand(id=f"cmd-{type_}-{len(args)}", type=type_, args=dict(args))


def done_events(db: sqlite3.Connection) -> list[dict[str, object]]:
    rows = db.execute("SELECT data FROM outbox WHERE type = 'command.done' ORDER BY seq").fetchall()
    return [json.loads(row[0]) for row in rows]


def test_the_agent_hands_printer_commands_to_the_ui_once(db: sqlite3.Connection) -> None:
    test, reprint = command("print_test"), command("reprint_ticket", ticket="B001")
    ran = run_commands(db, [test, reprint], {})
    assert ran == [(test.id, True, "handed to the UI"), (reprint.id, True, "handed to the UI")]
    assert ui_commands.waiting(db) == 2
    assert done_events(db) == [], "the UI acknowledges, once it has printed"
    assert run_commands(db, [test, reprint], {}) == []  # re-sent by the server: skipped
    assert ui_commands.waiting(db) == 2


def test_print_test_reaches_the_printer_and_is_acknowledged_once(
    db: sqlite3.Connection, demo_settings: config.Settings, printer: SerialTicketPrinter, virtual_printer
) -> None:
    run_commands(db, [command("print_test")], {})
    [(command_id, ok, detail)] = ui_commands.run_pending(db, demo_settings, printer, now())
    assert ok and detail == "test page printed (tcvn3)"
    [page] = virtual_printer.wait_for_tickets(1)
    assert "TRANG IN THỬ" in page.lines[0]
    assert done_events(db) == [{"command": command_id, "ok": True, "detail": detail}]
    assert ui_commands.run_pending(db, demo_settings, printer, now()) == []
    assert ui_commands.waiting(db) == 0 and len(done_events(db)) == 1


def test_reprint_prints_the_ticket_again_and_records_it(
    db: sqlite3.Connection, demo_settings: config.Settings, printer: SerialTicketPrinter, virtual_printer
) -> None:
    ticket = queue.issue_ticket(db, demo_settings, "B", now())
    run_commands(db, [command("reprint_ticket", ticket=ticket.ticket)], {})
    [(_id, ok, detail)] = ui_commands.run_pending(db, demo_settings, printer, now())
    assert ok and detail == f"ticket {ticket.ticket} of {ticket.day} printed again"
    [printed] = virtual_printer.wait_for_tickets(1)
    assert ticket.ticket in printed.lines
    assert queue.find_ticket(db, ticket.ticket).state in ("printed", "reprinted")


def test_what_cannot_be_done_is_acknowledged_as_failed_not_retried(
    db: sqlite3.Connection, demo_settings: config.Settings, printer: SerialTicketPrinter, virtual_printer
) -> None:
    run_commands(db, [command("reprint_ticket", ticket="Z999")], {})
    [(_id, ok, detail)] = ui_commands.run_pending(db, demo_settings, printer, now())
    assert not ok and "Z999" in detail
    run_commands(db, [command("print_test", copies=1)], {})
    [(_id, ok, detail)] = ui_commands.run_pending(db, demo_settings, None, now())
    assert (ok, detail) == (False, "no printer configured")
    virtual_printer.set_state(Simulated.paper_out)
    run_commands(db, [command("print_test", copies=2, again=True)], {})
    [(_id, ok, detail)] = ui_commands.run_pending(db, demo_settings, printer, now())
    assert not ok and "paper" in detail.lower()
    assert [event["ok"] for event in done_events(db)] == [False, False, False]
    assert ui_commands.waiting(db) == 0 and virtual_printer.tickets == []


def test_a_command_the_ui_could_not_run_in_time_is_not_printed_late(
    db: sqlite3.Connection, demo_settings: config.Settings, printer: SerialTicketPrinter, virtual_printer
) -> None:
    run_commands(db, [command("print_test")], {})
    later = datetime.now(UTC) + timedelta(seconds=ui_commands.EXPIRE_S + 60)
    [(_id, ok, detail)] = ui_commands.run_pending(db, demo_settings, printer, now(), wall=later)
    assert (ok, detail) == (False, ui_commands.NOT_FREE)
    assert virtual_printer.tickets == [] and done_events(db)[0]["ok"] is False


def test_age_is_measured_on_the_clock_that_queued_it_not_the_servers(
    db: sqlite3.Connection, demo_settings: config.Settings, printer: SerialTicketPrinter, virtual_printer
) -> None:
    # The site time (corrected by the server's clock) is an hour ahead of this kiosk's own clock:
    # the command was queued a moment ago all the same, and prints.
    run_commands(db, [command("print_test")], {})
    [(_id, ok, _detail)] = ui_commands.run_pending(db, demo_settings, printer, now() + timedelta(hours=1))
    assert ok and len(virtual_printer.wait_for_tickets(1)) == 1


def test_an_unexpected_failure_is_acknowledged_once_never_printed_in_a_loop(
    db: sqlite3.Connection, demo_settings: config.Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[int] = []

    def locked(printer: object) -> tuple[bool, str]:
        runs.append(1)
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(ui_commands, "_print_test", locked)
    run_commands(db, [command("print_test")], {})
    [(_id, ok, detail)] = ui_commands.run_pending(db, demo_settings, None, now())
    assert (ok, detail) == (False, "failed: database is locked")
    assert ui_commands.run_pending(db, demo_settings, None, now()) == [] and runs == [1]


def test_a_command_interrupted_after_it_started_is_not_printed_again(
    db: sqlite3.Connection, demo_settings: config.Settings, printer: SerialTicketPrinter, virtual_printer
) -> None:
    run_commands(db, [command("reprint_ticket", ticket="B001")], {})
    db.execute("UPDATE ui_commands SET started_at = ?", [store.now_utc()])  # the UI died mid-print
    [(_id, ok, detail)] = ui_commands.run_pending(db, demo_settings, printer, now())
    assert (ok, detail) == (False, ui_commands.INTERRUPTED)
    assert virtual_printer.tickets == [] and len(done_events(db)) == 1


def test_the_agent_answers_commands_no_ui_took_up(db: sqlite3.Connection, demo_settings) -> None:
    run_commands(db, [command("print_test"), command("reprint_ticket", ticket="B001")], {})
    db.execute("UPDATE ui_commands SET started_at = ? WHERE type = 'reprint_ticket'", [store.now_utc()])
    assert ui_commands.expire(db, now()) == [], "not stale yet"
    later = datetime.now(UTC) + timedelta(seconds=ui_commands.EXPIRE_S + 60)
    [expired] = ui_commands.expire(db, now(), wall=later)
    assert expired == command("print_test").id, "a started command is the UI's to finish"
    assert ui_commands.expire(db, now(), wall=later) == []
    assert [e["detail"] for e in done_events(db)] == [ui_commands.NOT_FREE]


@pytest.mark.ui
def test_the_running_app_prints_a_handed_over_test_page_while_idle(
    app_factory, demo_settings: config.Settings, virtual_printer: VirtualPrinter, state_dir: Path
) -> None:
    ui = app_factory(demo_settings, printer_url=virtual_printer.device)
    ui.until(lambda: ui.app.services.printer_status.can_print)
    agent_db = store.open_state(state_dir)  # the agent's own connection, as in its process
    try:
        run_commands(agent_db, [command("print_test")], {})
        ui.until(lambda: ui_commands.waiting(agent_db) == 0, timeout_s=15)
        [page] = virtual_printer.wait_for_tickets(1)
        assert "TRANG IN THỬ" in page.lines[0]
        assert [e["ok"] for e in done_events(agent_db)] == [True]
        assert outbox.counts(agent_db)["pending"] >= 1
    finally:
        agent_db.close()


def test_a_command_type_no_one_runs_is_acknowledged_as_not_supported(db: sqlite3.Connection) -> None:
    odd = ServerCommand(id="cmd-odd", type="format_disk", args={})
    [(command_id, ok, detail)] = run_commands(db, [odd], {})
    assert (command_id, ok) == ("cmd-odd", False) and "not supported" in detail
    assert done_events(db) == [{"command": "cmd-odd", "ok": False, "detail": detail}]
    assert ui_commands.waiting(db) == 0

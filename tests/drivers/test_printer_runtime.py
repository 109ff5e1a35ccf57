"""The printer at run time: transport by URL, open_printer from settings, the status monitor."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from kiosk import config
from kiosk.drivers.ports import NoPrinter, PrinterState, PrinterStatus, open_printer
from kiosk.drivers.serial_printer import SerialTicketPrinter
from kiosk.drivers.status_monitor import PrinterStatusMonitor
from kiosk.drivers.transport import PortSettings, SerialPort
from kiosk.drivers.virtual.printer import Simulated, VirtualPrinter
from kiosk.errors import PrinterOffline
from tests.fixtures_printing import connect


def test_wire_time_of_8n1_is_ten_bits_a_byte() -> None:
    assert PortSettings(url="x", baudrate=9600).seconds_for(960) == pytest.approx(1.0)
    assert PortSettings(url="x", baudrate=9600, framing="8E2").seconds_for(960) == pytest.approx(1.2)


def test_a_port_that_cannot_be_opened_is_offline_with_its_reason(tmp_path: object) -> None:
    port = SerialPort(PortSettings(url="/dev/does-not-exist"))
    with pytest.raises(PrinterOffline, match="cannot open /dev/does-not-exist"):
        port.open()
    assert not port.is_open


def test_loop_url_echoes_and_is_reported_as_no_printer() -> None:
    printer = connect("loop://")
    try:
        status = printer.status()
    finally:
        printer.close()
    assert status.state == PrinterState.error and "echoes" in status.detail


def test_open_printer_from_settings(demo_settings: config.Settings, virtual_printer: VirtualPrinter) -> None:
    settings = replace(demo_settings.printer, url=virtual_printer.device, write_timeout_s=0.5)
    printer = open_printer(settings)
    assert isinstance(printer, SerialTicketPrinter)
    try:
        assert printer.options.mode == "tcvn3" and printer.status().can_print
    finally:
        printer.close()


def test_empty_url_is_no_printer(demo_settings: config.Settings) -> None:
    printer = open_printer(demo_settings.printer)  # the demo site has printer.url = ""
    assert isinstance(printer, NoPrinter)
    assert printer.status().state == PrinterState.offline
    with pytest.raises(PrinterOffline, match="no printer configured"):
        printer.print_layout(None)  # type: ignore[arg-type]


def test_status_listeners_hear_each_change_once(virtual_printer: VirtualPrinter) -> None:
    printer = connect(virtual_printer.device)
    heard: list[PrinterState] = []
    printer.add_listener(lambda status: heard.append(status.state))
    try:
        printer.status()
        printer.status()
        virtual_printer.set_state(Simulated.paper_near_end)
        printer.status()
    finally:
        printer.close()
    assert heard == [PrinterState.ready, PrinterState.paper_near_end]


def test_monitor_polls_on_its_thread_and_publishes_changes(virtual_printer: VirtualPrinter) -> None:
    printer = connect(virtual_printer.device)
    monitor = PrinterStatusMonitor(printer, interval_s=0.05)
    seen: list[PrinterStatus] = []
    changed = threading.Event()

    def listen(status: PrinterStatus) -> None:
        seen.append(status)
        changed.set()

    monitor.add_listener(listen)
    monitor.start()
    try:
        assert changed.wait(5) and seen[-1].state == PrinterState.ready
        changed.clear()
        virtual_printer.set_state(Simulated.cover_open)
        monitor.poll_now()
        assert changed.wait(5) and seen[-1].state == PrinterState.cover_open
        assert monitor.current.state == PrinterState.cover_open
    finally:
        monitor.stop()
        printer.close()
    assert [s.state for s in seen] == [PrinterState.ready, PrinterState.cover_open]


def test_monitor_survives_a_failing_printer_and_listener() -> None:
    class Broken:
        def status(self) -> PrinterStatus:
            raise RuntimeError("driver bug")

        def print_layout(self, layout: object) -> None:
            raise AssertionError

    monitor = PrinterStatusMonitor(Broken(), interval_s=1)
    monitor.add_listener(lambda status: 1 / 0)
    status = monitor.check()
    assert status.state == PrinterState.error and "driver bug" in status.detail

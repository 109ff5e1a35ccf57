"""The driver and the virtual printer over a real pty (and TCP): tickets read back letter for
letter, every simulated fault seen by the driver, recovery after the cable comes back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from escpos.printer import Dummy
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from kiosk.drivers.escpos.status import status_from_asb
from kiosk.drivers.escpos.writer import EscposWriter
from kiosk.drivers.layout import Cut, Layout, Text
from kiosk.drivers.ports import PrinterState
from kiosk.drivers.serial_printer import SerialTicketPrinter
from kiosk.drivers.virtual.preview import read_back
from kiosk.drivers.virtual.printer import Simulated, VirtualPrinter
from kiosk.errors import CoverOpen, PaperOut, PrinterError, PrinterOffline, PrintUnconfirmed
from kiosk.technician.printer import vietnamese_letters
from kiosk.technician.samples import sample_layout
from tests.fixtures_printing import connect
from tests.queue.test_ticket_layout import texts

SAMPLE_LINES = texts(sample_layout("ticket"))


@pytest.mark.parametrize("mode", ["tcvn3", "cp1258"])
def test_ticket_reads_back_letter_for_letter(virtual_printer: VirtualPrinter, mode: str) -> None:
    printer = connect(virtual_printer.device, mode)
    try:
        printer.print_layout(sample_layout("ticket"))
    finally:
        printer.close()
    [ticket] = virtual_printer.wait_for_tickets(1)
    assert [line for line in ticket.lines if line != "A012"] == SAMPLE_LINES
    assert ticket.qr == ("https://motcua.example.vn/q/A012?d=2026-11-28",)
    assert ticket.png.exists() and not ticket.warnings
    with Image.open(ticket.png) as picture:
        assert picture.width == 576 and picture.height > 400
    saved = json.loads(ticket.png.with_suffix(".json").read_text(encoding="utf-8"))
    assert saved["lines"][0] == "BỘ PHẬN MỘT CỬA"


def test_raster_ticket_draws_large_lines_and_sends_letters_as_user_characters(
    virtual_printer: VirtualPrinter,
) -> None:
    printer = connect(virtual_printer.device, "raster")
    try:
        printer.print_layout(sample_layout("ticket"))
    finally:
        printer.close()
    [ticket] = virtual_printer.wait_for_tickets(1)
    large = {"BỘ PHẬN MỘT CỬA", "SỐ THỨ TỰ", "Hộ tịch"}  # drawn as images, doubled
    assert [line for line in ticket.lines if line != "A012"] == [t for t in SAMPLE_LINES if t not in large]
    assert ticket.images == 4 and not ticket.warnings  # the three large lines and the rule


def test_raster_ticket_without_user_characters_draws_every_vietnamese_line(
    virtual_printer: VirtualPrinter,
) -> None:
    printer = connect(virtual_printer.device, "raster")
    printer.options = replace(printer.options, user_glyphs=False)
    try:
        printer.print_layout(sample_layout("ticket"))
    finally:
        printer.close()
    [ticket] = virtual_printer.wait_for_tickets(1)
    assert ticket.lines == ("A012", "08:15 28/11/2026") and ticket.images == 9


@pytest.fixture(scope="module")
def shared(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[VirtualPrinter, dict[str, SerialTicketPrinter]]]:
    virtual = VirtualPrinter(tmp_path_factory.mktemp("property"))
    device = virtual.start_pty()
    drivers = {mode: connect(device, mode) for mode in ("tcvn3", "cp1258", "raster")}
    yield virtual, drivers
    for driver in drivers.values():
        driver.close()
    virtual.stop()


LETTERS = vietnamese_letters() + [c.upper() for c in vietnamese_letters()]
CHARS = LETTERS + list("abcdefghiklmnopqrstuvxyzABCDGHKLMNOPQRSTUVXY0123456789.,:!?()/")
WORD = st.lists(st.sampled_from(CHARS), min_size=1, max_size=12).map("".join)
EVERY_LETTER = ["".join(LETTERS[i : i + 12]) for i in range(0, len(LETTERS), 12)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    words=st.lists(WORD, min_size=1, max_size=12),
    mode=st.sampled_from(["tcvn3", "cp1258", "raster"]),
    bold=st.booleans(),
)
@example(words=EVERY_LETTER, mode="tcvn3", bold=False)
@example(words=EVERY_LETTER, mode="cp1258", bold=False)
@example(words=EVERY_LETTER, mode="raster", bold=False)
@example(words=EVERY_LETTER, mode="raster", bold=True)
def test_random_vietnamese_survives_the_wire(
    shared: tuple[VirtualPrinter, dict[str, SerialTicketPrinter]], words: list[str], mode: str, bold: bool
) -> None:
    # raster: the letters go as user-defined characters, which the virtual printer reads back by
    # their dots; EVERY_LETTER needs more than the 94 codes, so codes are reused between lines.
    virtual, drivers = shared
    text = " ".join(words)
    before = len(virtual.tickets)
    drivers[mode].print_layout(Layout("property", (Text(text, align="left", bold=bold), Cut())))
    ticket = virtual.wait_for_tickets(before + 1)[before]
    assert " ".join(ticket.lines) == text


FAULTS = [
    (Simulated.paper_near_end, PrinterState.paper_near_end, None),
    (Simulated.paper_out, PrinterState.paper_out, PaperOut),
    (Simulated.cover_open, PrinterState.cover_open, CoverOpen),
    (Simulated.error, PrinterState.error, PrinterError),
    (Simulated.offline, PrinterState.offline, PrinterOffline),
]


@pytest.mark.parametrize(("simulated", "state", "raised"), FAULTS)
def test_every_fault_is_seen_by_the_driver(
    virtual_printer: VirtualPrinter,
    pty_printer: SerialTicketPrinter,
    simulated: Simulated,
    state: PrinterState,
    raised: type[Exception] | None,
) -> None:
    virtual_printer.set_state(simulated)
    assert pty_printer.status().state == state
    if raised is None:
        pty_printer.print_layout(sample_layout("ticket"))
        assert len(virtual_printer.wait_for_tickets(1)) == 1
    else:
        with pytest.raises(raised):
            pty_printer.print_layout(sample_layout("ticket"))
        assert virtual_printer.tickets == []
    virtual_printer.set_state(Simulated.ready)
    assert pty_printer.status().state == PrinterState.ready


def test_slow_printer_still_prints(virtual_printer: VirtualPrinter) -> None:
    virtual_printer.slow_bytes_per_s = 4000  # well within the write deadline
    virtual_printer.set_state(Simulated.slow)
    printer = connect(virtual_printer.device)
    try:
        printer.print_layout(sample_layout("ticket"))
        assert printer.last_status.state == PrinterState.ready
    finally:
        printer.close()
    assert len(virtual_printer.wait_for_tickets(1)) == 1


def test_printer_too_slow_for_the_deadline_is_unconfirmed_not_a_hang(
    virtual_printer: VirtualPrinter, pty_printer: SerialTicketPrinter
) -> None:
    virtual_printer.set_state(Simulated.slow)  # 100 bytes/s: the ticket needs seconds
    with pytest.raises(PrintUnconfirmed, match="did not confirm"):
        pty_printer.print_layout(sample_layout("ticket"))


def test_cable_pulled_mid_ticket_then_plugged_back(tmp_path: Path) -> None:
    link = tmp_path / "kiosk-printer"  # what the udev rule makes of a USB-serial adapter
    with VirtualPrinter(tmp_path / "out", unplug_after_bytes=100) as virtual:
        virtual.start_pty(link)
        printer = connect(str(link))
        try:
            virtual.set_state(Simulated.unplug_mid_ticket)
            with pytest.raises(PrintUnconfirmed):  # bytes went out: it may have printed
                printer.print_layout(sample_layout("ticket"))
            assert printer.status().state == PrinterState.offline and not link.exists()
            assert virtual.tickets == []
            virtual.plug_cable()  # a new pty behind the same stable name
            assert printer.status().state == PrinterState.ready
            printer.print_layout(sample_layout("ticket"))
        finally:
            printer.close()
        [ticket] = virtual.wait_for_tickets(1)
        assert ticket.lines[0] == "BỘ PHẬN MỘT CỬA"


def test_adapter_gone_while_idle_is_offline_and_recovers(tmp_path: Path) -> None:
    link = tmp_path / "kiosk-printer"
    with VirtualPrinter(tmp_path / "out") as virtual:
        virtual.start_pty(link)
        printer = connect(str(link))
        try:
            assert printer.status().state == PrinterState.ready
            virtual.pull_cable()
            gone = printer.status()
            assert gone.state == PrinterState.offline and gone.detail
            with pytest.raises(PrinterOffline):
                printer.print_layout(sample_layout("ticket"))
            virtual.plug_cable()
            assert printer.status().state == PrinterState.ready
        finally:
            printer.close()


def test_printer_on_tcp(tmp_path: Path) -> None:
    with VirtualPrinter(tmp_path / "out") as virtual:
        host, port = virtual.listen("127.0.0.1", 0)
        printer = connect(f"socket://{host}:{port}", "cp1258")
        try:
            printer.print_layout(sample_layout("ticket"))
            assert virtual.wait_for_tickets(1)[0].lines[0] == "BỘ PHẬN MỘT CỬA"
            virtual.set_state(Simulated.cover_open)
            assert printer.status().state == PrinterState.cover_open
            virtual.pull_cable()
            assert printer.status().state == PrinterState.offline
        finally:
            printer.close()


def dle_eot_image() -> Image.Image:
    """A picture whose first raster row is the bytes 10 04 01: DLE EOT 1."""
    return Image.frombytes("1", (24, 1), b"\x10\x04\x01")


def test_baseline_image_triggers_the_printer_ours_does_not(
    virtual_printer: VirtualPrinter, pty_printer: SerialTicketPrinter
) -> None:
    port = pty_printer._port
    baseline = Dummy(profile="default")
    baseline.image(dle_eot_image().convert("L").point(lambda v: 255 - v))  # python-escpos inverts
    port.write(baseline.output + b"\x1dV\x01")
    assert port.read_for(0.5, until=1) == b"\x12"  # the printer answered a status it was never asked
    ours = EscposWriter.raster_command(dle_eot_image())
    port.write(ours + b"\x1dV\x01")
    tickets = virtual_printer.wait_for_tickets(2)
    assert "real-time" in tickets[0].warnings[0] and tickets[1].warnings == ()
    assert port.read_for(0.3) == b""


def test_asb_blocks_follow_the_state(
    virtual_printer: VirtualPrinter, pty_printer: SerialTicketPrinter
) -> None:
    port = pty_printer._port
    port.write(b"\x1da\xff")  # GS a: enable automatic status back
    assert status_from_asb(port.read_for(1.0, until=4)).state == PrinterState.ready
    virtual_printer.set_state(Simulated.paper_out)
    assert status_from_asb(port.read_for(1.0, until=4)).state == PrinterState.paper_out


def test_tickets_are_numbered_after_those_already_in_the_folder(tmp_path: Path) -> None:
    (tmp_path / "ticket-0007.png").write_bytes(b"")
    with VirtualPrinter(tmp_path) as virtual:
        printer = connect(virtual.start_pty(), "ascii")
        try:
            printer.print_layout(sample_layout("ticket"))
        finally:
            printer.close()
        assert virtual.wait_for_tickets(1)[0].png.name == "ticket-0008.png"


def test_user_defined_characters_from_other_software_are_drawn_or_skipped_with_a_warning(
    tmp_path: Path,
) -> None:
    bar = Image.new("1", (4, 24), 1)  # a 4-dot-wide black bar at code "A"
    data = b"".join([
        b"\x1b@", EscposWriter.glyph_definition(0x41, [bar]), b"\x1b&\x03\x42\x42\x00",  # "B": zero width
        b"\x1b&\x02\x43\x43\x02\xff\xff\xff\xff",  # "C": 16 dots high, not font A
        b"\x1bE\x01\x1b%\x01ABC\x1b%\x00A\n", b"\x1b?\x41\x1b%\x01A\n", b"\x1dV\x01",
    ])  # fmt: skip
    [ticket] = read_back(data, "default", 576)
    assert ticket.lines[0] == "\ufffdBCA" and ticket.lines[1] == "A"  # cancelled: the resident A
    assert sum("not kept" in w for w in ticket.warnings) == 2

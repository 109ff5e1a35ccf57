"""Byte-level: the drain before a question and the matching of answers to questions (issue 18).
A stale answer on the line is never taken as the answer to a new question."""

from __future__ import annotations

import os
import threading
import tty
from collections.abc import Iterator

import pytest

from kiosk.drivers.answers import AnswerLedger
from kiosk.drivers.escpos.options import PrintOptions
from kiosk.drivers.escpos.status import StatusStream
from kiosk.drivers.escpos.writer import EscposWriter
from kiosk.drivers.layout import Cut, Layout, Text
from kiosk.drivers.ports import PrinterState
from kiosk.drivers.serial_printer import SerialTicketPrinter
from kiosk.drivers.transport import PortSettings
from kiosk.errors import PrintUnconfirmed

READY, PAPER_OUT = bytes([0x12] * 4), bytes([0x1A, 0x32, 0x12, 0x72])


def test_process_id_request_bytes_and_response_parsed_across_reads() -> None:
    assert EscposWriter.process_id_request("0042") == b"\x1d(H\x06\x00\x30\x30" + b"0042"
    with pytest.raises(ValueError):
        EscposWriter.process_id_request("42")
    stream = StatusStream()
    for byte in b"\x12\x37\x22" + b"00" + b"42\x00" + b"\x12":
        stream.feed(bytes([byte]))
    assert stream.process_ids == ["0042"] and stream.replies == [0x12, 0x12]
    assert stream.answers == [0x12, 0x12], "a process ID response answers no DLE EOT query"


def test_a_broken_process_id_response_is_garbage_not_an_id() -> None:
    stream = StatusStream()
    stream.feed(b"\x37\x22\x30\x31\x12")  # cut short by a status reply
    assert stream.process_ids == [] and stream.replies == [0x12]


def test_answers_owed_to_an_earlier_question_are_skipped() -> None:
    ledger = AnswerLedger()
    first = ledger.ask(4)  # nobody answered within the deadline
    ledger.ours(StatusStream(), first, 4)
    assert ledger.owed == 4
    stale = ledger.ask(4)
    stream = StatusStream()
    stream.feed(PAPER_OUT + READY)  # the late answers to the first question, then ours
    assert ledger.ours(stream, stale, 4) == list(READY)
    assert ledger.in_step


def test_one_answer_too_many_puts_the_line_out_of_step() -> None:
    ledger = AnswerLedger()
    stale = ledger.ask(4)
    stream = StatusStream()
    stream.feed(READY + READY[:1])  # a duplicated answer
    ledger.ours(stream, stale, 4)
    assert not ledger.in_step
    ledger.forgive()
    assert ledger.in_step


def test_a_drain_counts_what_it_reads_against_what_is_owed() -> None:
    ledger = AnswerLedger()
    ledger.ask(4)
    drained = StatusStream()
    drained.feed(READY[:3])
    ledger.settle(drained)
    assert ledger.owed == 1 and not ledger.in_step


class ScriptedPrinter:
    """The far end of a pty that answers as told: `answers` are sent, in order, one per status
    query (four DLE EOT each), and process ID requests get `id_answer(request_id)`."""

    def __init__(self) -> None:
        self.master, slave = os.openpty()
        tty.setraw(slave)
        self.device = os.ttyname(slave)
        self._slave = slave
        self.answers: list[bytes] = []
        self.id_answer = lambda pid: b""
        self.received = bytearray()
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def inject(self, data: bytes) -> None:
        os.write(self.master, data)

    def _run(self) -> None:
        import select

        while not self._stop:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self.master, 4096)
            except OSError:
                return
            self.received += data
            for _ in range(data.count(b"\x10\x04\x04")):
                if self.answers:
                    os.write(self.master, self.answers.pop(0))
            index = data.find(b"\x1d(H\x06\x00\x30\x30")
            if index >= 0:
                os.write(self.master, self.id_answer(data[index + 7 : index + 11].decode()))

    def close(self) -> None:
        self._stop = True
        self._thread.join(1)
        os.close(self.master)
        os.close(self._slave)


@pytest.fixture
def scripted() -> Iterator[ScriptedPrinter]:
    far = ScriptedPrinter()
    yield far
    far.close()


def driver(device: str, profile: str = "default") -> SerialTicketPrinter:
    port = PortSettings(url=device, baudrate=115200, write_timeout_s=0.5, finish_s=0.0)
    printer = SerialTicketPrinter(port, PrintOptions(mode="ascii", profile=profile))
    printer.open()
    return printer


TICKET = Layout("t", (Text("A001"), Cut()))


def test_a_stale_answer_waiting_on_the_line_is_drained_not_taken(scripted: ScriptedPrinter) -> None:
    printer = driver(scripted.device)
    try:
        scripted.inject(PAPER_OUT)  # a late answer to a question nobody asks any more
        scripted.answers = [READY]
        assert printer.status().state == PrinterState.ready
    finally:
        printer.close()


def test_after_the_ticket_an_answer_owed_to_the_check_before_it_is_not_a_confirmation(
    scripted: ScriptedPrinter,
) -> None:
    printer = driver(scripted.device)
    try:
        scripted.answers = [READY[:3]]  # the check before the ticket gets three answers of four
        with pytest.raises(PrintUnconfirmed):
            scripted.answers = [READY[:3], READY, READY]
            printer.print_layout(TICKET)
    finally:
        printer.close()


def test_a_process_id_response_with_another_id_does_not_confirm(scripted: ScriptedPrinter) -> None:
    printer = driver(scripted.device, profile="TM-T88V")
    try:
        scripted.answers = [READY] * 4
        scripted.id_answer = lambda pid: b"\x37\x22" + pid.encode() + b"\x00"
        printer.print_layout(TICKET)  # the probe and the ticket, each confirmed by its own ID
        scripted.answers = [READY] * 4
        scripted.id_answer = lambda pid: b"\x37\x22" + f"{(int(pid) - 1) % 10000:04d}".encode() + b"\x00"
        with pytest.raises(PrintUnconfirmed):
            printer.print_layout(TICKET)
    finally:
        printer.close()

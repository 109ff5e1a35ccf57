"""The printer's own account of itself: DLE EOT 1–4 replies and ASB (automatic status back)
blocks, parsed into a PrinterStatus. Reading only: the queries themselves are made by
kiosk.drivers.escpos.writer.

Our own parser, not python-escpos's: its paper_status() reports "paper adequate" when nothing
answers. Here a printer that does not answer is offline, and a reply that does not have the fixed
bits of a status byte (wrong baud rate or framing, an echoing port) is an error that says so.

Status bytes tell themselves apart by fixed bits (ESC/POS "identification of send status"):
DLE EOT reply 0xx1xx10, ASB first byte 0xx1xx00 and three more bytes 0xx0xxxx, XON 0x11,
XOFF 0x13. A GS ( H process ID response is 37 22 d1 d2 d3 d4 00 (digits 0x30–0x39).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kiosk.drivers.ports import PrinterState, PrinterStatus

XON, XOFF = 0x11, 0x13
# GS ( H process ID response: header 0x37, identifier 0x22, the four ID digits, NUL.
PROCESS_ID_HEAD = b"\x37\x22"
PROCESS_ID_LENGTH = 7


def is_realtime_reply(byte: int) -> bool:
    return byte & 0b1001_0011 == 0b0001_0010


def is_asb_first(byte: int) -> bool:
    return byte & 0b1001_0011 == 0b0001_0000


def is_asb_more(byte: int) -> bool:
    return byte & 0b1001_0000 == 0


@dataclass
class StatusStream:
    """Splits what a printer sends into DLE EOT replies, ASB blocks and process ID responses, in
    order, skipping XON/XOFF; anything else is kept as `garbage` (a sign of a wrong baud rate, an
    echo, or an answer garbled on the way). `answers` counts the bytes that answer one DLE EOT
    query each: replies and garbage, since a garbled reply still stands for one query."""

    replies: list[int] = field(default_factory=list)
    asb: list[bytes] = field(default_factory=list)
    process_ids: list[str] = field(default_factory=list)
    garbage: bytearray = field(default_factory=bytearray)
    answers: list[int] = field(default_factory=list)
    _partial: bytearray = field(default_factory=bytearray)
    _pid: bytearray = field(default_factory=bytearray)

    def feed(self, data: bytes) -> None:
        for byte in data:
            if self._pid or byte == PROCESS_ID_HEAD[0]:
                self._process_id_byte(byte)
            else:
                self._status_byte(byte)

    def _process_id_byte(self, byte: int) -> None:
        self._pid.append(byte)
        n = len(self._pid)
        fits = (
            byte == PROCESS_ID_HEAD[n - 1]
            if n <= 2
            else (0x30 <= byte <= 0x39 if n < PROCESS_ID_LENGTH else byte == 0)
        )
        if not fits:
            held = bytes(self._pid)
            self._pid.clear()
            self._garbage(held[:1])  # the 0x37 was not a response after all: go on from the next
            for rest in held[1:]:
                self.feed(bytes([rest]))
        elif n == PROCESS_ID_LENGTH:
            self.process_ids.append(bytes(self._pid[2:6]).decode("ascii"))
            self._pid.clear()

    def _status_byte(self, byte: int) -> None:
        if self._partial:
            if is_asb_more(byte) and byte not in (XON, XOFF):
                self._partial.append(byte)
                if len(self._partial) == 4:
                    self.asb.append(bytes(self._partial))
                    self._partial.clear()
                return
            if byte in (XON, XOFF):
                return
            held = bytes(self._partial)
            self._partial.clear()
            self._garbage(held)
        if byte in (XON, XOFF):
            return
        if is_realtime_reply(byte):
            self.replies.append(byte)
            self.answers.append(byte)
        elif is_asb_first(byte):
            self._partial.append(byte)
        else:
            self._garbage(bytes([byte]))

    def _garbage(self, data: bytes) -> None:
        self.garbage += data
        self.answers.extend(data)


def status_from_replies(replies: Mapping[int, int]) -> PrinterStatus:
    """Status from DLE EOT replies ({n: byte}); missing replies say nothing, no reply at all is
    offline."""
    if not replies:
        return PrinterStatus(PrinterState.offline, "no answer to a status query")
    bad = {n: b for n, b in replies.items() if not is_realtime_reply(b)}
    if bad:
        shown = ", ".join(f"0x{b:02x}" for b in bad.values())
        return PrinterStatus(PrinterState.error, f"unreadable status reply {shown}; check baud rate")
    printer, offline = replies.get(1, 0x12), replies.get(2, 0x12)
    error, paper = replies.get(3, 0x12), replies.get(4, 0x12)
    return _classify(
        offline=bool(printer & 0x08),
        cover_open=bool(offline & 0x04),
        feeding=bool(offline & 0x08),
        paper_end_stop=bool(offline & 0x20),
        error_bits=(error & 0x68) | (0x01 if offline & 0x40 else 0),
        paper_out=paper & 0x60 == 0x60,
        near_end=bool(paper & 0x0C),
    )


def status_from_asb(block: bytes) -> PrinterStatus:
    """Status from one 4-byte ASB block."""
    if len(block) != 4 or not is_asb_first(block[0]):
        return PrinterStatus(PrinterState.error, f"unreadable status block {block.hex()}")
    first, second, third = block[0], block[1], block[2]
    return _classify(
        offline=bool(first & 0x08),
        cover_open=bool(first & 0x20),
        feeding=bool(first & 0x40),
        paper_end_stop=False,
        error_bits=second & 0x6C,
        paper_out=bool(third & 0x0C),
        near_end=bool(third & 0x03),
    )


ERROR_NAMES = {
    0x04: "mechanical error",
    0x08: "autocutter error",
    0x20: "unrecoverable error",
    0x40: "recoverable error (head too hot?)",
}


def _classify(
    *,
    offline: bool,
    cover_open: bool,
    feeding: bool,
    paper_end_stop: bool,
    error_bits: int,
    paper_out: bool,
    near_end: bool,
) -> PrinterStatus:
    """One state from the flags, the one a person must act on first."""
    if cover_open:
        return PrinterStatus(PrinterState.cover_open, "the printer cover is open")
    if paper_out or paper_end_stop:
        return PrinterStatus(PrinterState.paper_out, "the paper roll is empty")
    if error_bits:
        # 0x01 stands for "an error occurred" (DLE EOT 2 bit 6) without its cause.
        names = [name for bit, name in ERROR_NAMES.items() if error_bits & bit]
        return PrinterStatus(PrinterState.error, ", ".join(names) or "the printer reports an error")
    if feeding:
        return PrinterStatus(PrinterState.offline, "paper is being fed with the FEED button")
    if offline:
        return PrinterStatus(PrinterState.offline, "the printer reports itself offline")
    if near_end:
        return PrinterStatus(PrinterState.paper_near_end, "the paper roll is nearly empty")
    return PrinterStatus(PrinterState.ready)

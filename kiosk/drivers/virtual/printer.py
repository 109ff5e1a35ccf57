"""A virtual ESC/POS printer, a production part: the demo, the tests and technicians use it.

It takes the other end of a pty pair (the kiosk opens the slave path as its serial port, or a
stable symlink to it, like udev's /dev/kiosk-printer) or listens on TCP (socket://host:port). It
reads ESC/POS as a printer does (text in the active code page, TCVN-3 and CP1258 included, raster
images, native QR, sizes, cuts), renders each cut ticket to ticket-NNNN.png with ticket-NNNN.json
(its text lines, QR payloads, image count, bytes), and answers DLE EOT with the state it is told
to simulate. Real-time commands are answered wherever they appear in the stream, inside image data
too, as real printers do, when they arrive; a GS ( H process ID request is
answered when the head reaches it, after everything before it was printed and cut (unless
`behaviour.process_id` is off, as on clones). The misbehaving
printer (late, stopped, duplicated, garbled answers; a buffer that fills; paper that ends at a
byte; a slow wire) is set with `behaviour` (kiosk.drivers.virtual.behaviour).
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from kiosk.drivers.escpos.options import PAPER_DOTS, profile_pages
from kiosk.drivers.virtual.behaviour import Answers, Behaviour, PrintEngine
from kiosk.drivers.virtual.canvas import PrintedTicket, TicketCanvas
from kiosk.drivers.virtual.links import Link, PtyLink, TcpLink
from kiosk.drivers.virtual.parser import EscposParser

log = logging.getLogger(__name__)


class Simulated(StrEnum):
    """What the virtual printer pretends. offline answers nothing; slow takes bytes at
    slow_bytes_per_s; unplug_mid_ticket pulls the cable after unplug_after_bytes more bytes."""

    ready = "ready"
    paper_near_end = "paper_near_end"
    paper_out = "paper_out"
    cover_open = "cover_open"
    offline = "offline"
    error = "error"
    slow = "slow"
    unplug_mid_ticket = "unplug_mid_ticket"


# DLE EOT 1–4 replies and the ASB block per state (fixed bits 0x12 / 0x10 included).
REPLIES = {
    Simulated.paper_near_end: (0x12, 0x12, 0x12, 0x1E),
    Simulated.paper_out: (0x1A, 0x32, 0x12, 0x72),
    Simulated.cover_open: (0x1A, 0x16, 0x12, 0x12),
    Simulated.error: (0x1A, 0x52, 0x1A, 0x12),
}
READY_REPLIES = (0x12, 0x12, 0x12, 0x12)
ASB = {
    Simulated.paper_near_end: b"\x10\x00\x03\x00",
    Simulated.paper_out: b"\x18\x00\x0c\x00",
    Simulated.cover_open: b"\x38\x00\x00\x00",
    Simulated.error: b"\x18\x08\x00\x00",
}
READY_ASB = b"\x10\x00\x00\x00"
NOT_PRINTING = (Simulated.paper_out, Simulated.cover_open, Simulated.error, Simulated.offline)


@dataclass(frozen=True)
class VirtualTicket:
    """A ticket the virtual printer cut: where its files are and what it said."""

    number: int
    png: Path
    lines: tuple[str, ...]
    qr: tuple[str, ...]
    images: int
    bytes: int
    warnings: tuple[str, ...]


class VirtualPrinter:
    """Start with start_pty() or listen(); control with set_state(), pull_cable(), plug_cable();
    read results with tickets / wait_for_tickets(); stop() ends it."""

    def __init__(
        self,
        out_dir: Path,
        profile: str = "default",
        paper_width_mm: int = 80,
        slow_bytes_per_s: int = 240,
        unplug_after_bytes: int = 120,
        behaviour: Behaviour | None = None,
    ) -> None:
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.slow_bytes_per_s = slow_bytes_per_s
        self.unplug_after_bytes = unplug_after_bytes
        self.bytes_received = 0
        self._state = Simulated.ready
        self._unplug_budget = 0
        self._asb_enabled = False
        self._tickets: list[VirtualTicket] = []
        self._changed = threading.Condition()
        self._numbered = max(
            (int(p.stem[7:]) for p in self.out_dir.glob("ticket-*.png") if p.stem[7:].isdigit()),
            default=0,
        )
        self._ticket_bytes = 0
        pages = {int(n): name for n, name in profile_pages(profile).items()}
        self._canvas = TicketCanvas(PAPER_DOTS[paper_width_mm], pages, on_cut=self._save)
        self._parser = EscposParser(self._canvas, on_inband=self._inband)
        self._realtime = bytearray()
        self._link: Link | None = None
        self.behaviour = behaviour or Behaviour()
        self._answers = Answers(self._reply_now, self.behaviour)
        self._engine = PrintEngine(self._print, self.behaviour, self._paper_ended)
        self._mute_budget: int | None = None
        self.configure()

    # -- starting and stopping -----------------------------------------------------------------

    def start_pty(self, link: Path | None = None) -> str:
        """Make a pty pair and serve its master; returns the path the kiosk opens (the slave, or
        `link`, a symlink kept pointing at the current slave like a udev rule)."""
        self._link = PtyLink(self._receive, link)
        self._set_wire()
        return self._link.start()

    def listen(self, host: str = "127.0.0.1", port: int = 0) -> tuple[str, int]:
        """Serve one TCP client at a time (printer.url = socket://HOST:PORT)."""
        tcp = TcpLink(self._receive, host, port)
        self._link = tcp
        self._set_wire()
        tcp.start()
        return tcp.address

    @property
    def device(self) -> str:
        """The path or socket:// URL the kiosk should open."""
        return self._link.url if self._link else ""

    def stop(self) -> None:
        self._engine.stop()
        if self._link is not None:
            self._link.stop()

    def __enter__(self) -> VirtualPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- control -------------------------------------------------------------------------------

    @property
    def state(self) -> Simulated:
        return self._state

    def set_state(self, state: str | Simulated) -> None:
        """Simulate `state` from now on (see Simulated). Back to a printing state, the head goes
        on with what its buffer holds (a ticket held by paper out comes out now)."""
        self._state = Simulated(state)
        self._unplug_budget = self.unplug_after_bytes
        self._set_wire()
        if self._asb_enabled:
            self._reply(ASB.get(self._state, READY_ASB))
        if self._state not in NOT_PRINTING and self._engine.halted:
            self._engine.resume()

    def configure(self, **changes: object) -> None:
        """Change the behaviour (fields of Behaviour) from now on."""
        for name, value in changes.items():
            setattr(self.behaviour, name, value)
        b = self.behaviour
        self._mute_budget = b.mute_after_bytes
        self._answers.muted = b.mute_after_bytes == 0
        self._engine.halt_after(b.paper_out_after_bytes)
        self._set_wire()

    def _set_wire(self) -> None:
        if self._link is not None:
            slow = self._state == Simulated.slow
            self._link.slow_bytes_per_s = self.slow_bytes_per_s if slow else self.behaviour.wire_bytes_per_s

    def pull_cable(self) -> None:
        """The USB-serial adapter disappears: the port and its symlink vanish."""
        if self._link is not None:
            self._link.pull()

    def plug_cable(self) -> str:
        """The adapter comes back (a new pty, the symlink again); the state is ready."""
        self._state = Simulated.ready
        self._realtime.clear()
        self._parser.buffer.clear()
        self._engine.clear()
        self._answers.clear()
        return self._link.plug() if self._link else ""

    # -- results -------------------------------------------------------------------------------

    @property
    def tickets(self) -> list[VirtualTicket]:
        with self._changed:
            return list(self._tickets)

    def wait_for_tickets(self, count: int, timeout_s: float = 10.0) -> list[VirtualTicket]:
        """Block until `count` tickets were cut (or `timeout_s` passed); returns them all."""
        with self._changed:
            self._changed.wait_for(lambda: len(self._tickets) >= count, timeout_s)
            return list(self._tickets)

    # -- the byte stream -----------------------------------------------------------------------

    def _receive(self, chunk: bytes) -> None:
        """Called by the link's thread for every chunk read from the wire."""
        if self._state == Simulated.unplug_mid_ticket:
            if len(chunk) >= self._unplug_budget:
                chunk = chunk[: self._unplug_budget]
                self._take(chunk)
                log.info("virtual printer: cable pulled mid-ticket")
                self.pull_cable()
                return
            self._unplug_budget -= len(chunk)
        self._take(chunk)

    def _take(self, chunk: bytes) -> None:
        self.bytes_received += len(chunk)
        if self._mute_budget is not None:
            self._mute_budget -= len(chunk)
            self._answers.muted = self._mute_budget <= 0
        if self._state == Simulated.offline:
            return
        self._answer_realtime(chunk)
        if self._state in NOT_PRINTING:
            return  # a printer that cannot print takes no job (the driver never sends one)
        self._engine.put(chunk)  # blocks while the buffer is full: the wire stops

    def _print(self, chunk: bytes) -> None:
        """The head reached `chunk` (kiosk.drivers.virtual.behaviour.PrintEngine)."""
        self._ticket_bytes += len(chunk)
        self._parser.feed(chunk)

    def _paper_ended(self) -> None:
        log.info("virtual printer: the paper ran out mid-job")
        self.set_state(Simulated.paper_out)

    def _answer_realtime(self, chunk: bytes) -> None:
        """DLE EOT n anywhere in the stream gets its status byte (split reads included)."""
        for byte in chunk:
            pending = self._realtime
            if not pending:
                if byte == 0x10:
                    pending.append(byte)
                continue
            pending.append(byte)
            if len(pending) == 2 and byte != 0x04:
                pending.clear()  # DLE ENQ / DLE DC4 / data: nothing to answer
                if byte == 0x10:
                    pending.append(byte)
            elif len(pending) == 3:
                n = pending[2]
                pending.clear()
                if 1 <= n <= 4:
                    self._reply(bytes([REPLIES.get(self._state, READY_REPLIES)[n - 1]]))

    def _inband(self, command: bytes) -> None:
        if command[:3] == b"\x1d(H" and len(command) == 11 and command[5:7] == b"00":
            if self.behaviour.process_id:
                self._reply(b"\x37\x22" + command[7:11] + b"\x00")
            return
        if command[:2] == b"\x1da":
            self._asb_enabled = command[2] != 0
            if self._asb_enabled:
                self._reply(ASB.get(self._state, READY_ASB))

    def _reply(self, data: bytes) -> None:
        self._answers.reply(data)

    def _reply_now(self, data: bytes) -> None:
        if self._link is not None:
            self._link.send(data)

    def _save(self, ticket: PrintedTicket) -> None:
        with self._changed:
            self._numbered += 1
            stem = self.out_dir / f"ticket-{self._numbered:04d}"
            ticket.image.save(stem.with_suffix(".png"))
            saved = VirtualTicket(
                number=self._numbered,
                png=stem.with_suffix(".png"),
                lines=tuple(ticket.lines),
                qr=tuple(ticket.qr),
                images=ticket.images,
                bytes=self._ticket_bytes,
                warnings=tuple(ticket.warnings),
            )
            record = {k: v for k, v in saved.__dict__.items() if k != "png"}
            record["png"] = saved.png.name
            stem.with_suffix(".json").write_text(json.dumps(record, ensure_ascii=False, indent=1))
            self._ticket_bytes = 0
            self._tickets.append(saved)
            self._changed.notify_all()
        log.info("virtual printer: %s (%d lines)", saved.png.name, len(saved.lines))

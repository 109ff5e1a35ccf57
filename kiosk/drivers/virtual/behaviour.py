"""How the virtual printer misbehaves, for tests and for technicians: answers that come late,
stop, come twice or garbled; a receive buffer that fills and holds the line (flow control) while
the print head works through it at its own speed; paper that runs out at a given byte.

`Answers` is the printer's sending side, `PrintEngine` its receive buffer and print head. Both
are used by kiosk.drivers.virtual.printer; neither knows ESC/POS.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

GARBLE = 0x81  # XORed into every garbled byte: status replies lose their fixed bits


@dataclass
class Behaviour:
    """The knobs (all off by default: a printer that behaves)."""

    wire_bytes_per_s: int = 0  # how fast the printer reads the wire; 0: as fast as it comes
    print_bytes_per_s: int = 0  # how fast the head works through the buffer; 0: at once
    buffer_bytes: int = 4096  # the receive buffer; when full, the printer stops reading
    answer_delay_s: float = 0.0  # every answer leaves this much later
    duplicate_answers: bool = False  # every answer is sent twice
    garble_answers: bool = False  # every answer arrives with its bits mangled
    mute_after_bytes: int | None = None  # no answers at all once this many more bytes arrived
    paper_out_after_bytes: int | None = None  # the paper ends after the head took this many more
    process_id: bool = True  # answer GS ( H process ID requests, as Epson TM printers do


class Answers:
    """What the printer sends back, through `send` (the link), bent by the behaviour."""

    def __init__(self, send: Callable[[bytes], None], behaviour: Behaviour) -> None:
        self._send = send
        self.behaviour = behaviour
        self.muted = False
        self._queue: collections.deque[tuple[float, bytes]] = collections.deque()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def reply(self, data: bytes) -> None:
        b = self.behaviour
        if self.muted:
            return
        if b.garble_answers:
            data = bytes(byte ^ GARBLE for byte in data)
        if b.duplicate_answers:
            data = data + data
        if b.answer_delay_s <= 0 and not self._queue:
            self._send(data)
            return
        with self._wake:
            self._queue.append((time.monotonic() + b.answer_delay_s, data))
            self._wake.notify()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="virtual-answers", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._queue:
                    self._wake.wait()
                due, data = self._queue[0]
                if time.monotonic() < due:
                    self._wake.wait(due - time.monotonic())
                    continue
                self._queue.popleft()
            self._send(data)

    def clear(self) -> None:
        with self._wake:
            self._queue.clear()


class PrintEngine:
    """The receive buffer and the head. `put` is called by the link's reader and blocks while the
    buffer is full (so the wire stops: flow control); the head hands bytes to `feed` (the parser)
    at print_bytes_per_s, or at once. `halt_after(n)` ends the paper after n more bytes."""

    def __init__(
        self, feed: Callable[[bytes], None], behaviour: Behaviour, on_paper_out: Callable[[], None]
    ) -> None:
        self._feed = feed
        self.behaviour = behaviour
        self._on_paper_out = on_paper_out
        self._buffer = bytearray()
        self._budget: int | None = None
        self.halted = False
        self._changed = threading.Condition()
        self._stopped = False
        self._thread: threading.Thread | None = None
        self._head = threading.Lock()  # one feeder at a time: the parser is not thread-safe

    def put(self, chunk: bytes) -> None:
        with self._changed:
            while len(self._buffer) >= self.behaviour.buffer_bytes and not self._stopped:
                self._changed.wait(0.05)  # flow control: stop reading the wire
            self._buffer += chunk
            self._changed.notify_all()
        if self.behaviour.print_bytes_per_s <= 0:
            self._work(len(self._buffer))
        elif self._thread is None:
            self._thread = threading.Thread(target=self._run, name="virtual-head", daemon=True)
            self._thread.start()

    def halt_after(self, count: int | None) -> None:
        with self._changed:
            self._budget = count

    def resume(self) -> None:
        """New paper: the head goes on with what the buffer holds."""
        with self._changed:
            self.halted = False
            self._budget = self.behaviour.paper_out_after_bytes
        if self.behaviour.print_bytes_per_s <= 0:
            self._work(len(self._buffer))

    def clear(self) -> None:
        with self._changed:
            self._buffer.clear()
            self._changed.notify_all()

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify_all()

    @property
    def pending(self) -> int:
        return len(self._buffer)

    def _work(self, most: int) -> None:
        """Hand up to `most` buffered bytes to the parser, stopping where the paper ends."""
        with self._head:
            self._work_locked(most)

    def _work_locked(self, most: int) -> None:
        with self._changed:
            if self.halted or not self._buffer:
                return
            take = min(most, len(self._buffer))
            ends = self._budget is not None and self._budget <= take
            if self._budget is not None:
                take = min(take, self._budget)
                self._budget -= take
            chunk = bytes(self._buffer[:take])
            del self._buffer[:take]
            self.halted = ends
            self._changed.notify_all()
        if chunk:
            self._feed(chunk)
        if ends:
            self._on_paper_out()

    def _run(self) -> None:
        step = 16
        while not self._stopped:
            with self._changed:
                if not self._buffer or self.halted:
                    self._changed.wait(0.05)
                    continue
            self._work(step)
            time.sleep(step / max(1, self.behaviour.print_bytes_per_s))

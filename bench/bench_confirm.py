"""What confirming a ticket costs (issue 18): from print_layout() called to print_layout()
returned — the moment the ticket screen turns to "printed" (the UI adds one frame) — for the
sample ticket in each Vietnamese mode at 9600 and 115200 baud, side by side:

- before: the old driver (query, send, one query answered within wire time + write_timeout_s);
- process ID: the new driver with an Epson profile (GS ( H answered after the cut);
- real-time status: the new driver with a profile without GS ( H (answer behind the ticket,
  then finish_s = 1.0, then another).

The virtual printer reads the wire at the baud rate's byte rate (ten bits a byte) and prints at
once: the figures are the driver's waiting, not a print head's."""

from __future__ import annotations

import time
from pathlib import Path
from tempfile import TemporaryDirectory

from bench import Figure, median
from kiosk.drivers.escpos.options import MODES, PrintOptions
from kiosk.drivers.escpos.render import render_escpos
from kiosk.drivers.layout import Layout
from kiosk.drivers.serial_printer import STATUS_TIMEOUT_S, SerialTicketPrinter, raise_for
from kiosk.drivers.transport import PortSettings
from kiosk.drivers.virtual.behaviour import Behaviour
from kiosk.drivers.virtual.printer import VirtualPrinter
from kiosk.technician.samples import sample_layout

RUNS = 3
BAUDS = (9600, 115200)


class BeforeIssue18(SerialTicketPrinter):
    """The driver as it was: its answer after the ticket was any answer at all."""

    def print_layout(self, layout: Layout) -> None:
        data = render_escpos(layout, self.options)
        with self._lock:
            raise_for(self._ask(STATUS_TIMEOUT_S, resync=True)[0], "before printing")
            self._port.write(data)
            self._port.discard_input()
            self._port.write(self._status_query())
            stream = self._read_answers(4, self.port_settings.seconds_for(len(data)) + 10.0)
            raise_for(self._interpret(stream.answers[:4], stream), "while printing")

    @staticmethod
    def _status_query() -> bytes:
        from kiosk.drivers.escpos.writer import EscposWriter

        return EscposWriter.status_query()


def _seconds(kind: str, mode: str, baud: int, out: Path) -> float:
    virtual = VirtualPrinter(out, behaviour=Behaviour(wire_bytes_per_s=baud // 10))
    device = virtual.start_pty()
    profile = "TM-T88V" if kind == "process ID" else "default"
    port = PortSettings(url=device, baudrate=baud, finish_s=1.0)
    cls = BeforeIssue18 if kind == "before" else SerialTicketPrinter
    printer = cls(port, PrintOptions(mode=mode, profile=profile))  # type: ignore[arg-type]
    printer.open()
    runs = []
    try:
        printer.print_layout(sample_layout("ticket"))  # the connection's first ticket: probes
        for _ in range(RUNS):
            started = time.perf_counter()
            printer.print_layout(sample_layout("ticket"))
            runs.append(time.perf_counter() - started)
    finally:
        printer.close()
        virtual.stop()
    return median(runs)


def run() -> list[Figure]:
    figures: list[Figure] = []
    with TemporaryDirectory() as tmp:
        for mode in MODES:
            size = len(render_escpos(sample_layout("ticket"), PrintOptions(mode=mode)))
            for baud in BAUDS:
                wire = PortSettings(url="", baudrate=baud).seconds_for(size)
                figures.append(Figure(f"ticket {mode} ({size} B) at {baud}: wire time", round(wire, 3), "s"))
                for kind in ("before", "process ID", "real-time status"):
                    seconds = _seconds(kind, mode, baud, Path(tmp) / f"{mode}-{baud}-{kind}")
                    figures.append(
                        Figure(f"ticket {mode} at {baud}: printed after, {kind}", round(seconds, 3), "s")
                    )
    return figures

"""The kiosk's claim about a ticket never contradicts the printer's own record (issue 18).

A hypothesis state machine drives the real driver against the virtual printer on a pty while the
printer misbehaves: slow wire and head, a buffer that fills, late / duplicated / garbled / missing
answers, paper that ends at any byte, a cable pulled at any byte. After every print:
- "printed" → the ticket is already among the printer's cut tickets;
- "not printed" → it never comes out, even once the paper is back and everything settled;
- anything else must be PrintUnconfirmed ("unknown").

Profiles: TM-T88V confirms by GS ( H process ID (late answers of any length), `default` by
real-time status (answers late by less than the driver's quiet window plus finish_s: the bound
documented in docs/printing.md). Fast wire speeds and short deadlines keep it quick.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from tempfile import mkdtemp

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from kiosk.drivers.escpos.options import PrintOptions
from kiosk.drivers.layout import Cut, Layout, Text
from kiosk.drivers.serial_printer import SerialTicketPrinter
from kiosk.drivers.transport import PortSettings
from kiosk.drivers.virtual.behaviour import Behaviour
from kiosk.drivers.virtual.printer import Simulated, VirtualPrinter
from kiosk.errors import PrinterError, PrintUnconfirmed

FINISH_S = 0.2
PID_DELAYS = (0.0, 0.05, 0.3, 1.2)  # 1.2 s: later than every deadline of the driver
STATUS_DELAYS = (0.0, 0.05)


def ticket_layout(code: str, lines: int) -> Layout:
    body = tuple(Text(f"{code} dong {i} Số thứ tự", align="left") for i in range(lines))
    return Layout(code, (Text(code, bold=True), *body, Cut()))


class PrinterTruth(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.virtual: VirtualPrinter | None = None
        self.driver: SerialTicketPrinter | None = None
        self.claims: dict[str, str] = {}
        self.count = 0

    @initialize(by_process_id=st.booleans())
    def connect(self, by_process_id: bool) -> None:
        self.by_process_id = by_process_id
        self.virtual = VirtualPrinter(Path(mkdtemp(prefix="truth-")), behaviour=Behaviour())
        device = self.virtual.start_pty()
        port = PortSettings(url=device, baudrate=115200, write_timeout_s=0.5, finish_s=FINISH_S)
        profile = "TM-T88V" if by_process_id else "default"
        self.driver = SerialTicketPrinter(port, PrintOptions(mode="tcvn3", profile=profile))
        self.driver.open()
        self.print_ticket(lines=1)  # a healthy first ticket: the connection is known

    @rule(
        wire=st.sampled_from([0, 4000, 20000]),
        head=st.sampled_from([0, 3000, 20000]),
        buffer=st.sampled_from([64, 512, 4096]),
        delay=st.integers(0, 3),
        duplicate=st.booleans(),
        garble=st.booleans(),
        mute=st.one_of(st.none(), st.integers(0, 400)),
        lines=st.integers(1, 12),
    )
    def misbehave(
        self,
        wire: int,
        head: int,
        buffer: int,
        delay: int,
        duplicate: bool,
        garble: bool,
        mute: int | None,
        lines: int,
    ) -> None:
        delays = PID_DELAYS if self.by_process_id else STATUS_DELAYS
        assert self.virtual is not None
        self.virtual.configure(
            wire_bytes_per_s=wire,
            print_bytes_per_s=head,
            buffer_bytes=buffer,
            answer_delay_s=delays[delay % len(delays)],
            duplicate_answers=duplicate,
            garble_answers=garble,
            mute_after_bytes=mute,
        )
        self.print_ticket(lines)

    @rule(at=st.integers(0, 500), lines=st.integers(1, 12))
    def paper_runs_out(self, at: int, lines: int) -> None:
        assert self.virtual is not None
        self.virtual.configure(paper_out_after_bytes=at)
        self.print_ticket(lines)

    @rule(at=st.integers(0, 500), lines=st.integers(1, 12))
    def cable_pulled(self, at: int, lines: int) -> None:
        assert self.virtual is not None
        self.virtual.unplug_after_bytes = at
        self.virtual.set_state(Simulated.unplug_mid_ticket)
        self.print_ticket(lines)

    @rule(lines=st.integers(1, 12))
    def repaired_then_print(self, lines: int) -> None:
        self.repaired()
        self.print_ticket(lines)

    def repaired(self) -> None:
        """Paper back, cable back, a printer that behaves again."""
        assert self.virtual is not None
        self.virtual.configure(**Behaviour().__dict__)
        if self.virtual.state == Simulated.unplug_mid_ticket or not Path(self.virtual.device).exists():
            self.virtual.plug_cable()
        self.virtual.set_state(Simulated.ready)

    @rule(lines=st.integers(1, 12))
    def print_ticket(self, lines: int) -> None:
        assert self.driver is not None and self.virtual is not None
        self.count += 1
        code = f"T{self.count:04d}"
        try:
            self.driver.print_layout(ticket_layout(code, lines))
            claim = "printed"
        except PrintUnconfirmed:
            claim = "unknown"
        except PrinterError:
            claim = "not printed"
        self.claims[code] = claim
        if claim == "printed":
            assert code in self.printed(), f"{code} claimed printed, not out"

    def printed(self) -> set[str]:
        """Codes on the cut tickets. A ticket cut short by a pulled cable stays on the paper and
        the next one follows it on the same strip, so a cut may carry a fragment and a code."""
        assert self.virtual is not None
        return {code for t in self.virtual.tickets for code in re.findall(r"T\d{4}", " ".join(t.lines))}

    @invariant()
    def not_printed_means_not_out(self) -> None:
        if self.virtual is None:
            return
        out = self.printed()
        assert not [c for c, claim in self.claims.items() if claim == "not printed" and c in out]

    def teardown(self) -> None:
        if self.virtual is None:
            return
        try:
            self.repaired()  # anything held in the buffer may come out now
            deadline = time.monotonic() + 3
            while self.virtual._engine.pending and time.monotonic() < deadline:  # noqa: SLF001
                time.sleep(0.05)
            time.sleep(0.2)
            self.not_printed_means_not_out()
            import os

            if os.environ.get("TRUTH_DEBUG"):
                print("CLAIMS", self.by_process_id, self.claims, sorted(self.printed()))
        finally:
            if self.driver is not None:
                self.driver.close()
            self.virtual.stop()


PrinterTruth.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_printer_claims_agree_with_what_it_printed = PrinterTruth.TestCase

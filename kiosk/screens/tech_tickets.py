"""Technician tickets screen: find a ticket by its number (today's, else the latest day it was
issued), reprint it (after a paper refill) or void it (its number is never reused). A ticket that
may be out already (printed, or print_unknown: sent, never confirmed) is reprinted marked
"IN LẠI", and the button says so. The same
issuing code as the ticket screen and `kiosk ticket`, on the worker thread."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, ObjectProperty, StringProperty

from kiosk.errors import QueueError
from kiosk.queue import issuing
from kiosk.queue import numbering as queue
from kiosk.queue.numbering import Ticket
from kiosk.screens.tech_widgets import TechFact, TechScreen, fact, fill

MAX_CODE = 8
VOID_REASON = "voided by a technician"


class TechTicketsScreen(TechScreen):
    code = StringProperty("")
    ticket = ObjectProperty(None, allownone=True)
    confirm_void = BooleanProperty(False)

    def on_kv_post(self, _base: Any) -> None:
        keypad = self.ids.keypad
        keypad.pressed, keypad.erased, keypad.cleared = self.press, self.backspace, self.clear

    def on_pre_enter(self, *_args: Any) -> None:
        self.ids.keypad.ensure_keys()

    def press(self, key: str) -> None:
        if len(self.code) < MAX_CODE:
            self.code += key

    def backspace(self) -> None:
        self.code = self.code[:-1]

    def clear(self) -> None:
        self.code = ""

    def on_ticket(self, *_args: Any) -> None:
        self.confirm_void = False
        if "ticket" in self.ids:
            fill(self.ids.ticket, ticket_rows(self.ticket, self.services) if self.ticket else [])

    def find(self) -> None:
        code = self.code.strip()
        if not code:
            return
        self.ticket = None
        self.say("tech.tickets.finding")
        self.run(lambda db: queue.find_ticket(db, code), self._found)

    def _found(self, ticket: Ticket | None, error: BaseException | None) -> None:
        if isinstance(error, QueueError):
            self.say("tech.tickets.unknown", True, code=self.code)
        elif error is not None:
            self.say("tech.error", True, detail=str(error))
        else:
            self.ticket = ticket
            self.say("")

    def reprint(self) -> None:
        ticket, services = self.ticket, self.services
        if ticket is None:
            return
        self.say("tech.printer.printing")

        def job(db: Any) -> issuing.IssueOutcome:
            now = queue.site_now(services.clock, db, services.timezone)
            return issuing.reprint(db, services.settings, services.printer, ticket.ticket, now, ticket.day)

        def done(outcome: issuing.IssueOutcome | None, error: BaseException | None) -> None:
            if outcome is not None:
                self.ticket = outcome.ticket
                if outcome.printed:
                    self.say("tech.tickets.reprinted", code=outcome.ticket.ticket)
                elif outcome.unknown:
                    self.say(
                        "tech.tickets.print_unknown",
                        True,
                        code=outcome.ticket.ticket,
                        reason=outcome.reason or "",
                    )
                else:
                    self.say("tech.tickets.not_printed", True, reason=outcome.reason or "")
            else:  # voided meanwhile, or the database refused: the reason as it is
                self.say("tech.error", True, detail=str(error))

        self.run(job, done)

    def void(self) -> None:
        ticket, services = self.ticket, self.services
        if ticket is None or ticket.state == "voided":
            return
        if not self.confirm_void:
            self.confirm_void = True
            self.say("tech.tickets.void_confirm", True, code=ticket.ticket)
            return

        def job(db: Any) -> Ticket:
            now = queue.site_now(services.clock, db, services.timezone)
            return queue.void_ticket(db, queue.find_ticket(db, ticket.ticket, ticket.day), now, VOID_REASON)

        def done(voided: Ticket | None, error: BaseException | None) -> None:
            if voided is None:
                self.say("tech.error", True, detail=str(error))
                return
            self.ticket = voided
            self.say("tech.tickets.voided", code=voided.ticket)

        self.run(job, done)

    def reset(self) -> None:
        super().reset()
        self.code = ""
        self.ticket = None

    def shots(self) -> dict[str, Any]:
        def found() -> None:
            from datetime import datetime

            self._generation += 1
            self.code = "B012"
            moment = datetime(2026, 11, 28, 8, 41).astimezone(self.services.timezone)
            self.ticket = Ticket(
                1, "2026-11-28", "B", 12, "B012", None, "vi", moment, "print_failed", "paper_out"
            )
            self.say("tech.tickets.not_printed", True, reason="paper_out")

        def unknown() -> None:
            from datetime import datetime

            self._generation += 1
            self.code = "A014"
            moment = datetime(2026, 11, 28, 8, 47).astimezone(self.services.timezone)
            self.ticket = Ticket(
                2, "2026-11-28", "A", 14, "A014", None, "vi", moment, "print_unknown", "no_confirmation"
            )
            self.say("tech.tickets.print_unknown", True, code="A014", reason="no_confirmation")

        return {"": lambda: None, "found": found, "unknown": unknown}


def ticket_rows(ticket: Ticket, services: Any) -> list[TechFact]:
    try:
        service = queue.find_service(services.settings, ticket.service).name
    except QueueError:
        service = ticket.service
    issued = ticket.issued_at.astimezone(services.timezone).strftime("%H:%M %d/%m/%Y")
    rows = [
        fact("tech.tickets.number", ticket.ticket),
        fact("tech.tickets.service", service),
        fact("tech.tickets.issued", issued),
        fact(
            "tech.tickets.state",
            value_key="tech.tickets.state." + ticket.state,
            bad=ticket.state in ("print_failed", "print_unknown", "voided"),
        ),
    ]
    if ticket.reason:
        rows.append(fact("tech.tickets.reason", ticket.reason))
    return rows

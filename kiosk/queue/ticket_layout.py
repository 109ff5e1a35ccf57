"""The queue ticket: what it says, as a layout (kiosk.drivers.layout) with no printer in it.

The words come from kiosk/i18n/ticket_{vi,en}.json (kiosk.i18n.ticket_words). Imports the layout
model of the printer port and i18n; never a concrete driver.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from kiosk.drivers.layout import BigNumber, Block, Cut, Layout, QRCode, Rule, Text
from kiosk.i18n import Language, ticket_words
from kiosk.protocol.events import PRIORITIES
from kiosk.protocol.events import Priority as Priority  # the protocol's; issuing.py takes it from here


@dataclass(frozen=True)
class QueueTicket:
    """Everything a queue ticket shows. `issued_at` is aware and already in the site's zone."""

    header: str
    office: str
    ticket: str
    service_name: str
    counters: tuple[str, ...]
    issued_at: datetime
    people_ahead: int | None
    wait_minutes: int | None
    priority: str | None  # one of PRIORITIES, or None
    qr_url: str | None
    footer: str
    language: Language = "vi"
    reprint: bool = False  # a copy of a ticket that may be out already: marked "IN LẠI"

    def __post_init__(self) -> None:
        if self.issued_at.tzinfo is None:
            raise ValueError("QueueTicket.issued_at must be timezone-aware")
        if self.priority is not None and self.priority not in PRIORITIES:
            raise ValueError(f"QueueTicket.priority {self.priority!r} is not one of {PRIORITIES}")


def queue_ticket_layout(t: QueueTicket) -> Layout:
    """The queue ticket: office, "SỐ THỨ TỰ", the number very large, service, counters, when,
    people ahead and estimated wait when known, priority, QR, footer."""
    w = ticket_words(t.language)
    blocks: list[Block] = []
    if t.header:
        blocks.append(Text(t.header, size="large", bold=True))
    if t.office:
        blocks.append(Text(t.office, bold=True))
    blocks.append(Rule())
    if t.reprint:
        blocks.append(Text(w["reprint"], size="large", bold=True))
    blocks += [Text(w["number_title"], size="large", bold=True), BigNumber(t.ticket)]
    blocks.append(Text(t.service_name, size="large", bold=True))
    if t.counters:
        key = "counter_one" if len(t.counters) == 1 else "counter_many"
        blocks.append(Text(w[key].format(counters=", ".join(t.counters)), bold=True))
    if t.priority:
        who = w[f"priority_{t.priority}"]
        blocks.append(Text(w["priority"].format(who=who), bold=True))
    blocks.extend(_waiting_lines(t, w))
    blocks.append(Text(w["issued_at"].format(time=f"{t.issued_at:%H:%M}", date=_date(t.issued_at))))
    if t.qr_url:
        blocks.append(QRCode(t.qr_url))
    if t.footer:
        blocks.append(Text(t.footer, size="small"))
    blocks.append(Cut())
    return Layout(name=f"ticket {t.ticket}", blocks=tuple(blocks))


def _waiting_lines(t: QueueTicket, w: Mapping[str, str]) -> list[Block]:
    lines: list[Block] = []
    if t.people_ahead is not None:
        if t.people_ahead <= 0:
            lines.append(Text(w["people_ahead_none"]))
        else:
            lines.append(Text(w["people_ahead"].format(n=t.people_ahead)))
    if t.wait_minutes is not None and (t.people_ahead is None or t.people_ahead > 0):
        text = w["wait_soon"] if t.wait_minutes <= 1 else w["wait"].format(n=t.wait_minutes)
        lines.append(Text(text))
    return lines


def _date(moment: datetime) -> str:
    return f"{moment:%d/%m/%Y}"

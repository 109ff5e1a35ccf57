"""What a printed ticket says, as a layout of blocks, with no printer in it.

A `Layout` is a tuple of blocks (text lines with a style, the big number, a rule, a QR code, a
feed, a cut). kiosk/drivers/ turns a layout into ESC/POS bytes for one printer and into a PNG
preview; the words come from kiosk/i18n/ticket_{vi,en}.json. The core states what it needs from a
printer as the `TicketPrinter` protocol; drivers implement it.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any, Literal, Protocol

Language = Literal["vi", "en"]
Priority = Literal["elderly", "disabled", "pregnant", "merit"]
PRIORITIES: tuple[str, ...] = ("elderly", "disabled", "pregnant", "merit")
Align = Literal["left", "center", "right"]
TextSize = Literal["small", "normal", "large"]


class PrinterState(StrEnum):
    ready = "ready"
    paper_near_end = "paper_near_end"
    paper_out = "paper_out"
    cover_open = "cover_open"
    offline = "offline"
    error = "error"


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer last said about itself; `detail` is one line for people."""

    state: PrinterState
    detail: str = ""

    @property
    def can_print(self) -> bool:
        """A ticket can be printed now (ready, or paper near its end)."""
        return self.state in (PrinterState.ready, PrinterState.paper_near_end)


def clean_text(text: str) -> str:
    """NFC, with control and format characters (tabs, newlines, DLE …) turned into spaces and
    runs of spaces collapsed: text from settings or the catalogue must never reach the printer as
    a command."""
    nfc = unicodedata.normalize("NFC", text)
    chars = (" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in nfc)
    return " ".join("".join(chars).split())


@dataclass(frozen=True)
class Text:
    """One paragraph; the driver wraps it to the paper. `indent` indents wrapped lines by that
    many characters (for numbered lists)."""

    text: str
    align: Align = "center"
    size: TextSize = "normal"
    bold: bool = False
    indent: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", clean_text(self.text))


@dataclass(frozen=True)
class BigNumber:
    """The queue number, printed as large as the paper allows (ASCII, e.g. "A012")."""

    text: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", clean_text(self.text))


@dataclass(frozen=True)
class Rule:
    """A thin horizontal line across the paper."""


@dataclass(frozen=True)
class QRCode:
    """A QR code of `data` (a URL), centred."""

    data: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "data", clean_text(self.data))


@dataclass(frozen=True)
class Feed:
    """Blank lines."""

    lines: int = 1


@dataclass(frozen=True)
class Cut:
    """Feed past the cutter and cut."""


Block = Text | BigNumber | Rule | QRCode | Feed | Cut


@dataclass(frozen=True)
class Layout:
    """A ticket as blocks, in print order; `name` says what it is (for logs and file names)."""

    name: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)


class TicketPrinter(Protocol):
    """What the core needs from a ticket printer (kiosk.drivers implements it)."""

    def print_layout(self, layout: Layout) -> None:
        """Check the status, then print. Raises kiosk.errors.PaperOut, CoverOpen,
        PrinterOffline or PrinterError; never hangs."""
        ...

    def status(self) -> PrinterStatus:
        """Ask the printer now; a printer that does not answer is offline."""
        ...


@cache
def ticket_words(language: Language) -> Mapping[str, str]:
    """The words printed on tickets in `language` (kiosk/i18n/ticket_LANG.json)."""
    ref = resources.files("kiosk").joinpath(f"i18n/ticket_{language}.json")
    words: dict[str, str] = json.loads(ref.read_text(encoding="utf-8"))
    return {k: unicodedata.normalize("NFC", v) for k, v in words.items()}


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
    blocks += [Rule(), Text(w["number_title"], size="large", bold=True), BigNumber(t.ticket)]
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


def checklist_layout(
    procedure: Mapping[str, Any], office: str, printed_at: datetime, language: Language = "vi"
) -> Layout:
    """The document checklist of one procedure (a Procedure object of kiosk-catalogue/1): name,
    code, documents with originals and copies, fee, time, where to submit, QR of the online link.
    """
    w = ticket_words(language)
    name = procedure.get("name_en") if language == "en" else None
    blocks: list[Block] = []
    if office:
        blocks.append(Text(office, bold=True))
    blocks += [
        Text(w["checklist_title"], size="large", bold=True),
        Text(str(name or procedure.get("name", "")), bold=True),
        Text(w["procedure_code"].format(code=procedure.get("code", ""))),
        Rule(),
        Text(w["documents"], align="left", bold=True),
    ]
    blocks.extend(_document_lines(procedure.get("documents") or [], w))
    blocks.append(Rule())
    blocks.extend(_method_lines(procedure, w))
    online = procedure.get("online_url")
    if online:
        blocks += [Text(w["online"], align="left"), QRCode(str(online))]
    stamp = w["printed_at"].format(time=f"{printed_at:%H:%M}", date=_date(printed_at))
    blocks += [Text(stamp, size="small"), Cut()]
    return Layout(name=f"checklist {procedure.get('code', '')}", blocks=tuple(blocks))


def _document_lines(documents: list[Mapping[str, Any]], w: Mapping[str, str]) -> list[Block]:
    if not documents:
        return [Text(w["documents_none"], align="left")]
    lines: list[Block] = []
    for number, doc in enumerate(documents, start=1):
        counts = []
        if doc.get("originals"):
            counts.append(w["originals"].format(n=doc["originals"]))
        if doc.get("copies"):
            counts.append(w["copies"].format(n=doc["copies"]))
        suffix = f" ({', '.join(counts)})" if counts else ""
        prefix = f"{number}. "
        lines.append(Text(f"{prefix}{doc.get('name', '')}{suffix}", "left", indent=len(prefix)))
    return lines


def _method_lines(procedure: Mapping[str, Any], w: Mapping[str, str]) -> list[Block]:
    """Fee and time of the in-person channel (the checklist is for the counter), else the first."""
    methods = procedure.get("methods") or []
    chosen = next((m for m in methods if m.get("channel") == "truc-tiep"), None)
    chosen = chosen or (methods[0] if methods else {})
    lines: list[Block] = []
    if chosen.get("fee"):
        lines.append(Text(w["fee"].format(fee=chosen["fee"]), align="left", indent=2))
    if chosen.get("time"):
        lines.append(Text(w["time"].format(time=chosen["time"]), align="left", indent=2))
    if procedure.get("agency"):
        lines.append(Text(w["where"].format(where=procedure["agency"]), align="left", indent=2))
    return lines


TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")  # none, huyền, hỏi, ngã, sắc, nặng
VOWELS = ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y")


def vietnamese_letters() -> list[str]:
    """Every Vietnamese letter with a diacritic or tone, lower case (12 vowels × 6 tones, đ);
    `.upper()` gives the capitals."""
    letters = [unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES]
    return letters + ["đ"]


def printer_test_layout(mode: str, language: Language = "vi") -> Layout:
    """A test page: the Vietnamese mode in use and every Vietnamese letter, lower and upper case."""
    w = ticket_words(language)
    blocks: list[Block] = [
        Text(w["test_title"], size="large", bold=True),
        Text(w["test_mode"].format(mode=mode)),
        Rule(),
        Text(w["test_lower"], align="left", bold=True),
    ]
    rows = [" ".join(vietnamese_letters()[i : i + 6]) for i in range(0, 72, 6)] + ["đ"]
    blocks += [Text(row, align="left") for row in rows]
    blocks.append(Text(w["test_upper"], align="left", bold=True))
    blocks += [Text(row.upper(), align="left") for row in rows]
    blocks += [Rule(), Text(w["test_sentence"]), BigNumber("A012"), Cut()]
    return Layout(name="test page", blocks=tuple(blocks))

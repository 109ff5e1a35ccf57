"""What a printed page is made of, with no printer in it: the layout model that the core builds
(queue tickets, checklists, test pages) and the drivers print.

A `Layout` is a tuple of blocks (text lines with a style, the big number, a rule, a QR code, a
feed, a cut). kiosk/drivers/escpos/ turns a layout into ESC/POS bytes for one printer and
kiosk/drivers/virtual/ into a PNG preview.

Part of the printer port (with kiosk.drivers.ports): the core may import it. Imports nothing
but the standard library.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Literal

Align = Literal["left", "center", "right"]
TextSize = Literal["small", "normal", "large"]


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
    """A page as blocks, in print order; `name` says what it is (for logs and file names)."""

    name: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)

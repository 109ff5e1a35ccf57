"""Draws what an ESC/POS printer would print, at its resolution: the virtual printer's paper and
the PNG preview of a layout.

Text is drawn in character cells like the printer's own fonts (A: 12×24 dots, B: 9×17), with
DejaVu Sans Condensed standing in for the printer's glyphs, sized so stacked marks fit the cell;
GS ! sizes scale the cells dot by dot as a printer does. Every printed text line is also kept as
text (NFC), which is how tests read a ticket back letter for letter.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import qrcode
from PIL import Image, ImageChops, ImageDraw

from kiosk.drivers.escpos.codepages import decode_byte
from kiosk.drivers.escpos.glyphs import CELLS, cell_glyph, recognise
from kiosk.drivers.virtual.parser import Style

MARGIN_DOTS = 8
QR_EC = {0: qrcode.ERROR_CORRECT_L, 1: qrcode.ERROR_CORRECT_M, 2: qrcode.ERROR_CORRECT_Q}


@dataclass
class PrintedTicket:
    """One cut ticket: the paper as an image, its text lines, QR payloads, image count."""

    image: Image.Image
    lines: list[str] = field(default_factory=list)
    qr: list[str] = field(default_factory=list)
    images: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Cell:
    char: str
    style: Style
    bitmap: Image.Image | None = None  # a user-defined character (ESC &), else the resident font


class TicketCanvas:
    """A roll of paper `dots` wide. The parser calls it (see escpos_parser.PrintSink); `cut`
    returns the finished ticket and starts a new one."""

    def __init__(
        self,
        dots: int,
        pages: Mapping[int, str],
        on_cut: Callable[[PrintedTicket], None] | None = None,
    ) -> None:
        self.dots = dots
        self.pages = dict(pages)  # ESC t number → encoding name
        self.on_cut = on_cut or (lambda ticket: None)
        self._start()

    def _start(self) -> None:
        self.strips: list[Image.Image] = [Image.new("1", (self.dots, MARGIN_DOTS), 0)]
        self.cells: list[_Cell] = []
        self.ticket = PrintedTicket(image=Image.new("1", (1, 1)))

    @property
    def is_blank(self) -> bool:
        return len(self.strips) == 1 and not self.cells

    # -- PrintSink -----------------------------------------------------------------------------

    def text(self, byte: int, page: int, style: Style) -> None:
        char = decode_byte(byte, self.pages.get(page))
        if unicodedata.combining(char) and self.cells:
            last = self.cells[-1]
            last.char = unicodedata.normalize("NFC", last.char + char)
            return
        width = CELLS[style.font][0] * style.width
        if self._line_width() + width > self.dots:
            self.newline(style)  # the printer wraps a full line by itself
        self.cells.append(_Cell(char, style))

    def user_char(self, width: int, data: bytes, bitmap: Image.Image, style: Style) -> None:
        """A user-defined character: drawn from its downloaded dots; recorded as the letter when
        it is one of kiosk's glyphs (kiosk.drivers.escpos.glyphs), else as U+FFFD."""
        cell_width = width * style.width
        if self._line_width() + cell_width > self.dots:
            self.newline(style)
        self.cells.append(_Cell(recognise(data) or "\ufffd", style, bitmap))

    def newline(self, style: Style) -> None:
        if not self.cells:
            self._blank(style.line_spacing)
            return
        self._print_line(style)

    def feed_dots(self, dots: int, style: Style) -> None:
        if self.cells:
            self._print_line(style)
        self._blank(dots)

    def raster(self, mask: Image.Image, double_width: bool, double_height: bool, style: Style) -> None:
        if self.cells:
            self._print_line(style)
        size = (mask.width * (2 if double_width else 1), mask.height * (2 if double_height else 1))
        self._place(mask.resize(size, Image.Resampling.NEAREST), style.align)
        self.ticket.images += 1

    def qr(self, data: bytes, module: int, ec: int, style: Style) -> None:
        if self.cells:
            self._print_line(style)
        code = qrcode.QRCode(border=0, box_size=max(1, module), error_correction=QR_EC.get(ec, 3))
        code.add_data(data)
        code.make(fit=True)
        picture = code.make_image().get_image().convert("L")
        self._place(picture.point(lambda v: 255 if v < 128 else 0).convert("1"), style.align)
        self.ticket.qr.append(data.decode("utf-8", "replace"))

    def cut(self) -> None:
        if self.cells:
            self._print_line(Style())
        ticket = self.ticket
        ticket.image = self.paper()
        self._start()
        self.on_cut(ticket)

    def warn(self, message: str) -> None:
        self.ticket.warnings.append(message)

    # -- drawing -------------------------------------------------------------------------------

    def paper(self) -> Image.Image:
        """The paper so far, black ink on white, `dots` wide."""
        height = sum(s.height for s in self.strips) + MARGIN_DOTS
        ink = Image.new("1", (self.dots, height), 0)
        y = 0
        for strip in self.strips:
            ink.paste(strip, (0, y))
            y += strip.height
        return ink.point(lambda v: 0 if v else 255)

    def _line_width(self) -> int:
        return sum(_cell_width(c) for c in self.cells)

    def _blank(self, dots: int) -> None:
        if dots > 0:
            self.strips.append(Image.new("1", (self.dots, dots), 0))

    def _print_line(self, style: Style) -> None:
        cells, self.cells = self.cells, []
        tall = max(CELLS[c.style.font][1] * c.style.height for c in cells)
        tall += max(CELLS[c.style.font][4] * c.style.height for c in cells)
        width = sum(_cell_width(c) for c in cells)
        strip = Image.new("1", (width, tall), 0)
        x = 0
        for cell in cells:
            style = cell.style
            glyph = _user_glyph(cell) if cell.bitmap else cell_glyph(cell.char, style.font, style.bold)
            glyph = glyph.resize((glyph.width * cell.style.width, glyph.height * cell.style.height))
            strip.paste(glyph, (x, tall - glyph.height))
            if cell.style.underline:
                ImageDraw.Draw(strip).line((x, tall - 1, x + glyph.width, tall - 1), fill=1)
            x += glyph.width
        self._place(strip, cells[0].style.align)
        self._blank(max(0, style.line_spacing - tall + CELLS["a"][4]))
        self.ticket.lines.append(unicodedata.normalize("NFC", "".join(c.char for c in cells)).rstrip())

    def _place(self, picture: Image.Image, align: str) -> None:
        """Add `picture` (1 = ink) as the next strip, aligned like ESC a; cut at the paper edge."""
        free = max(0, self.dots - picture.width)
        x = {"left": 0, "center": free // 2, "right": free}.get(align, 0)
        strip = Image.new("1", (self.dots, picture.height), 0)
        strip.paste(picture, (x, 0))
        self.strips.append(strip)


def _cell_width(cell: _Cell) -> int:
    base = cell.bitmap.width if cell.bitmap else CELLS[cell.style.font][0]
    return base * cell.style.width


def _user_glyph(cell: _Cell) -> Image.Image:
    """A downloaded character in font A's cell with its headroom; emphasized as printers do it,
    each dot printed again one dot to the right."""
    assert cell.bitmap is not None
    glyph = Image.new("1", (cell.bitmap.width, CELLS["a"][1] + CELLS["a"][4]), 0)
    glyph.paste(cell.bitmap, (0, CELLS["a"][4]))
    if cell.style.bold and glyph.width > 1:
        shifted = Image.new("1", glyph.size, 0)
        shifted.paste(glyph.crop((0, 0, glyph.width - 1, glyph.height)), (1, 0))
        glyph = ImageChops.logical_or(glyph, shifted)
    return glyph

"""Layout → ESC/POS bytes for one printer: pure, no port, tested byte-exact.

Decides what each block becomes on the paper (wrapping, which lines are text, user-defined
glyphs or images, spacing, the size of the number) and asks kiosk.drivers.escpos.writer for the
bytes; it makes none itself.

Imports the layout model (kiosk.drivers.layout) and the escpos package; nothing of the core.
"""

from __future__ import annotations

import unicodedata

from PIL import Image

from kiosk.drivers.escpos import raster
from kiosk.drivers.escpos.codepages import PageEncoder, encoder_for
from kiosk.drivers.escpos.options import PrintOptions, profile_pages
from kiosk.drivers.escpos.wrapping import wrap
from kiosk.drivers.escpos.writer import EscposWriter
from kiosk.drivers.layout import BigNumber, Block, Cut, Feed, Layout, QRCode, Rule, Text
from kiosk.errors import PrinterError

FONT_CELL = {"a": (12, 24), "b": (9, 17)}  # dots per character, width × height
# Raster lines: 19 px bold is the smallest DejaVu that keeps every Vietnamese mark apart (checked
# by eye on every letter: at 16–18 px ả reads à and ẵ reads ă), so small print is not smaller in
# raster mode. Large lines are drawn at the same size at half resolution and printed doubled.
RASTER_PX = {"small": 19, "normal": 19, "large": 19}
RASTER_BOLD = {"small": True, "normal": True, "large": True}
LINE_GAP_DOTS = 6  # between raster lines, as the printer leaves between text lines
BIG_NUMBER_MAX = 6  # GS ! multiplier of the queue number


def render_escpos(layout: Layout, options: PrintOptions) -> bytes:
    """The exact bytes that print `layout` on a printer described by `options`."""
    renderer = LayoutRenderer(options)
    for block in layout.blocks:
        renderer.add(block)
    data = renderer.writer.output()
    offset = raster.find_realtime(data)
    if offset >= 0:  # a bug, never a ticket: the printer would answer or clear its buffer
        raise PrinterError(f"print job carries a real-time command at byte {offset}")
    return data


def page_encoder(options: PrintOptions) -> PageEncoder:
    """The text encoder of the options' mode (raster mode sends only ASCII as text)."""
    if options.mode == "raster":
        return PageEncoder({})
    try:
        return encoder_for(options.mode, profile_pages(options.profile))
    except ValueError as exc:
        raise PrinterError(f"{exc} ({options.profile}); set printer.vietnamese") from None


class LayoutRenderer:
    """Turns the blocks of one layout into writer calls, in order."""

    def __init__(self, options: PrintOptions) -> None:
        self.options = options
        self.encoder = page_encoder(options)
        self.writer = EscposWriter(options.profile, self.encoder)

    def add(self, block: Block) -> None:
        if isinstance(block, Text):
            if self.options.mode == "raster" and not block.text.isascii():
                if self.options.user_glyphs and block.size != "large":
                    self._glyph_text(block)
                else:
                    self._raster_text(block)
            else:
                self._text(block)
        elif isinstance(block, BigNumber):
            self._big_number(block)
        elif isinstance(block, Rule):
            self._rule()
        elif isinstance(block, QRCode):
            self._qr(block)
        elif isinstance(block, Feed):
            self.writer.flush_feed()
            self.writer.print_and_feed(block.lines)
        elif isinstance(block, Cut):
            self.writer.flush_feed()
            self.writer.cut()

    def _text(self, block: Text) -> None:
        font = "b" if block.size == "small" else "a"
        size = 2 if block.size == "large" else 1
        columns = self.options.dots // (FONT_CELL[font][0] * size)
        indent = " " * block.indent
        self.writer.flush_feed()
        self.writer.style(block.align, block.bold, font, size)
        for line in wrap(block.text, self.encoder.width, columns, indent):
            self.writer.text_line(line)

    def _glyph_text(self, block: Text) -> None:
        """A plain (not large) line in raster mode: font A, Vietnamese letters as user-defined
        characters (see EscposWriter.glyph_line)."""
        text = unicodedata.normalize("NFC", block.text)
        indent = " " * block.indent
        self.writer.flush_feed()
        self.writer.style(block.align, block.bold, "a", 1)
        for line in wrap(text, len, self.options.dots // FONT_CELL["a"][0], indent):
            self.writer.glyph_line(line, block.bold)

    def _raster_text(self, block: Text) -> None:
        px, bold = RASTER_PX[block.size], RASTER_BOLD[block.size]
        double = block.size == "large"
        scale = 2 if double else 1
        font = raster.load_font(px, bold)
        # The hanging indent is the width of the first line's prefix ("1. "): wrapped lines are
        # measured with it, drawn without it and shifted right by its width.
        indent = block.text[: block.indent]
        lines = wrap(block.text, font.getlength, self.options.dots // scale - 2, indent)
        box_above, box_below = raster.line_box(px, bold)
        for i, line in enumerate(lines):
            if i and indent:
                line = line[len(indent) :]
            ink = raster.draw_line(line, px, bold, from_pen=block.align == "left")
            if ink is None:
                self.writer.feed_dots((box_above + box_below) * scale)
                continue
            mask = ink.mask
            if i and indent and block.align == "left":
                mask = _pad_left(mask, int(font.getlength(indent)))
            self.writer.feed_dots((box_above - ink.above) * scale)
            self.writer.flush_feed()
            self.writer.set_align(block.align)
            self.writer.image(mask, double=double)
            self.writer.feed_dots((box_below - ink.below) * scale + LINE_GAP_DOTS)

    def _big_number(self, block: BigNumber) -> None:
        columns = self.options.dots // FONT_CELL["a"][0]
        size = max(1, min(BIG_NUMBER_MAX, columns // max(1, len(block.text))))
        self.writer.flush_feed()
        self.writer.style("center", True, "a", size)
        self.writer.smooth_line(block.text)

    def _rule(self) -> None:
        if not self.writer.supports("bitImageRaster"):
            self._text(Text("-" * (self.options.dots // FONT_CELL["a"][0]), "left"))
            return
        self.writer.feed_dots(4)
        self.writer.flush_feed()
        self.writer.set_align("center")
        self.writer.rule(self.options.dots)  # printed doubled: the full width, 2 dots high
        self.writer.feed_dots(8)

    def _qr(self, block: QRCode) -> None:
        module = 5 if self.options.dots >= 512 else 4
        self.writer.feed_dots(6)
        self.writer.flush_feed()
        self.writer.set_align("center")
        self.writer.qr(block.data, module)
        self.writer.feed_dots(8)


def _pad_left(mask: Image.Image, dots: int) -> Image.Image:
    padded = Image.new("1", (mask.width + dots, mask.height), 0)
    padded.paste(mask, (dots, 0))
    return padded

"""Ticket layout → ESC/POS bytes for one printer: pure, no port, tested byte-exact.

python-escpos generates the commands (its `Dummy` printer collects them) and its profiles say
what a printer can do; the Vietnamese text is ours (kiosk.drivers.escpos.codepages, .raster), since
python-escpos's own encoder gets Đ and CP1258 wrong. Styles are sent only when they change: at
9600 baud every byte is a millisecond.

Modes (printer.vietnamese): tcvn3 | cp1258 | ascii print text from code pages; raster draws the
lines that need it as images and keeps ASCII lines, the number and QR codes native; auto picks
from the profile's code pages.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

import qrcode
from PIL import Image

from kiosk.drivers.escpos import glyphs, raster
from kiosk.drivers.escpos.codepages import (
    TCVN3_LOWER,
    TCVN3_UPPER,
    PageEncoder,
    encoder_for,
    pages_named,
)
from kiosk.drivers.escpos.library import QR_ECLEVEL_M, Dummy, get_profile
from kiosk.drivers.escpos.wrapping import wrap
from kiosk.errors import PrinterError
from kiosk.queue.tickets import BigNumber, Block, Cut, Feed, Layout, QRCode, Rule, Text

Mode = Literal["tcvn3", "cp1258", "raster", "ascii"]
MODES: tuple[Mode, ...] = ("tcvn3", "cp1258", "raster", "ascii")
PAPER_DOTS = {80: 576, 58: 384}
FONT_CELL = {"a": (12, 24), "b": (9, 17)}  # dots per character, width × height
# Raster lines: 19 px bold is the smallest DejaVu that keeps every Vietnamese mark apart (checked
# by eye on every letter: at 16–18 px ả reads à and ẵ reads ă), so small print is not smaller in
# raster mode. Large lines are drawn at the same size at half resolution and printed doubled.
RASTER_PX = {"small": 19, "normal": 19, "large": 19}
RASTER_BOLD = {"small": True, "normal": True, "large": True}
LINE_GAP_DOTS = 6  # between raster lines, as the printer leaves between text lines
BIG_NUMBER_MAX = 6  # GS ! multiplier of the queue number


@dataclass(frozen=True)
class PrintOptions:
    """How to print: the resolved Vietnamese mode, the python-escpos profile, the paper."""

    mode: Mode
    profile: str = "default"
    paper_width_mm: int = 80
    user_glyphs: bool = True  # raster mode: Vietnamese letters of plain lines as ESC & characters

    @property
    def dots(self) -> int:
        """Printable dots across: the paper's (576 for 80 mm, 384 for 58 mm), or the profile's
        when it knows a narrower head (an Epson TM-T88 prints 512 on 80 mm paper)."""
        paper = PAPER_DOTS[self.paper_width_mm]
        pixels = get_profile(self.profile).profile_data.get("media", {}).get("width", {})
        known = pixels.get("pixels")
        return min(paper, known) if isinstance(known, int) and known >= 200 else paper


def profile_pages(profile: str) -> dict[str, str]:
    """ESC t number (as text) → encoding name, from the profile."""
    return dict(get_profile(profile).profile_data.get("codePages", {}))


def resolve_mode(requested: str, profile: str) -> Mode:
    """The mode to use: `requested`, or for auto the best the profile's code pages allow
    (TCVN-3, then CP1258, then raster images, then ASCII)."""
    if requested in MODES:
        return requested
    if requested != "auto":
        raise PrinterError(f"printer.vietnamese = {requested!r} is not one of auto, {MODES}")
    pages = profile_pages(profile)
    if pages_named(pages, TCVN3_LOWER) and pages_named(pages, TCVN3_UPPER):
        return "tcvn3"
    if pages_named(pages, "CP1258"):
        return "cp1258"
    if get_profile(profile).supports("bitImageRaster"):
        return "raster"
    return "ascii"


def options_from_settings(settings: Any) -> PrintOptions:
    """PrintOptions from kiosk.config.Printer settings (vietnamese, profile, paper_width_mm,
    user_glyphs)."""
    mode = resolve_mode(settings.vietnamese, settings.profile)
    return PrintOptions(
        mode=mode,
        profile=settings.profile,
        paper_width_mm=settings.paper_width_mm,
        user_glyphs=settings.user_glyphs,
    )


def render_escpos(layout: Layout, options: PrintOptions) -> bytes:
    """The exact bytes that print `layout` on a printer described by `options`."""
    writer = EscposWriter(options)
    for block in layout.blocks:
        writer.add(block)
    data = writer.output()
    offset = raster.find_realtime(data)
    if offset >= 0:  # a bug, never a ticket: the printer would answer or clear its buffer
        raise PrinterError(f"print job carries a real-time command at byte {offset}")
    return data


class EscposWriter:
    """Accumulates the ESC/POS of one layout, tracking the printer's state to send only changes."""

    def __init__(self, options: PrintOptions) -> None:
        self.options = options
        self.out = Dummy(profile=options.profile)
        self.profile = self.out.profile
        self.encoder = self._encoder()
        self.align, self.bold, self.font, self.size = "left", False, "a", (1, 1)
        self.pending_dots = 0
        self.glyph_codes: dict[tuple[str, bool], int] = {}  # (letter, bold) → ESC & code
        self.next_code = glyphs.USER_CODES.start
        self.out.hw("INIT")  # also clears any user-defined characters of an earlier job

    def _encoder(self) -> PageEncoder:
        if self.options.mode == "raster":
            return PageEncoder({})  # raster mode sends only ASCII as text
        try:
            return encoder_for(self.options.mode, profile_pages(self.options.profile))
        except ValueError as exc:
            raise PrinterError(f"{exc} ({self.options.profile}); set printer.vietnamese") from None

    def output(self) -> bytes:
        return bytes(self.out.output)

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
            self._flush_feed()
            self.out.print_and_feed(max(0, min(255, block.lines)))
        elif isinstance(block, Cut):
            self._flush_feed()
            self.out.cut(mode="PART")

    # -- styles, sent only when they change --------------------------------------------------

    def _style(self, align: str, bold: bool = False, font: str = "a", size: int = 1) -> None:
        if align != self.align:
            self.out.set(align=align)
            self.align = align
        if bold != self.bold:
            self.out.set(bold=bold)
            self.bold = bold
        if font != self.font:
            self.out.set(font=font)
            self.font = font
        if (size, size) != self.size:
            self.out.set(custom_size=True, width=size, height=size)
            self.size = (size, size)

    def _align(self, align: str) -> None:
        """Alignment only, for images and QR codes (text styles do not touch them)."""
        self._style(align, self.bold, self.font, self.size[0])

    def _feed(self, dots: int) -> None:
        self.pending_dots += max(0, dots)

    def _flush_feed(self) -> None:
        """Merged vertical space as ESC J (print and feed n dots), at most 255 per command."""
        while self.pending_dots > 0:
            step = min(255, self.pending_dots)
            self.out._raw(b"\x1bJ" + bytes([step]))
            self.pending_dots -= step

    # -- blocks --------------------------------------------------------------------------------

    def _text(self, block: Text) -> None:
        font = "b" if block.size == "small" else "a"
        size = 2 if block.size == "large" else 1
        columns = self.options.dots // (FONT_CELL[font][0] * size)
        indent = " " * block.indent
        self._flush_feed()
        self._style(block.align, block.bold, font, size)
        for line in wrap(block.text, self.encoder.width, columns, indent):
            self.out._raw(self.encoder.encode(line) + b"\n")

    def _glyph_text(self, block: Text) -> None:
        """A plain (not large) line in raster mode: resident characters for ASCII, and each
        other letter as a user-defined character of font A (ESC &), defined once per ticket and
        switched on (ESC % 1) only for the runs that need it. In a bold line those runs are drawn
        bold by us, with the printer's emphasis off, so the marks never smear."""
        text = unicodedata.normalize("NFC", block.text)
        indent = " " * block.indent
        self._flush_feed()
        self._style(block.align, block.bold, "a", 1)
        for line in wrap(text, len, self.options.dots // FONT_CELL["a"][0], indent):
            self._define_glyphs(line, block.bold)
            out, in_glyphs = bytearray(), False
            for char in line:
                wanted = not (" " <= char <= "~")
                if wanted != in_glyphs:
                    out += b"\x1b%\x01" if wanted else b"\x1b%\x00"
                    if block.bold:
                        out += b"\x1bE\x00" if wanted else b"\x1bE\x01"
                    in_glyphs = wanted
                out.append(self.glyph_codes[(char, block.bold)] if wanted else ord(char))
            if in_glyphs:
                out += b"\x1b%\x00" + (b"\x1bE\x01" if block.bold else b"")
            self.out._raw(bytes(out) + b"\n")

    def _define_glyphs(self, line: str, bold: bool) -> None:
        """Give every non-ASCII letter of `line` a code, defining the new ones in one ESC & per
        run of consecutive codes. When the 94 codes run out, the oldest are reused (never one
        this line needs): definitions made between lines take effect for the lines after."""
        needed = {(c, bold) for c in line if not (" " <= c <= "~")}
        codes = glyphs.USER_CODES

        def after(code: int) -> int:
            return codes.start + (code + 1 - codes.start) % len(codes)

        busy = {self.glyph_codes[k] for k in needed if k in self.glyph_codes}
        new: list[tuple[int, tuple[str, bool]]] = []
        for key in sorted(needed - self.glyph_codes.keys()):
            while self.next_code in busy:
                self.next_code = after(self.next_code)
            code, self.next_code = self.next_code, after(self.next_code)
            for old in [k for k, v in self.glyph_codes.items() if v == code]:
                del self.glyph_codes[old]
            self.glyph_codes[key] = code
            busy.add(code)
            new.append((code, key))
        new.sort()
        while new:
            run = 1
            while run < len(new) and new[run][0] == new[0][0] + run:
                run += 1
            self.out._raw(glyphs.define(new[0][0], [glyphs.user_glyph(c, b) for _, (c, b) in new[:run]]))
            new = new[run:]

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
                self._feed((box_above + box_below) * scale)
                continue
            mask = ink.mask
            if i and indent and block.align == "left":
                mask = _pad_left(mask, int(font.getlength(indent)))
            self._feed((box_above - ink.above) * scale)
            self._flush_feed()
            self._align(block.align)
            self.out._raw(raster.raster_command(mask, double=double))
            self._feed((box_below - ink.below) * scale + LINE_GAP_DOTS)

    def _big_number(self, block: BigNumber) -> None:
        columns = self.options.dots // FONT_CELL["a"][0]
        size = max(1, min(BIG_NUMBER_MAX, columns // max(1, len(block.text))))
        self._flush_feed()
        self._style("center", True, "a", size)
        self.out.set(smooth=True)  # Epson smooths characters of 4× and more
        self.out._raw(self.encoder.encode(block.text) + b"\n")
        self.out.set(smooth=False)

    def _rule(self) -> None:
        if not self.profile.supports("bitImageRaster"):
            self._text(Text("-" * (self.options.dots // FONT_CELL["a"][0]), "left"))
            return
        width_bytes = self.options.dots // 16  # printed doubled: the full width, 2 dots high
        self._feed(4)
        self._flush_feed()
        self._align("center")
        self.out._raw(raster.GS_V0 + b"\x03" + bytes([width_bytes, 0, 1, 0]) + b"\xff" * width_bytes)
        self._feed(8)

    def _qr(self, block: QRCode) -> None:
        module = 5 if self.options.dots >= 512 else 4
        self._feed(6)
        self._flush_feed()
        self._align("center")
        if self.profile.supports("qrCode"):
            self.out.qr(block.data, ec=QR_ECLEVEL_M, size=module, native=True)
        else:
            self.out._raw(raster.raster_command(qr_mask(block.data, module // 2), double=True))
        self._feed(8)


def _pad_left(mask: Image.Image, dots: int) -> Image.Image:
    padded = Image.new("1", (mask.width + dots, mask.height), 0)
    padded.paste(mask, (dots, 0))
    return padded


def qr_mask(data: str, module: int) -> Image.Image:
    """A QR code as a 1-bit mask (1 = dark), `module` pixels per module, for printers without
    native QR (then printed doubled)."""
    code = qrcode.QRCode(border=0, box_size=max(1, module), error_correction=qrcode.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image().get_image().convert("L")
    return image.point(lambda v: 255 if v < 128 else 0).convert("1")

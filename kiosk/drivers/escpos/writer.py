"""ESC/POS: the one class that makes every byte sent to a printer, the way python-escpos's
`Escpos` does: text in each code page (ESC t), styles, user-defined glyphs (ESC &, ESC %),
raster images (GS v 0), rules, QR codes, feeds, cuts, and the status queries the serial printer
sends (DLE EOT, answered on receipt; GS ( H, answered once everything before it was printed).
Nothing else in kiosk/ builds command bytes; transports only move them.

python-escpos generates the commands it does well (its `Dummy` collects them, and its profiles say
what a printer can do); the Vietnamese text is ours (kiosk.drivers.escpos.codepages), since
python-escpos's own encoder gets Đ and CP1258 wrong. The writer tracks the printer's state (code
page, styles, downloaded glyphs, pending feed) and sends only changes: at 9600 baud every byte is
a millisecond. What to print where is decided by kiosk.drivers.escpos.render.

Imports the code-page tables, glyph bitmaps, raster images and python-escpos; nothing of the core.
"""

from __future__ import annotations

from PIL import Image

from kiosk.drivers.escpos import glyphs, raster
from kiosk.drivers.escpos.codepages import ASCII_PAGE, PageEncoder
from kiosk.drivers.escpos.library import QR_ECLEVEL_M, Dummy

ESC_T = b"\x1bt"  # select character code table
ESC_J = b"\x1bJ"  # print and feed n dots
ESC_DEFINE = b"\x1b&\x03"  # define user-defined characters, y = 3 bytes (24 dots) per column
USER_SET_ON, USER_SET_OFF = b"\x1b%\x01", b"\x1b%\x00"  # select / cancel user-defined characters
EMPHASIS_ON, EMPHASIS_OFF = b"\x1bE\x01", b"\x1bE\x00"
GS_V0 = b"\x1dv0"  # print raster bit image
DLE_EOT = b"\x10\x04"  # real-time status transmission
GS_H_PROCESS_ID = b"\x1d(H\x06\x00\x30\x30"  # GS ( H fn 48 m 48: transmit process ID response
STATUS_QUERIES = (1, 2, 3, 4)  # printer, offline cause, error cause, roll paper sensor
MAX_BAND_ROWS = 960  # one GS v 0 command at most; keeps yH below 0x04 (see neutralise_realtime)


class EscposWriter:
    """Accumulates the ESC/POS bytes of one job for one python-escpos `profile`, starting with
    ESC @ (which also clears any user-defined characters of an earlier job). Text is encoded with
    `encoder` (ASCII only when None)."""

    def __init__(self, profile: str, encoder: PageEncoder | None = None) -> None:
        self.out = Dummy(profile=profile)
        self.profile = self.out.profile
        self.encoder = encoder or PageEncoder({})
        self.initialise()

    def initialise(self) -> None:
        """ESC @: the printer's defaults, and the writer's record of them."""
        self.page: int | None = ASCII_PAGE
        self.align, self.bold, self.font, self.size = "left", False, "a", (1, 1)
        self.pending_dots = 0
        self.glyph_codes: dict[tuple[str, bool], int] = {}  # (letter, bold) → ESC & code
        self.next_code = glyphs.USER_CODES.start
        self.out.hw("INIT")

    def supports(self, feature: str) -> bool:
        """Whether the profile says the printer has `feature` (bitImageRaster, qrCode …)."""
        return bool(self.profile.supports(feature))

    def output(self) -> bytes:
        return bytes(self.out.output)

    def _raw(self, data: bytes) -> None:
        self.out._raw(data)

    # -- styles, sent only when they change --------------------------------------------------

    def style(self, align: str, bold: bool = False, font: str = "a", size: int = 1) -> None:
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

    def set_align(self, align: str) -> None:
        """Alignment only, for images and QR codes (text styles do not touch them)."""
        self.style(align, self.bold, self.font, self.size[0])

    # -- vertical space ------------------------------------------------------------------------

    def feed_dots(self, dots: int) -> None:
        """Space before whatever prints next, merged with space already asked for."""
        self.pending_dots += max(0, dots)

    def flush_feed(self) -> None:
        """Merged vertical space as ESC J (print and feed n dots), at most 255 per command."""
        while self.pending_dots > 0:
            step = min(255, self.pending_dots)
            self._raw(ESC_J + bytes([step]))
            self.pending_dots -= step

    def print_and_feed(self, lines: int) -> None:
        self.out.print_and_feed(max(0, min(255, lines)))

    def cut(self) -> None:
        """Feed past the cutter and cut, leaving a hinge (partial cut)."""
        self.out.cut(mode="PART")

    # -- text ----------------------------------------------------------------------------------

    def encode(self, text: str) -> bytes:
        """The bytes that print `text` next: the encoder's bytes, with ESC t wherever the page
        must change. The writer then counts the printer as on the last page used, so send what
        this returns."""
        out = bytearray()
        for page, data in self.encoder.runs(text):
            if page is not None and page != self.page:
                out += ESC_T + bytes([page])
                self.page = page
            out += data
        return bytes(out)

    def text_line(self, text: str) -> None:
        """One line of text in the current style, then a line feed."""
        self._raw(self.encode(text) + b"\n")

    def smooth_line(self, text: str) -> None:
        """A line with smoothing on (Epson smooths characters of 4× and more): the number."""
        self.out.set(smooth=True)
        self.text_line(text)
        self.out.set(smooth=False)

    def glyph_line(self, line: str, bold: bool) -> None:
        """A line in font A with resident characters for ASCII and each other letter as a
        user-defined character (defined here when new), switched on (ESC % 1) only for the runs
        that need it. In a bold line those runs are drawn bold by us, with the printer's emphasis
        off, so the marks never smear."""
        self._define_glyphs(line, bold)
        out, in_glyphs = bytearray(), False
        for char in line:
            wanted = not (" " <= char <= "~")
            if wanted != in_glyphs:
                out += USER_SET_ON if wanted else USER_SET_OFF
                if bold:
                    out += EMPHASIS_OFF if wanted else EMPHASIS_ON
                in_glyphs = wanted
            out.append(self.glyph_codes[(char, bold)] if wanted else ord(char))
        if in_glyphs:
            out += USER_SET_OFF + (EMPHASIS_ON if bold else b"")
        self._raw(bytes(out) + b"\n")

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
            drawn = [glyphs.user_glyph(c, b) for _, (c, b) in new[:run]]
            self._raw(self.glyph_definition(new[0][0], drawn))
            new = new[run:]

    # -- images and codes ----------------------------------------------------------------------

    def image(self, mask: Image.Image, double: bool = False) -> None:
        """A 1-bit mask (1 = ink) as GS v 0; `double` prints every dot as 2×2."""
        self._raw(self.raster_command(mask, double=double))

    def rule(self, dots: int) -> None:
        """A line 2 dots high across `dots` (GS v 0 printed doubled)."""
        width_bytes = dots // 16
        self._raw(GS_V0 + b"\x03" + bytes([width_bytes, 0, 1, 0]) + b"\xff" * width_bytes)

    def qr(self, data: str, module: int) -> None:
        """A QR code of `data`, `module` dots a module: native (GS ( k) when the profile has it,
        else as an image printed doubled."""
        if self.supports("qrCode"):
            self.out.qr(data, ec=QR_ECLEVEL_M, size=module, native=True)
        else:
            self.image(raster.qr_mask(data, module // 2), double=True)

    # -- commands as bytes, for callers that send them themselves ------------------------------

    @staticmethod
    def raster_command(mask: Image.Image, double: bool = False) -> bytes:
        """GS v 0 for a 1-bit mask (1 = ink), split into bands of at most MAX_BAND_ROWS; `double`
        prints every dot as 2×2 (mode 3). The data never contains a real-time command."""
        width_bytes = (mask.width + 7) // 8
        out = bytearray()
        for top in range(0, mask.height, MAX_BAND_ROWS):
            band = mask.crop((0, top, mask.width, min(mask.height, top + MAX_BAND_ROWS)))
            data = raster.neutralise_realtime(band.tobytes())
            out += GS_V0 + bytes([3 if double else 0])
            out += width_bytes.to_bytes(2, "little") + band.height.to_bytes(2, "little")
            out += data
        return bytes(out)

    @staticmethod
    def glyph_definition(first: int, drawn: list[Image.Image]) -> bytes:
        """ESC & for consecutive codes first, first+1, … (one command, 4 bytes of header), each
        glyph 24 dots high and as wide as drawn."""
        out = bytearray(ESC_DEFINE + bytes([first, first + len(drawn) - 1]))
        for glyph in drawn:
            out += bytes([glyph.width]) + glyphs.glyph_columns(glyph)
        return bytes(out)

    @staticmethod
    def status_query() -> bytes:
        """DLE EOT 1, 2, 3, 4 in one write (ESC/POS allows up to four before reading)."""
        return b"".join(DLE_EOT + bytes([n]) for n in STATUS_QUERIES)

    @staticmethod
    def process_id_request(process_id: str) -> bytes:
        """GS ( H fn 48: ask for a process ID response carrying `process_id` (four digits). The
        printer executes it in order, so it answers only after every byte sent before it was
        processed, the ticket printed and cut (Epson TM-T88IV and later)."""
        if len(process_id) != 4 or not process_id.isdigit():
            raise ValueError(f"a process ID is four digits, not {process_id!r}")
        return GS_H_PROCESS_ID + process_id.encode("ascii")

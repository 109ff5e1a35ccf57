"""Images for the printer, drawing only: lines of text as 1-bit masks for printers without
Vietnamese code pages, QR codes for printers without native QR, and image data made safe from
real-time sequences. The GS v 0 command that carries them is the writer's
(kiosk.drivers.escpos.writer).

Each line is drawn with the bundled DejaVu Sans Condensed on a canvas with a full em of room above
the ascent (stacked marks on capitals, Ấ Ỗ, can never be clipped), thresholded (never dithered:
grey strokes would cost bytes and blur the marks), then cropped to its ink: bytes on a 9600-baud
wire are the cost.
Large lines are drawn at half resolution and printed with GS v 0 mode 3 (double width and height),
a quarter of the bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import qrcode
from PIL import Image, ImageDraw, ImageFont

# Lines are drawn 4× larger and averaged down, then thresholded: a dot is printed where a third of
# it is ink. At the sizes a ticket can afford, FreeType's own 1-bit hinting turns the stacked
# grave of ầ into a bar and the regular weight's grave into a single dot; averaging keeps the
# direction of every mark. Below 19 px bold no method keeps ả apart from à, or ẵ from ă.
SUPERSAMPLE = 4
THRESHOLD = 170
REGULAR = "DejaVuSansCondensed.ttf"
BOLD = "DejaVuSansCondensed-Bold.ttf"
DLE = 0x10
REALTIME_AFTER_DLE = (0x04, 0x05, 0x14)  # DLE EOT, DLE ENQ, DLE DC4


def font_path(name: str) -> str:
    """Path of a font bundled in kiosk/fonts/."""
    return str(resources.files("kiosk").joinpath(f"fonts/{name}"))


@cache
def load_font(px: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_path(BOLD if bold else REGULAR), px)


@dataclass(frozen=True)
class InkLine:
    """A line of text as a 1-bit mask (1 = ink) cropped to its ink; `above`/`below` are the rows
    above and below the baseline, so lines can be spaced on a common baseline grid."""

    mask: Image.Image
    above: int
    below: int


def draw_line(text: str, px: int, bold: bool = False, from_pen: bool = False) -> InkLine | None:
    """Draw `text` at `px` pixels per em, cropped to its ink; None when it has no ink. With
    `from_pen` the left edge is the pen's start rather than the ink's (left-aligned lines keep
    their side bearing, so a list's wrapped lines line up)."""
    font = load_font(px * SUPERSAMPLE, bold)
    ascent, descent = (m // SUPERSAMPLE + 1 for m in font.getmetrics())
    room = px  # a full em above the ascent for stacked marks
    width = int(font.getlength(text)) // SUPERSAMPLE + 2 * px
    size = (width, room + ascent + descent + px)
    baseline = room + ascent
    big = Image.new("L", (size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE), 255)
    pen = (px * SUPERSAMPLE, baseline * SUPERSAMPLE)
    ImageDraw.Draw(big).text(pen, text, font=font, fill=0, anchor="ls")
    canvas = big.resize(size, Image.Resampling.BOX)
    mask = canvas.point(lambda v: 255 if v < THRESHOLD else 0).convert("1")
    box = mask.getbbox()
    if box is None:
        return None
    left, top, right, bottom = box
    if from_pen:
        left = min(left, px)
    if left == 0 or top == 0 or right == canvas.width or bottom == canvas.height:
        raise AssertionError(f"ink of {text!r} reaches the edge of its canvas")  # never clip
    return InkLine(mask=mask.crop(box), above=baseline - top, below=bottom - baseline)


def line_box(px: int, bold: bool = False) -> tuple[int, int]:
    """(above, below) the baseline that every line of this font fits in: the tallest stacked
    capital and the deepest descender, so a ticket's lines sit on an even grid."""
    tall = draw_line("ẤỖẪỂ", px, bold)
    deep = draw_line("gjpqyỵ", px, bold)
    assert tall is not None and deep is not None
    return tall.above, deep.below


def qr_mask(data: str, module: int) -> Image.Image:
    """A QR code as a 1-bit mask (1 = dark), `module` pixels per module, for printers without
    native QR (then printed doubled)."""
    code = qrcode.QRCode(border=0, box_size=max(1, module), error_correction=qrcode.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image().get_image().convert("L")
    return image.point(lambda v: 255 if v < 128 else 0).convert("1")


def neutralise_realtime(data: bytes) -> bytes:
    """Printers execute DLE EOT / DLE ENQ / DLE DC4 wherever they appear, even inside image
    data, so a 0x10 byte followed by 0x04, 0x05 or 0x14 is changed to 0x18: one extra dot beside
    an existing one, which nobody sees, instead of a status reply or a buffer clear."""
    out = bytearray(data)
    for i in range(len(out) - 1):
        if out[i] == DLE and out[i + 1] in REALTIME_AFTER_DLE:
            out[i] = 0x18
    return bytes(out)


def find_realtime(data: bytes) -> int:
    """Offset of the first DLE EOT/ENQ/DC4 sequence in `data`, or -1."""
    for i in range(len(data) - 1):
        if data[i] == DLE and data[i + 1] in REALTIME_AFTER_DLE:
            return i
    return -1

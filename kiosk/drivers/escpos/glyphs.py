"""Letters drawn in the printer's character cell (font A: 12×24 dots), for two uses: the virtual
printer draws its resident font with them, and raster mode sends the Vietnamese letters a ticket
needs as user-defined characters (ESC &, made by kiosk.drivers.escpos.writer from the bitmaps and
column data here), so a line of text costs a byte per letter plus 37 bytes
once per distinct Vietnamese letter, instead of an image of the whole line.

Glyphs are DejaVu Sans Condensed at 19 px (the smallest size at which every Vietnamese mark stays
apart), drawn 4× larger, averaged down and thresholded, like raster lines. The baseline sits at row
19 of 24: lowercase letters with stacked marks (ầ, ẫ) and descenders (ỵ, g) fit the cell; the few
capitals whose stacked marks rise above it (Ấ, Ỗ: one or two rows) are squeezed to fit, as
printers' own Vietnamese fonts do.
"""

from __future__ import annotations

from functools import cache

from PIL import Image, ImageDraw, ImageFont

from kiosk.drivers.escpos.raster import BOLD, REGULAR, font_path, neutralise_realtime

# Printer font cells: width, height, baseline row, em in px, rows of headroom above the cell
# (where a stacked capital's marks may rise; the virtual printer's line gap pays for them).
CELLS = {"a": (12, 24, 19, 19, 4), "b": (9, 17, 13, 15, 4)}
SUPERSAMPLE = 4
INK = 85  # of 255, after averaging: a dot is printed where a third of it is ink
USER_CODES = range(0x21, 0x7F)  # ESC & may define 0x20–0x7E; the space stays a space
VIETNAMESE = (
    "aàảãáạăằẳẵắặâầẩẫấậeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵđ"
    "AÀẢÃÁẠĂẰẲẴẮẶÂẦẨẪẤẬEÈẺẼÉẸÊỀỂỄẾỆIÌỈĨÍỊOÒỎÕÓỌÔỒỔỖỐỘƠỜỞỠỚỢUÙỦŨÚỤƯỪỬỮỨỰYỲỶỸÝỴĐ"
)
PUNCTUATION = "–—…“”‘’«»₫°"  # what Vietnamese text uses besides ASCII and the letters


@cache
def cell_glyph(char: str, font: str = "a", bold: bool = False) -> Image.Image:
    """`char` in its cell plus the headroom above it, as a 1-bit image (1 = ink). A glyph wider
    than the cell is narrowed to fit, as printer fonts are."""
    width, height, baseline, em, headroom = CELLS[font]
    k = SUPERSAMPLE
    face = ImageFont.truetype(font_path(BOLD if bold else REGULAR), em * k)
    tall = height + headroom
    drawn = Image.new("L", (3 * width * k, tall * k), 0)
    ImageDraw.Draw(drawn).text((width * k, (headroom + baseline) * k), char, font=face, fill=255, anchor="ls")
    drawn = drawn.resize((3 * width, tall), Image.Resampling.BOX)
    box = drawn.point(lambda v: 255 if v >= INK else 0).getbbox()
    cell = Image.new("L", (width, tall), 0)
    if box is not None:
        ink = drawn.crop((box[0], 0, box[2], tall))
        if ink.width > width - 1:
            ink = ink.resize((width - 1, tall), Image.Resampling.BOX)
        cell.paste(ink, ((width - ink.width) // 2, 0))
    return cell.point(lambda v: 255 if v >= INK else 0).convert("1")


@cache
def user_glyph(char: str, bold: bool = False) -> Image.Image:
    """`char` as a 12×24 user-defined character: the cell glyph without its headroom, squeezed
    into the cell when its marks rise into the headroom."""
    width, height, _baseline, _em, headroom = CELLS["a"]
    glyph = cell_glyph(char, "a", bold)
    box = glyph.getbbox()
    top = min(headroom, box[1]) if box else headroom
    if top == headroom:
        return glyph.crop((0, headroom, width, headroom + height))
    return (
        glyph.crop((0, top, width, headroom + height))
        .convert("L")
        .resize((width, height))
        .point(lambda v: 255 if v >= 128 else 0)
        .convert("1")
    )


def glyph_columns(glyph: Image.Image) -> bytes:
    """ESC & data of a 24-dot-high glyph: column by column, 3 bytes each, top dot in the high
    bit (the glyph transposed, packed as PIL packs 1-bit rows); never a real-time command."""
    return neutralise_realtime(glyph.transpose(Image.Transpose.TRANSPOSE).tobytes())


def columns_to_glyph(width: int, data: bytes) -> Image.Image:
    """The inverse of glyph_columns, for the virtual printer: ESC & data → a 1-bit image."""
    return Image.frombytes("1", (24, width), bytes(data)).transpose(Image.Transpose.TRANSPOSE)


@cache
def _known() -> dict[bytes, str]:
    found: dict[bytes, str] = {}
    for bold in (True, False):  # regular wins where both weights draw the same dots
        for char in VIETNAMESE + PUNCTUATION:
            found[glyph_columns(user_glyph(char, bold))] = char
    return found


def recognise(data: bytes) -> str | None:
    """Which Vietnamese letter (or punctuation mark) a downloaded glyph is, when it is one of
    ours: the virtual printer's text record, so tests can read back what was printed."""
    return _known().get(bytes(data))

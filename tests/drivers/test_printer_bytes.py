"""Layout → ESC/POS bytes, byte-exact per mode (like python-escpos's own tests on Dummy output)."""

from __future__ import annotations

import pytest
from PIL import Image

from kiosk.drivers.escpos import glyphs, raster
from kiosk.drivers.escpos.options import PrintOptions, resolve_mode
from kiosk.drivers.escpos.render import render_escpos
from kiosk.drivers.escpos.writer import ESC_DEFINE, GS_V0, EscposWriter
from kiosk.drivers.layout import BigNumber, Cut, Feed, Layout, QRCode, Rule, Text
from kiosk.errors import PrinterError
from kiosk.technician.samples import sample_layout

INIT, CENTER, LEFT = b"\x1b@", b"\x1ba\x01", b"\x1ba\x00"
BOLD, NOT_BOLD = b"\x1bE\x01", b"\x1bE\x00"
DOUBLE, NORMAL, BIG6 = b"\x1d!\x11", b"\x1d!\x00", b"\x1d!\x55"
FONT_B = b"\x1bM\x01"
SMOOTH, NOT_SMOOTH = b"\x1db\x01", b"\x1db\x00"
LOWER, UPPER, CP1258 = b"\x1bt\x1e", b"\x1bt\x1f", b"\x1bt\x34"
CUT = b"\x1bd\x06\x1dV\x01"  # feed 6 lines, partial cut
RULE_80 = b"\x1bJ\x04" + b"\x1dv0\x03\x24\x00\x01\x00" + b"\xff" * 36 + b"\x1bJ\x08"
QR_URL = b"https://motcua.example.vn/q/A012?d=2026-11-28"
QR = (
    b"\x1bJ\x06"
    + b"\x1d(k\x04\x001A2\x00"  # model 2
    + b"\x1d(k\x03\x001C\x05"  # 5 dots a module
    + b"\x1d(k\x03\x001E1"  # error correction M
    + b"\x1d(k\x30\x001P0"
    + QR_URL  # store
    + b"\x1d(k\x03\x001Q0"  # print
    + b"\x1bJ\x08"
)


def options(mode: str, width: int = 80, profile: str = "default", glyphs: bool = True) -> PrintOptions:
    return PrintOptions(mode=mode, profile=profile, paper_width_mm=width, user_glyphs=glyphs)  # type: ignore[arg-type]


def test_sample_ticket_in_tcvn3_is_byte_exact() -> None:
    expected = b"".join([
        INIT, CENTER, BOLD, DOUBLE, b"B", UPPER, b"\xe9 PH\xcbN M\xe9T C\xf6A\n",  # BỘ PHẬN MỘT CỬA
        NORMAL, b"UBND x", LOWER, b"\xb7 M\xaa Linh\n",  # UBND xã Mê Linh
        RULE_80,
        DOUBLE, b"S", UPPER, b"\xe8 TH\xf8 T\xf9\n",  # SỐ THỨ TỰ
        BIG6, SMOOTH, b"A012\n", NOT_SMOOTH,
        DOUBLE, b"H", LOWER, b"\xe9 t\xdech\n",  # Hộ tịch
        NORMAL, b"Qu\xc7y 1, 2\n",  # Quầy 1, 2
        NOT_BOLD, b"Tr\xad\xedc b\xb9n: 5 ng\xad\xeai\n",  # Trước bạn: 5 người
        b"Ch\xea kho\xb6ng 15 ph\xf3t\n",  # Chờ khoảng 15 phút
        b"08:15 28/11/2026\n",
        QR,
        FONT_B, b"Xin vui l\xdfng ch\xea \xae\xd5n l\xad\xeet. C\xb6m \xacn qu\xfd kh\xb8ch!\n",
        CUT,
    ])  # fmt: skip
    assert render_escpos(sample_layout("ticket"), options("tcvn3")) == expected


def test_sample_ticket_in_cp1258_is_byte_exact() -> None:
    expected = b"".join([
        INIT, CENTER, BOLD, DOUBLE, b"B", CP1258, b"\xd4\xf2 PH\xc2\xf2N M\xd4\xf2T C\xdd\xd2A\n",
        NORMAL, b"UBND xa\xde M\xea Linh\n",
        RULE_80,
        DOUBLE, b"S\xd4\xec TH\xdd\xec T\xdd\xf2\n",
        BIG6, SMOOTH, b"A012\n", NOT_SMOOTH,
        DOUBLE, b"H\xf4\xf2 ti\xf2ch\n",
        NORMAL, b"Qu\xe2\xccy 1, 2\n",
        NOT_BOLD, b"Tr\xfd\xf5\xecc ba\xf2n: 5 ng\xfd\xf5\xcci\n",
        b"Ch\xf5\xcc khoa\xd2ng 15 phu\xect\n",
        b"08:15 28/11/2026\n",
        QR,
        FONT_B, b"Xin vui lo\xccng ch\xf5\xcc \xf0\xea\xecn l\xfd\xf5\xf2t. ",
        b"Ca\xd2m \xf5n quy\xec kha\xecch!\n",
        CUT,
    ])  # fmt: skip
    assert render_escpos(sample_layout("ticket"), options("cp1258")) == expected


def test_sample_ticket_in_ascii_is_byte_exact() -> None:
    expected = b"".join([
        INIT, CENTER, BOLD, DOUBLE, b"BO PHAN MOT CUA\n", NORMAL, b"UBND xa Me Linh\n", RULE_80,
        DOUBLE, b"SO THU TU\n", BIG6, SMOOTH, b"A012\n", NOT_SMOOTH, DOUBLE, b"Ho tich\n",
        NORMAL, b"Quay 1, 2\n", NOT_BOLD, b"Truoc ban: 5 nguoi\n", b"Cho khoang 15 phut\n",
        b"08:15 28/11/2026\n", QR, FONT_B, b"Xin vui long cho den luot. Cam on quy khach!\n", CUT,
    ])  # fmt: skip
    assert render_escpos(sample_layout("ticket"), options("ascii")) == expected


def raster_commands(data: bytes) -> list[tuple[int, int, int, bytes]]:
    """(mode, width bytes, height, data) of every GS v 0 in `data`."""
    found, at = [], data.find(GS_V0)
    while at >= 0:
        mode, wb, h = data[at + 3], data[at + 4] + 256 * data[at + 5], data[at + 6] + 256 * data[at + 7]
        found.append((mode, wb, h, data[at + 8 : at + 8 + wb * h]))
        at = data.find(GS_V0, at + 8 + wb * h)
    return found


def test_raster_mode_draws_large_lines_and_defines_the_letters_of_the_others() -> None:
    data = render_escpos(sample_layout("ticket"), options("raster"))
    # The header, the rule, SỐ THỨ TỰ and the service (doubled); the other lines are text.
    assert [mode for mode, *_ in raster_commands(data)] == [3, 3, 3, 3]
    assert b"\x1bt" not in data  # no code page is needed
    # Each Vietnamese letter of the plain lines is defined once, in one ESC & per run of codes.
    defined = [data[i + 3 : i + 5] for i in range(len(data)) if data[i : i + 3] == ESC_DEFINE]
    count = sum(last - first + 1 for first, last in defined)
    plain = [b.text for b in sample_layout("ticket").blocks if isinstance(b, Text) and b.size != "large"]
    bold_of = {b.text: b.bold for b in sample_layout("ticket").blocks if isinstance(b, Text)}
    letters = {(c, bold_of[t]) for t in plain for c in t if not c.isascii()}
    assert count == len(letters) == 16
    assert b"UBND x\x1b%\x01\x1bE\x00" in data and b"\x1b%\x00\x1bE\x01 M" in data  # a bold line
    assert b"08:15 28/11/2026\n" in data


def test_a_plain_raster_line_is_byte_exact() -> None:
    layout = Layout("t", (Text("Mê ờ", "left"), Text("Mê", "left", bold=True)))
    regular = [glyphs.user_glyph("ê"), glyphs.user_glyph("ờ")]
    expected = b"".join([
        INIT, EscposWriter.glyph_definition(0x21, regular),  # ê then ờ (code order follows the letters)
        b"M\x1b%\x01!\x1b%\x00 \x1b%\x01\"\x1b%\x00\n",
        # the bold ê is its own glyph
        BOLD, EscposWriter.glyph_definition(0x23, [glyphs.user_glyph("ê", bold=True)]),
        b"M\x1b%\x01\x1bE\x00#\x1b%\x00\x1bE\x01\n",  # the printer's emphasis is off for it
    ])  # fmt: skip
    assert render_escpos(layout, options("raster")) == expected
    assert expected[2:5] == b"\x1b&\x03" and expected[5:7] == b"\x21\x22" and expected[7] == 12


def test_user_glyph_data_is_columns_of_three_bytes_top_dot_high() -> None:
    dots = Image.new("1", (12, 24), 0)
    dots.putpixel((0, 0), 1)  # column 0, top
    dots.putpixel((1, 23), 1)  # column 1, bottom
    dots.putpixel((11, 9), 1)  # column 11, second byte, second bit
    data = glyphs.glyph_columns(dots)
    assert data == b"\x80\x00\x00" + b"\x00\x00\x01" + b"\x00" * 27 + b"\x00\x40\x00"
    assert glyphs.columns_to_glyph(12, data).tobytes() == dots.tobytes()


def test_user_glyphs_are_distinct_and_fit_the_cell() -> None:
    for bold in (False, True):
        drawn = {glyphs.glyph_columns(glyphs.user_glyph(c, bold)): c for c in glyphs.VIETNAMESE}
        assert len(drawn) == len(glyphs.VIETNAMESE), "two letters print the same dots"
        for char in glyphs.VIETNAMESE:
            glyph = glyphs.user_glyph(char, bold)
            assert glyph.size == (12, 24) and glyph.getbbox() is not None
            assert glyphs.recognise(glyphs.glyph_columns(glyph)) == char


def test_raster_mode_without_user_glyphs_draws_only_the_vietnamese_lines() -> None:
    data = render_escpos(sample_layout("ticket"), options("raster", glyphs=False))
    images = raster_commands(data)
    # The rule, 3 large lines (header, SỐ THỨ TỰ, service: doubled) and 5 normal ones.
    assert [mode for mode, *_ in images] == [3, 0, 3, 3, 3, 0, 0, 0, 0]
    assert b"A012\n" in data and b"08:15 28/11/2026\n" in data and QR_URL in data
    assert b"\x1bt" not in data  # no code page is needed: ASCII stays text
    for mode, width_bytes, height, _ in images:
        assert width_bytes * 8 * (2 if mode == 3 else 1) <= 576 and height < 60


def test_raster_lines_are_cropped_to_their_ink() -> None:
    mask = raster.draw_line("Ấ Ỗ ặ", 19, bold=True)
    assert mask is not None
    image = mask.mask
    assert image.getbbox() == (0, 0, image.width, image.height)  # ink touches every edge
    assert mask.above > mask.below > 0


def test_stacked_marks_are_never_clipped() -> None:
    capitals = "".join(c.upper() for c in "ấầẩẫậốồổỗộếềểễệ")
    for px in (16, 19, 24, 40):
        line = raster.draw_line(capitals, px, bold=True)
        assert line is not None
        # A capital's stacked marks rise well above the cap height: the crop kept them.
        assert line.above > raster.load_font(px, True).getbbox("H", anchor="ls")[1] * -1.2


def test_gs_v0_of_a_known_mask_is_exact() -> None:
    mask = Image.new("1", (10, 2), 0)
    mask.putpixel((0, 0), 1)
    mask.putpixel((9, 1), 1)
    assert EscposWriter.raster_command(mask) == b"\x1dv0\x00\x02\x00\x02\x00" + b"\x80\x00\x00\x40"
    assert EscposWriter.raster_command(mask, double=True)[3] == 3


def test_image_data_never_carries_a_realtime_command() -> None:
    # A row whose bits spell DLE EOT 1 (0x10 0x04 0x01), DLE ENQ and DLE DC4.
    mask = Image.frombytes("1", (72, 1), b"\x10\x04\x01\x10\x05\x02\x10\x14\x01")
    data = EscposWriter.raster_command(mask)
    assert raster.find_realtime(data) == -1
    assert data[8:] == b"\x18\x04\x01\x18\x05\x02\x18\x14\x01"  # one dot added beside each


def test_every_sample_in_every_mode_is_free_of_realtime_commands() -> None:
    for name in ("ticket", "priority-ticket", "checklist"):
        for mode in ("tcvn3", "cp1258", "raster", "ascii"):
            assert raster.find_realtime(render_escpos(sample_layout(name), options(mode))) == -1


def test_58mm_paper_narrows_wrapping_and_the_number() -> None:
    layout = Layout("t", (Text("Xin vui lòng chờ đến lượt. Cảm ơn quý khách!"), BigNumber("A012"), Cut()))
    data = render_escpos(layout, options("tcvn3", width=58))
    # 32 columns of font A: the footer wraps at a space; 32 // 4 = 8 → the number is capped at 6.
    assert b"Xin vui l\x1bt\x1e\xdfng ch\xea \xae\xd5n l\xad\xeet. C\xb6m\n\xacn qu" in data
    assert BIG6 in data


def test_hanging_indent_of_numbered_lines() -> None:
    text = "1. Giấy tờ tùy thân của người đi đăng ký (căn cước hoặc hộ chiếu)"
    layout = Layout("t", (Text(text, align="left", indent=3),))
    data = render_escpos(layout, options("ascii", width=58))
    assert data == INIT + b"1. Giay to tuy than cua nguoi di\n   dang ky (can cuoc hoac ho\n   chieu)\n"


def test_feed_and_rule_without_raster_support() -> None:
    layout = Layout("t", (Feed(2), Rule()))
    # The space after the rule is only sent before something that prints.
    expected = INIT + b"\x1bd\x02" + RULE_80[:3] + CENTER + RULE_80[3:-3]
    assert render_escpos(layout, options("ascii")) == expected
    plain = render_escpos(layout, options("ascii", profile="TM-U220"))  # 400 dots, no raster
    assert plain.endswith(b"-" * 33 + b"\n")


def test_qr_falls_back_to_an_image_without_native_support() -> None:
    data = render_escpos(Layout("t", (QRCode("https://x.vn/1"),)), options("ascii", profile="simple"))
    assert b"\x1d(k" not in data and [m for m, *_ in raster_commands(data)] == [3]


@pytest.mark.parametrize(
    ("profile", "mode"),
    [("TM-T88V", "tcvn3"), ("POS-5890", "cp1258"), ("TM-T88III", "raster"), ("TM-U220", "ascii")],
)
def test_auto_mode_follows_the_profile(profile: str, mode: str) -> None:
    assert resolve_mode("auto", profile) == mode


def test_a_mode_the_profile_cannot_print_is_a_clear_error() -> None:
    with pytest.raises(PrinterError, match="no TCVN-3 code pages"):
        render_escpos(Layout("t", (Text("Số"),)), options("tcvn3", profile="POS-5890"))
    with pytest.raises(PrinterError, match="not one of"):
        resolve_mode("viscii", "default")


def test_epson_head_width_comes_from_the_profile() -> None:
    assert options("tcvn3", profile="TM-T88V").dots == 512
    assert options("tcvn3", profile="default").dots == 576
    assert options("tcvn3", width=58, profile="POS-5890").dots == 384


def test_byte_budget_per_mode() -> None:
    sizes = {
        m: len(render_escpos(sample_layout("ticket"), options(m))) for m in ("tcvn3", "cp1258", "raster")
    }
    assert sizes["tcvn3"] <= 600 and sizes["cp1258"] <= 700 and sizes["raster"] <= 3500

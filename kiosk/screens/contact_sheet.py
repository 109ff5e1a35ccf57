"""Contact sheets: many screenshots of one display size on one small PNG, each captioned, so a
reviewer sees every screen at every target size without hundreds of full-size files."""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = Path(__file__).resolve().parent.parent / "fonts" / "DejaVuSansCondensed.ttf"
CAPTION_PX = 22
GAP_PX = 12


def contact_sheet(shots: list[Path], out: Path, title: str, cell_px: int = 360, columns: int = 6) -> Path:
    """Lay `shots` out in a grid, each scaled to fit a `cell_px` box and captioned with its file
    name; write a palette PNG (small enough for the repository) to `out`."""
    if not shots:
        raise ValueError("no screenshots for the contact sheet")
    first = Image.open(shots[0])
    ratio = first.height / first.width
    cell_w = cell_px if ratio <= 1 else round(cell_px / ratio)
    cell_h = round(cell_w * ratio)
    columns = min(columns, len(shots))
    rows = math.ceil(len(shots) / columns)
    font = ImageFont.truetype(str(FONT), CAPTION_PX)
    head = CAPTION_PX * 2
    width = columns * (cell_w + GAP_PX) + GAP_PX
    height = head + rows * (cell_h + CAPTION_PX + GAP_PX * 2) + GAP_PX
    sheet = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(sheet)
    draw.text((GAP_PX, GAP_PX // 2), title, fill="black", font=font)
    for index, path in enumerate(shots):
        row, col = divmod(index, columns)
        x = GAP_PX + col * (cell_w + GAP_PX)
        y = head + row * (cell_h + CAPTION_PX + GAP_PX * 2)
        with Image.open(path) as shot:
            sheet.paste(shot.convert("RGB").resize((cell_w, cell_h), Image.Resampling.LANCZOS), (x, y))
        draw.rectangle((x - 1, y - 1, x + cell_w, y + cell_h), outline="#888888")
        draw.text((x, y + cell_h + 4), path.stem, fill="black", font=font)
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)
    return out


def main(argv: list[str]) -> int:
    """`python -m kiosk.screens.contact_sheet OUT.png TITLE SHOT.png...` (make screenshots)."""
    out, title, *shots = argv
    contact_sheet(sorted(Path(s) for s in shots), Path(out), title, cell_px=300, columns=8)
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))

"""How big the display is, in millimetres: from the EDID the kernel exposes for a connected
monitor (/sys/class/drm/*/edid), unless `ui.display_diagonal_in` says otherwise (a technician's
figure wins: some HDMI boards report nonsense), else a guess from the resolution. The screens
keep their minimum text and touch sizes in millimetres from this."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

DRM = Path("/sys/class/drm")
MM_PER_INCH = 25.4


@dataclass(frozen=True)
class DisplaySize:
    """A display's physical size and where that figure came from."""

    diagonal_in: float
    source: str  # "edid", "setting" or "guess"

    def px_per_mm(self, width_px: int, height_px: int) -> float:
        """Pixels per millimetre for this resolution (square pixels)."""
        return math.hypot(width_px, height_px) / (self.diagonal_in * MM_PER_INCH)


def edid_size_mm(edid: bytes) -> tuple[int, int] | None:
    """The image size (width, height) in mm from an EDID block: the first detailed timing
    descriptor's millimetres, else the basic block's centimetres; None when it says nothing
    (projectors and some panels report 0)."""
    if len(edid) < 128 or edid[:8] != b"\x00\xff\xff\xff\xff\xff\xff\x00":
        return None
    dtd = edid[54:72]
    if dtd[0] or dtd[1]:  # a pixel clock: this descriptor is a timing, with the size in mm
        width = dtd[12] | ((dtd[14] & 0xF0) << 4)
        height = dtd[13] | ((dtd[14] & 0x0F) << 8)
        if width > 0 and height > 0:
            return width, height
    if edid[21] and edid[22]:
        return edid[21] * 10, edid[22] * 10
    return None


def reported_diagonal_in(drm: Path = DRM) -> float | None:
    """The diagonal of the first connected display that reports its size, in inches."""
    for connector in sorted(drm.glob("card*-*")):
        try:
            if (connector / "status").read_text().strip() != "connected":
                continue
            size = edid_size_mm((connector / "edid").read_bytes())
        except OSError:
            continue
        if size:
            return math.hypot(*size) / MM_PER_INCH
    return None


def guessed_diagonal_in(width_px: int, height_px: int) -> float:
    """What panels of this resolution usually measure: 800×480, 1024×600 and 720×1280 are 7-inch
    panels, 1280×800 is 10.1-inch, a 1080-pixel short side is a 21.5-inch monitor or larger."""
    short = min(width_px, height_px)
    if short <= 720:
        return 7.0
    if short < 1080:
        return 10.1
    return 21.5


def display_size(width_px: int, height_px: int, setting_in: float, drm: Path = DRM) -> DisplaySize:
    """The setting when set (> 0), else the platform's figure, else a guess."""
    if setting_in > 0:
        return DisplaySize(setting_in, "setting")
    reported = reported_diagonal_in(drm)
    if reported and 3 <= reported <= 120:
        return DisplaySize(reported, "edid")
    return DisplaySize(guessed_diagonal_in(width_px, height_px), "guess")

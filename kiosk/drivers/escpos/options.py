"""How to print on one printer: the Vietnamese mode, the python-escpos profile, the paper.

Modes (printer.vietnamese): tcvn3 | cp1258 | ascii print text from code pages; raster draws the
lines that need it as images and keeps ASCII lines, the number and QR codes native; auto picks
from the profile's code pages. Imports only python-escpos's profiles (kiosk.drivers.escpos.library),
the code-page names, and the mode names from the printer port (kiosk.drivers.ports).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.drivers.escpos.codepages import TCVN3_LOWER, TCVN3_UPPER, pages_named
from kiosk.drivers.escpos.library import get_profile
from kiosk.drivers.ports import MODES, Mode
from kiosk.errors import PrinterError

__all__ = [
    "MODES",
    "PAPER_DOTS",
    "Mode",
    "PrintOptions",
    "options_from_settings",
    "profile_pages",
    "resolve_mode",
]

PAPER_DOTS = {80: 576, 58: 384}


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


# Profiles of printers that answer GS ( H process ID requests (Epson TM-T88IV and later models in
# python-escpos's list). The profiles have no feature flag for it; the driver still asks the printer
# once per connection whether it answers, since a clone may be set up with an Epson profile.
PROCESS_ID_PROFILES = frozenset(
    {"TM-T88IV", "TM-T88IV-SA", "TM-T88V", "TM-T20II", "TM-T20II-42col", "TM-P80", "TM-P80-42col", "TM-L90"}
)


def answers_process_id(profile: str) -> bool:
    """Whether printers of `profile` confirm a finished job with a GS ( H process ID response."""
    return profile in PROCESS_ID_PROFILES


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

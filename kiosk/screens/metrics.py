"""Sizes in millimetres, not pixels: the layout unit `u` every .kv rule multiplies by.

The screens are drawn in design units (a 1080-unit short side: body text 32, the smallest text
28, touch targets 96 or more). On a big monitor one unit is the short side ÷ 1080 pixels, as
before. On a small panel that would shrink text below what an older citizen reads at arm's
length, so the unit never goes below the size that keeps the smallest text at MIN_TEXT_MM; the
screen then has fewer units to lay out in, and screens change their layout (one tile per row,
lists that scroll, a compact header) rather than shrink. docs/accessibility.md gives the
minimums and their reasons. No Kivy here: the app and the tests both compute from this."""

from __future__ import annotations

from dataclasses import dataclass

DESIGN_SHORT_SIDE = 1080
SMALLEST_TEXT_UNITS = 28  # no .kv rule a citizen reads uses a smaller font size
MIN_TEXT_MM = 4.5  # font size (em) of the smallest text: cap height ≈ 3.3 mm ≈ 19′ at 60 cm
MIN_TARGET_MM = 12.0  # every side of anything a citizen touches
LARGER_TEXT_ZOOM = 1.25  # "Chữ lớn": everything a quarter larger, the layout reflows
SHORT_BELOW_UNITS = 1000  # a screen less tall than this (in units) uses the compact header
NARROW_BELOW_UNITS = 1000  # a screen less wide than this puts one tile in a row


@dataclass(frozen=True)
class Layout:
    """The unit and the layout choices for one window size, display and zoom."""

    u: float  # pixels per design unit
    px_per_mm: float
    width_units: float
    height_units: float

    @property
    def portrait(self) -> bool:
        return self.height_units >= self.width_units

    @property
    def short(self) -> bool:
        return self.height_units < SHORT_BELOW_UNITS

    @property
    def narrow(self) -> bool:
        return self.width_units < NARROW_BELOW_UNITS

    def mm(self, px: float) -> float:
        return px / self.px_per_mm


def layout_for(width_px: int, height_px: int, px_per_mm: float, zoom: float = 1.0) -> Layout:
    """The unit for this window: the short side ÷ 1080, but never less than keeps the smallest
    text at MIN_TEXT_MM on this display; times the citizen's zoom."""
    scaled = min(width_px, height_px) / DESIGN_SHORT_SIDE
    floor = MIN_TEXT_MM * px_per_mm / SMALLEST_TEXT_UNITS
    u = max(scaled, floor) * zoom
    return Layout(u=u, px_per_mm=px_per_mm, width_units=width_px / u, height_units=height_px / u)

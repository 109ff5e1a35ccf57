"""The idle warning before anything is cleared, the palette's contrast (WCAG 2.x AA), and the
display's size from its EDID."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest

from kiosk import config
from kiosk.device.display_size import display_size, edid_size_mm
from kiosk.screens.metrics import MIN_TEXT_MM, SMALLEST_TEXT_UNITS, layout_for
from tests.fixtures_core import DEMO_CONFIG


def luminance(rgba: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgba[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_every_text_colour_on_every_background_passes_wcag_aa() -> None:
    from kiosk.screens import widgets as w

    # (text, background) pairs the .kv rules use; AA asks 4.5:1 for body text.
    texts = {"INK": w.INK, "MUTED": w.MUTED, "NAVY": w.NAVY, "RED": w.RED}
    grounds = {"WHITE": w.WHITE, "PAPER": w.PAPER, "GREY": w.GREY}
    on_colour = {"NAVY": w.NAVY, "BLUE": w.BLUE, "RED": w.RED, "GREEN": w.GREEN}
    failing = [
        f"{t} on {g}: {contrast(texts[t], grounds[g]):.2f}"
        for t, g in itertools.product(texts, grounds)
        if contrast(texts[t], grounds[g]) < 4.5
    ]
    failing += [
        f"WHITE on {g}: {contrast(w.WHITE, c):.2f}"
        for g, c in on_colour.items()
        if contrast(w.WHITE, c) < 4.5
    ]
    assert failing == []


def test_a_large_monitor_scales_and_a_small_panel_keeps_the_minimum() -> None:
    big = layout_for(1080, 1920, px_per_mm=4.03)
    assert big.u == pytest.approx(1.0) and not big.short and not big.narrow
    small = display_size(800, 480, 0, drm=Path("/nonexistent"))
    assert small.source == "guess" and small.diagonal_in == 7.0
    panel = layout_for(800, 480, small.px_per_mm(800, 480))
    assert SMALLEST_TEXT_UNITS * panel.u / panel.px_per_mm == pytest.approx(MIN_TEXT_MM)
    assert panel.short and panel.narrow  # fewer units to lay out in: the layouts change


def edid(width_mm: int, height_mm: int) -> bytes:
    block = bytearray(128)
    block[:8] = b"\x00\xff\xff\xff\xff\xff\xff\x00"
    block[21], block[22] = width_mm // 10, height_mm // 10
    block[54], block[55] = 0x01, 0x1D  # a pixel clock: a timing descriptor
    block[66], block[67] = width_mm & 0xFF, height_mm & 0xFF
    block[68] = ((width_mm >> 8) << 4) | (height_mm >> 8)
    return bytes(block)


def test_the_display_size_comes_from_the_edid_unless_the_setting_says(tmp_path: Path) -> None:
    assert edid_size_mm(edid(477, 268)) == (477, 268)
    assert edid_size_mm(b"\x00" * 128) is None
    connector = tmp_path / "card0-HDMI-A-1"
    connector.mkdir()
    (connector / "status").write_text("connected\n")
    (connector / "edid").write_bytes(edid(477, 268))
    found = display_size(1920, 1080, 0, drm=tmp_path)
    assert found.source == "edid" and found.diagonal_in == pytest.approx(math.hypot(477, 268) / 25.4)
    assert display_size(1920, 1080, 32, drm=tmp_path).source == "setting"


@pytest.mark.ui
def test_idle_warning_counts_down_a_touch_keeps_everything_then_it_clears(app_factory, state_dir) -> None:
    settings = config.load(
        site_file=DEMO_CONFIG,
        state_dir=state_dir,
        overrides={"ui.idle_timeout_s": 60, "ui.idle_warning_s": 15},
    ).settings
    ui = app_factory(settings)
    app = ui.app
    dossier = app.sm.get_screen("dossier")
    app.sm.go("dossier")
    dossier.press("1")
    app.idle.check(50.2)  # 50 s without a touch: the warning, with the seconds left
    ui.pump(frames=2)
    assert app.idle.showing and app.idle.warning.seconds == 10
    texts = [w.text for w in app.idle.warning.walk() if getattr(w, "text", "")]
    assert "Quý khách cần thêm thời gian?" in texts and "10 giây" in texts
    assert dossier.code == "1"  # nothing cleared yet
    ui.tap_at(
        ui.window.width / 2, ui.window.height * 0.9
    )  # a touch anywhere: the warning goes, the typing stays
    assert not app.idle.showing and dossier.code == "1" and app.sm.current == "dossier"
    app.idle.check(44)  # before the warning: nothing happens
    assert not app.idle.showing
    app.idle.check(60)  # the timeout: home, everything cleared
    ui.pump(frames=2)
    assert app.sm.current == "home" and dossier.code == "" and not app.idle.showing

"""The displays offices buy, in both languages: every state of the adapted citizen screens,
measured from the widget tree in millimetres (tests/screens/layout_check.py). One app per size;
each shot is rendered once per language."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk import config
from kiosk.screens.metrics import LARGER_TEXT_ZOOM
from tests.fixtures_core import DEMO_CONFIG
from tests.screens.layout_check import problems

pytestmark = pytest.mark.ui

# (size, the diagonal such panels have, in inches)
DISPLAYS = [
    ("800x480", 7.0),
    ("1024x600", 7.0),
    ("720x1280", 7.0),
    ("1280x800", 10.1),
    ("1080x1920", 21.5),
    ("1920x1080", 21.5),
]
# The citizen screens whose layout adapts to the display (kiosk/screens/metrics.py). Not yet:
# dossier (its keypad needs its own short layout) and the lookup screens (the search keyboard).
ADAPTED = ("home", "queue", "priority", "ticket", "rating")


def settings_for(state_dir: Path, diagonal_in: float) -> config.Settings:
    overrides = {"ui.display_diagonal_in": diagonal_in}
    return config.load(site_file=DEMO_CONFIG, state_dir=state_dir, overrides=overrides).settings


def sweep(ui, languages: tuple[str, ...]) -> list[str]:
    app = ui.app
    found: list[str] = []
    for name in ADAPTED:
        screen = app.sm.get_screen(name)
        for variant, setup in screen.shots().items():
            for lang in languages:
                large = app.large_text
                app.go_home(reset=True)
                app.large_text = large
                app.lang = lang
                app.sm.go(name)
                setup()
                ui.pump(frames=4)
                found += problems(app, app.sm.current_screen, f"{name}-{variant or 'plain'}-{lang}")
    return found


@pytest.mark.parametrize(("size", "diagonal_in"), DISPLAYS, ids=[d[0] for d in DISPLAYS])
def test_screens_keep_millimetre_minimums_at_each_display(app_factory, state_dir, size, diagonal_in) -> None:
    ui = app_factory(settings_for(state_dir, diagonal_in), size=size)
    found = sweep(ui, ("vi", "en"))
    assert found == [], "\n".join(found)


def test_larger_text_is_larger_lasts_until_the_idle_reset_and_still_fits(app_factory, state_dir) -> None:
    ui = app_factory(settings_for(state_dir, 7.0), size="800x480")
    app = ui.app
    normal_u = app.u
    ui.tap(ui.find_text("Chữ lớn"))
    assert app.large_text
    assert app.u == pytest.approx(normal_u * LARGER_TEXT_ZOOM)
    assert ui.find_text("Chữ vừa")  # the same button now takes it back
    app.sm.go("queue")
    ui.pump(frames=2)
    assert app.large_text  # it stays while the citizen moves on
    found = sweep(ui, ("vi",))
    assert found == [], "\n".join(found)
    app.go_home(reset=True)  # what the idle timeout does
    ui.pump(frames=2)
    assert not app.large_text and app.u == pytest.approx(normal_u)


@pytest.mark.parametrize(
    ("size", "diagonal_in", "scrolls"), [("1080x1920", 21.5, False), ("800x480", 7.0, True)]
)
def test_a_body_scrolls_only_where_it_does_not_fit(
    app_factory, state_dir, size, diagonal_in, scrolls
) -> None:
    """A ScrollView draws through a stencil, which costs about 80 MB under llvmpipe: the home
    screen's body is put in one only on a display too small for it."""
    from kivy.uix.scrollview import ScrollView

    ui = app_factory(settings_for(state_dir, diagonal_in), size=size)
    ui.pump(frames=4)
    home = ui.app.sm.get_screen("home")
    assert any(isinstance(w, ScrollView) for w in home.walk()) is scrolls

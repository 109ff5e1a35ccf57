"""Widgets shared by the screens: the header bar, action tiles, the notices ticker."""

from __future__ import annotations

from typing import Any

from kivy.animation import Animation
from kivy.clock import Clock
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

# High-contrast palette (WCAG AA or better for every text/background pair used).
NAVY = (0.043, 0.235, 0.431, 1)  # #0B3C6E
BLUE = (0.043, 0.361, 0.678, 1)  # #0B5CAD
WHITE = (1, 1, 1, 1)
PAPER = (0.949, 0.957, 0.969, 1)  # #F2F4F7
INK = (0.067, 0.094, 0.153, 1)  # #111827
MUTED = (0.216, 0.255, 0.318, 1)  # #374151
RED = (0.725, 0.110, 0.110, 1)  # #B91C1C
GREEN = (0.082, 0.502, 0.239, 1)  # #15803D
GREY = (0.898, 0.906, 0.922, 1)  # #E5E7EB, behind MUTED text when disabled


class Tile(ButtonBehavior, BoxLayout):
    """A big touch target with a title and a line below it."""

    title = StringProperty("")
    subtitle = StringProperty("")
    primary = BooleanProperty(False)
    align = OptionProperty("left", options=["left", "center"])
    background = ListProperty(WHITE)
    foreground = ListProperty(INK)
    title_scale = NumericProperty(1.0)


class ActionTile(Tile):
    """A tile whose texts are i18n keys, so it follows the language toggle; when disabled it
    says why (note_key, with the reason_key translated into it)."""

    title_key = StringProperty("")
    subtitle_key = StringProperty("")
    note_key = StringProperty("")
    reason_key = StringProperty("")


class Ticker(Label):
    """Shows the notices one at a time, fading between them (easier to read than a marquee)."""

    items = ListProperty([])
    period_s = NumericProperty(8.0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._index = 0
        self._event = Clock.schedule_interval(self._next, self.period_s)

    def on_items(self, *_args: Any) -> None:
        self._index = 0
        self.text = self.items[0] if self.items else ""

    def _next(self, _dt: float) -> None:
        if len(self.items) < 2:
            return
        self._index = (self._index + 1) % len(self.items)
        text = self.items[self._index]
        fade = Animation(opacity=0, duration=0.3)
        fade.bind(on_complete=lambda *_a: self._show(text))
        fade.start(self)

    def _show(self, text: str) -> None:
        self.text = text
        Animation(opacity=1, duration=0.3).start(self)

    def stop(self) -> None:
        self._event.cancel()

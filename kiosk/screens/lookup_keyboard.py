"""The on-screen Vietnamese keyboard of the search screen.

Two pages: letters (digits, QWERTY, space, the Telex switch) and the "Dấu" page (ă â ê ô ơ ư đ,
the five tones and "no tone"). A key on the Dấu page is a one-shot: after it the letters come
back, as after a shift key, so "đăng ký" needs no extra taps to return. The keyboard only says
which key was pressed (`on_key(kind, value)`); what the text becomes is kiosk/catalogue/telex.py's work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kivy.properties import BooleanProperty, NumericProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.widget import Widget

from kiosk.catalogue.telex import Tone


@dataclass(frozen=True)
class Key:
    """One key: what it does (kind, value), how wide (in letter-key units), its label's i18n key
    for keys whose label is a word, and for tone keys a sample letter wearing the tone."""

    kind: str  # letter | tone | space | backspace | page | telex | gap
    value: str = ""
    units: float = 1.0
    label_key: str = ""
    sample: str = ""


def _letters(row: str) -> list[Key]:
    return [Key("letter", ch) for ch in row]


TONE_KEYS = (
    Key("tone", Tone.huyen.name, 10 / 6, "keyboard.tone.huyen", "à"),
    Key("tone", Tone.sac.name, 10 / 6, "keyboard.tone.sac", "á"),
    Key("tone", Tone.hoi.name, 10 / 6, "keyboard.tone.hoi", "ả"),
    Key("tone", Tone.nga.name, 10 / 6, "keyboard.tone.nga", "ã"),
    Key("tone", Tone.nang.name, 10 / 6, "keyboard.tone.nang", "ạ"),
    Key("tone", Tone.none.name, 10 / 6, "keyboard.tone.none", "a"),
)

PAGES: dict[str, list[list[Key]]] = {
    "letters": [
        _letters("1234567890"),
        _letters("qwertyuiop"),
        [Key("gap", units=0.5), *_letters("asdfghjkl"), Key("gap", units=0.5)],
        [*_letters("zxcvbnm."), Key("backspace", units=2, label_key="keyboard.backspace")],
        [
            Key("page", "tones", 2.5, "keyboard.tones"),
            Key("space", " ", 5, "keyboard.space"),
            Key("telex", "", 2.5, "keyboard.telex_on"),
        ],
    ],
    "tones": [
        [Key("letter", ch, 10 / 7) for ch in "ăâêôơưđ"],
        list(TONE_KEYS),
        [
            Key("page", "letters", 2.5, "keyboard.letters"),
            Key("space", " ", 5, "keyboard.space"),
            Key("backspace", "", 2.5, "keyboard.backspace"),
        ],
    ],
}


class KeyButton(Button):
    """A key; its label follows the language (kv) and its width is `units` letter keys."""

    kind = StringProperty("letter")
    value = StringProperty("")
    label_key = StringProperty("")
    sample = StringProperty("")
    units = NumericProperty(1.0)
    keyboard: Any = None

    def on_release(self) -> None:
        if self.keyboard is not None:
            self.keyboard.press(self.kind, self.value)


class VietnameseKeyboard(BoxLayout):
    """Rows of keys; dispatches on_key(kind, value) for every key that edits the text."""

    page = OptionProperty("letters", options=list(PAGES))
    telex = BooleanProperty(True)
    __events__ = ("on_key",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Both pages are built once and swapped: building ~40 keys renders ~40 labels, a stall
        # a citizen would feel on every switch.
        self._pages = {name: self._build(rows) for name, rows in PAGES.items()}
        self.add_widget(self._pages[self.page])
        self.on_telex()

    def on_page(self, *_args: Any) -> None:
        if not hasattr(self, "_pages"):
            return  # set before the pages exist (kv); __init__ shows the right one
        self.clear_widgets()
        self.add_widget(self._pages[self.page])

    def on_telex(self, *_args: Any) -> None:
        if not hasattr(self, "_pages"):
            return
        for button in self._pages["letters"].walk(restrict=True):
            if isinstance(button, KeyButton) and button.kind == "telex":
                button.label_key = "keyboard.telex_on" if self.telex else "keyboard.telex_off"

    def _build(self, rows: list[list[Key]]) -> BoxLayout:
        page = KeyPage()
        for keys in rows:
            row = KeyRow()
            for key in keys:
                if key.kind == "gap":
                    row.add_widget(Widget(size_hint_x=key.units))
                    continue
                button = KeyButton(
                    kind=key.kind,
                    value=key.value,
                    label_key=key.label_key,
                    sample=key.sample,
                    units=key.units,
                )
                button.keyboard = self
                row.add_widget(button)
            page.add_widget(row)
        return page

    def keys(self) -> list[KeyButton]:
        """The keys on the page shown now."""
        return [w for w in self.walk(restrict=True) if isinstance(w, KeyButton)]

    def key(self, kind: str, value: str = "") -> KeyButton:
        """The key of this kind and value on the page shown now (tests and shots tap it)."""
        for button in self.keys():
            if button.kind == kind and (not value or button.value == value):
                return button
        raise LookupError(f"no {kind} key {value!r} on the {self.page} page")

    def press(self, kind: str, value: str) -> None:
        if kind == "page":
            self.page = value
            return
        if kind == "telex":
            self.telex = not self.telex
            return
        self.dispatch("on_key", kind, value)
        if self.page == "tones" and kind in ("letter", "tone"):
            self.page = "letters"  # one-shot, like a shift key

    def on_key(self, kind: str, value: str) -> None:
        """Default handler (the screen binds its own)."""

    def reset(self) -> None:
        self.page = "letters"
        self.telex = True


class KeyRow(BoxLayout):
    """One row of keys."""


class KeyPage(BoxLayout):
    """The rows of one page."""

"""What the technician screens share: a base screen that runs slow work on the worker thread
and shows one message, fact rows, the keypad and the navigation bar."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.factory import Factory
from kivy.properties import BooleanProperty, DictProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from kiosk.screens import KioskScreen

Done = Callable[[Any, BaseException | None], None]
ALNUM_KEYS = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
DIGIT_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9")


class TechScreen(KioskScreen):
    """Base of the technician screens. `run` puts a job on the worker and hands its result back
    on the UI thread, unless the screen was reset (left) in between."""

    message_key = StringProperty("")
    message_values = DictProperty({})
    message_bad = BooleanProperty(False)
    working = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        self._generation = 0
        super().__init__(**kwargs)

    def busy(self) -> bool:
        return self.working > 0  # the idle timeout waits for a print or a sync to end

    def run(self, job: Callable[[Any], Any], done: Done) -> None:
        worker = self.services.worker
        if worker is None:
            raise RuntimeError("services were built without a worker")
        self.working += 1
        generation = self._generation

        def back(result: Any, error: BaseException | None) -> None:  # on the worker thread
            Clock.schedule_once(lambda _dt: self._finish(generation, done, result, error), 0)

        worker.submit(job, back)

    def on_ui(self, callback: Callable[..., None]) -> Callable[..., None]:
        """`callback` made callable from the worker: it runs on the UI thread, and only if the
        screen was not reset (left) since."""
        generation = self._generation

        def call(*args: Any) -> None:
            Clock.schedule_once(lambda _dt: callback(*args) if generation == self._generation else None, 0)

        return call

    def _finish(self, generation: int, done: Done, result: Any, error: BaseException | None) -> None:
        self.working -= 1
        if generation == self._generation:
            done(result, error)

    def say(self, key: str, bad: bool = False, **values: Any) -> None:
        self.message_key, self.message_bad = key, bad
        self.message_values = {k: str(v) for k, v in values.items()}

    def reset(self) -> None:
        self._generation += 1
        self.say("")

    def scanned(self, code: str) -> None:
        """A scan while a technician works is not a citizen's dossier: ignore it."""

    def leave(self) -> None:
        App.get_running_app().go_home(reset=True)

    def open(self, name: str) -> None:
        if self.manager is not None:
            self.manager.go(name)


class TechFact(BoxLayout):
    """One line of facts: a label (i18n key) and a value, given as text or as an i18n key with
    values, so the row follows the language toggle."""

    label_key = StringProperty("")
    label = StringProperty("")  # shown as it is when there is no label_key (a port name)
    value = StringProperty("")
    value_key = StringProperty("")
    values = DictProperty({})
    bad = BooleanProperty(False)


def fact(
    label_key: str, value: str = "", value_key: str = "", bad: bool = False, label: str = "", **values: Any
) -> TechFact:
    """A fact row; `values` fill the placeholders of `value_key`."""
    return TechFact(
        label_key=label_key,
        label=label,
        value=value,
        value_key=value_key,
        values={k: str(v) for k, v in values.items()},
        bad=bad,
    )


def fill(box: Any, rows: Iterable[Any]) -> None:
    box.clear_widgets()
    for row in rows:
        box.add_widget(row)


class TechKeypad(GridLayout):
    """Keys that call `pressed(text)`: digits for the PIN (its screen adds ⌫, 0 and OK), or
    letters, digits and '-' for codes, with ⌫ (`erased()`) and clear (`cleared()`) keys."""

    kind = StringProperty("alnum")

    def __init__(self, **kwargs: Any) -> None:
        self.pressed: Callable[[str], None] = lambda _key: None
        self.erased: Callable[[], None] = lambda: None
        self.cleared: Callable[[], None] = lambda: None
        self._built = False
        super().__init__(**kwargs)

    def ensure_keys(self) -> None:
        """Build the keys on first use: ~40 buttons each, which the app's start need not wait for
        (its screens are all built up front)."""
        if not self._built:
            self.build_keys()

    def on_kind(self, *_args: Any) -> None:
        if self._built:
            self.build_keys()

    def build_keys(self) -> None:
        self._built = True
        self.clear_widgets()
        keys = DIGIT_KEYS if self.kind == "digits" else ALNUM_KEYS
        for key in keys:
            button = Factory.TechKey(text=key)
            button.bind(on_release=lambda b: self.pressed(b.text))
            self.add_widget(button)
        if self.kind != "digits":
            erase = Factory.TechEraseKey()
            erase.bind(on_release=lambda _b: self.erased())
            clear = Factory.TechClearKey()
            clear.bind(on_release=lambda _b: self.cleared())
            self.add_widget(erase)
            self.add_widget(clear)

"""The technician PIN pad, opened by the hidden corner gesture. The check (scrypt, ~0.1 s) and
the lock-out bookkeeping run on the worker thread; five wrong tries lock the pad for five minutes,
also across restarts (kiosk.technician.pin)."""

from __future__ import annotations

import math
import time
from typing import Any

from kivy.properties import NumericProperty, OptionProperty, StringProperty

from kiosk.errors import ConfigError
from kiosk.screens.tech_widgets import TechScreen
from kiosk.technician import pin as technician
from kiosk.technician.pin import Attempt, Outcome

MAX_TYPED = 12


class TechPinScreen(TechScreen):
    typed = StringProperty("")
    dots = StringProperty("")  # what the display shows: one dot per digit, never the digits
    state = OptionProperty("typing", options=["typing", "checking", "wrong", "locked", "not_set", "bad_hash"])
    tries_left = NumericProperty(technician.MAX_TRIES)
    locked_minutes = NumericProperty(0)

    def on_kv_post(self, _base: Any) -> None:
        self.ids.keypad.pressed = self.press

    def on_typed(self, *_args: Any) -> None:
        self.dots = "●" * len(self.typed)

    def on_pre_enter(self, *_args: Any) -> None:
        self.ids.keypad.ensure_keys()
        self.typed = ""
        self.state = "typing"
        self._check(None)  # says at once when the pad is locked or no PIN is set

    def press(self, key: str) -> None:
        if self.state in ("checking", "locked", "not_set", "bad_hash"):
            return
        self.state = "typing"
        if len(self.typed) < MAX_TYPED:
            self.typed += key

    def backspace(self) -> None:
        if self.state != "checking":
            self.typed = self.typed[:-1]

    def submit(self) -> None:
        if self.state == "checking" or not self.typed:
            return
        pin, self.typed = self.typed, ""
        self.state = "checking"
        self._check(pin)

    def _check(self, pin: str | None) -> None:
        """Try `pin` (None: only look at the lock and whether a PIN exists)."""
        services = self.services

        def job(db: Any) -> Attempt:
            now = time.time()
            try:
                encoded, _source = technician.stored_hash(
                    services.state_dir, services.settings.technician.pin_hash
                )
            except ConfigError:
                return Attempt(Outcome.bad_hash)
            if pin is None:
                locked = technician.locked_for(db, now)
                if locked:
                    return Attempt(Outcome.locked, 0, locked)
                return Attempt(Outcome.not_set if not encoded else Outcome.wrong, -1)
            return technician.try_pin(db, encoded, pin, now)

        self.run(job, lambda attempt, error: self.show(attempt if error is None else None))

    def show(self, attempt: Attempt | None) -> None:
        if attempt is None:
            self.state = "bad_hash"
            return
        if attempt.outcome == Outcome.ok:
            self.state = "typing"
            self.open("tech_status")
            return
        if attempt.outcome == Outcome.wrong:
            if attempt.tries_left < 0:  # only looked: nothing to say
                return
            self.tries_left = attempt.tries_left
        self.locked_minutes = math.ceil(attempt.locked_for_s / 60)
        self.state = attempt.outcome.value

    def reset(self) -> None:
        super().reset()
        self.typed = ""
        self.state = "typing"

    def shots(self) -> dict[str, Any]:
        def showing(attempt: Attempt | None, typed: str = "") -> Any:
            def setup() -> None:
                self._generation += 1  # the look taken on entering must not overwrite the shot
                self.state, self.typed = "typing", typed
                if attempt is not None:
                    self.show(attempt)

            return setup

        return {
            "": showing(None, "1234"),
            "wrong": showing(Attempt(Outcome.wrong, 3)),
            "locked": showing(Attempt(Outcome.locked, 0, technician.LOCK_S)),
            "not_set": showing(Attempt(Outcome.not_set)),
        }

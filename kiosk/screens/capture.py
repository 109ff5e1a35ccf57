"""`kiosk screenshot`: render screens of the running app to PNG files, then stop the app.

It runs inside `kiosk run`'s own code path (same settings, services and screens); only the first
frame hook differs. Shots are named SCREEN[-VARIANT]-LANG-ORIENTATION.png."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window


def save_frame(path: Path) -> Path:
    """Draw one frame and save it as PNG (read back before the buffers are swapped)."""
    Window.dispatch("on_draw")
    written = Window.screenshot(name=str(path.with_suffix("")) + "_shot.png")
    os.replace(written, path)
    return path


def all_shots(app: Any) -> list[tuple[str, str, Callable[[], None]]]:
    """(shot name, screen name, setup) for every screen of the app."""
    app.sm.build_all()
    shots = []
    for screen in app.sm.screens:
        for variant, setup in screen.shots().items():
            name = f"{screen.name}-{variant}" if variant else screen.name
            shots.append((name, screen.name, setup))
    return shots


def capture(
    app: Any,
    wanted: list[str],
    languages: list[str],
    out_dir: Path,
    done: Callable[[list[Path]], None],
) -> None:
    """Render each wanted shot ("all" = every shot) in each language, one after another."""
    out_dir.mkdir(parents=True, exist_ok=True)
    orientation = "portrait" if Window.height >= Window.width else "landscape"
    shots = [s for s in all_shots(app) if "all" in wanted or s[0] in wanted]
    missing = set(wanted) - {"all"} - {s[0] for s in shots}
    if missing:
        known = ", ".join(s[0] for s in all_shots(app))
        print(f"kiosk: no such screen: {', '.join(sorted(missing))}; known: {known}", file=sys.stderr)
        app.exit_code = 2
        app.stop()
        return
    queue = [(shot, lang) for shot in shots for lang in languages]
    written: list[Path] = []
    app.sm.transition.duration = 0

    def step(_dt: float) -> None:
        if not queue:
            done(written)
            return
        (name, screen, setup), lang = queue.pop(0)
        # A long run takes more than the idle timeout: without this, the timeout sends the
        # app home in the middle of a shot.
        app.last_touch = time.monotonic()
        app.go_home(reset=True)
        app.lang = lang
        app.sm.go(screen)
        setup()
        Clock.schedule_once(lambda _dt: shoot(name, lang), 0.5)

    def shoot(name: str, lang: str) -> None:
        written.append(save_frame(out_dir / f"{name}-{lang}-{orientation}.png"))
        Clock.schedule_once(step, 0)

    waited = [0.0]

    def start(_dt: float) -> None:
        # A printer being connected answers its first status query within a moment: wait for it
        # (at most 5 s) so home shows "take a number" as it would be, not "paused".
        services = app.services
        if services.printer is not None and not services.printer_status.can_print and waited[0] < 5:
            waited[0] += 0.2
            Clock.schedule_once(start, 0.2)
            return
        step(0)

    Clock.schedule_once(start, 0.3)

"""The soak run's kiosk: `kiosk run` on a seeded state with a scripted citizen touching it.

Run by bench_soak in a process of its own:
`python -m bench.soak_ui CONFIG STATE_DIR PRINTER_URL CYCLES`.
Each cycle is one citizen taking a number in two taps (the ticket printed on the virtual printer)
and one looking up a procedure (field → list → detail → print the checklist), each then sent home
with every input cleared, as the idle timeout does. Touches go through the window, as a finger's
would. Resident memory is sampled after the first frame and after each cycle; one JSON line on
stdout gives the samples and the seconds per cycle."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kiosk import app as kiosk_app
from kiosk import cli

Step = Callable[[], bool] | int  # a condition to wait for, or a number of frames to let pass
TIMEOUT_S = 30.0


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


class Citizen:
    """Steps a scenario one frame at a time from the Kivy clock (a nested event loop would not
    be the app's own)."""

    def __init__(self, app: Any, cycles: int) -> None:
        self.app = app
        self.cycles = cycles
        self.samples: list[float] = []
        self.cycle_s: list[float] = []
        self.script = self.scenario()
        self.waiting: Step = 0
        self.since = time.monotonic()

    def start(self, _app: Any) -> None:
        from kivy.clock import Clock

        self.event = Clock.schedule_interval(self.step, 0)

    def step(self, _dt: float) -> None:
        if isinstance(self.waiting, int):
            if self.waiting > 0:
                self.waiting -= 1
                return
        elif not self.waiting():
            if time.monotonic() - self.since > TIMEOUT_S:
                self.finish(f"stuck on screen {self.app.sm.current!r} at {self.where()}")
            return
        try:
            self.waiting = next(self.script)
            self.since = time.monotonic()
        except StopIteration:
            self.finish(None)

    def where(self) -> str:
        """The scenario's lines the citizen waits at, outermost first (bench/soak_ui.py)."""
        lines: list[str] = []
        generator: Any = self.script  # a generator: its frame, and the one it delegates to
        while generator is not None and generator.gi_frame is not None:
            lines.append(f"{generator.gi_code.co_name}:{generator.gi_frame.f_lineno}")
            generator = generator.gi_yieldfrom
        return " → ".join(lines)

    def finish(self, error: str | None) -> None:
        self.event.cancel()
        result = {"error": error, "rss_mb": self.samples, "cycle_s": self.cycle_s}
        print(json.dumps(result), flush=True)
        self.app.stop()

    # --- the citizen --------------------------------------------------------------------
    def scenario(self) -> Iterator[Step]:
        yield lambda: self.app.services.printer_status.can_print
        yield 30
        self.samples.append(rss_mb())
        for cycle in range(self.cycles):
            started = time.monotonic()
            yield from self.take_number(cycle)
            self.app.go_home(reset=True)
            yield 2
            yield from self.look_up(cycle)
            self.app.go_home(reset=True)
            yield 2
            self.cycle_s.append(time.monotonic() - started)
            self.samples.append(rss_mb())

    def take_number(self, cycle: int) -> Iterator[Step]:
        sm = self.app.sm
        services = self.app.services.settings.queue.services
        yield from self.tap(lambda w: getattr(w, "title_key", "") == "home.queue.title")
        yield lambda: sm.current == "queue"
        name = services[cycle % len(services)].name
        yield from self.tap(lambda w: getattr(w, "title", None) == name)
        ticket = sm.get_screen("ticket")
        yield lambda: sm.current == "ticket" and ticket.state == "done"

    def look_up(self, cycle: int) -> Iterator[Step]:
        from kiosk.screens.lookup_widgets import ListRow

        sm = self.app.sm
        yield from self.tap(lambda w: getattr(w, "title_key", "") == "home.lookup.title")
        yield lambda: sm.current == "lookup" and sm.current_screen.state == "ready"
        fields = sm.current_screen.fields
        field = fields[cycle % min(4, len(fields))].name  # the first ones are on screen without scrolling
        yield from self.tap(lambda w: getattr(w, "text", None) == field)
        yield lambda: sm.current == "lookup_list" and sm.current_screen.state == "ready"
        yield 2
        rows = self.find(lambda w: isinstance(w, ListRow))
        title = rows[cycle % min(4, len(rows))].title
        yield from self.tap(lambda w: isinstance(w, ListRow) and w.title == title)
        detail = sm.get_screen("lookup_detail")
        yield lambda: sm.current == "lookup_detail" and detail.state == "ready"
        label = self.app.tr("lookup.print")
        yield from self.tap(lambda w: getattr(w, "text", None) == label and not w.disabled)
        yield lambda: detail.print_state == "done"

    def find(self, predicate: Callable[[Any], bool]) -> list[Any]:
        return [w for w in self.app.sm.current_screen.walk(restrict=True) if predicate(w)]

    def tap(self, predicate: Callable[[Any], bool]) -> Iterator[Step]:
        """Wait for the widget to be on screen, then touch its centre down and up."""
        from kivy.tests.common import UnitTestTouch

        yield lambda: bool(self.find(predicate))
        yield 1  # laid out
        widget = self.find(predicate)[0]
        touch = UnitTestTouch(*widget.to_window(*widget.center))
        touch.touch_down()
        yield 1
        touch.touch_up()
        yield 1


def main(argv: list[str]) -> int:
    config, state_dir, printer_url, cycles = argv
    words = ["--config", config, "--state-dir", state_dir, "run", "--printer", printer_url]
    args = cli.build_parser(cli.UI_COMMANDS["run"]).parse_args(words)

    def prepare(app: Any) -> None:
        app.on_first_frame.append(Citizen(app, int(cycles)).start)

    return kiosk_app.run(args, prepare)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

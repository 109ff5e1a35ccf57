"""Technician log screen: the last 200 lines of the UI's log, from journald when the kiosk runs
under systemd and the journal can be read, else from this process's ring buffer. Read on the
worker thread (journalctl may take a moment); newest lines at the top."""

from __future__ import annotations

from typing import Any

from kivy.factory import Factory
from kivy.properties import ListProperty, StringProperty

from kiosk.device import log_ring
from kiosk.screens.tech_widgets import TechScreen


class TechLogScreen(TechScreen):
    lines = ListProperty([])
    source = StringProperty("")  # journal | ring

    def on_pre_enter(self, *_args: Any) -> None:
        self.refresh()

    def refresh(self) -> None:
        self.run(lambda _db: log_ring.last_lines(), self._got)

    def _got(self, found: tuple[str, list[str]] | None, error: BaseException | None) -> None:
        if found is None:
            self.say("tech.error", True, detail=str(error))
            return
        self.source, self.lines = found

    def on_lines(self, *_args: Any) -> None:
        box = self.ids.lines
        box.clear_widgets()
        for line in reversed(self.lines):  # one label a line: one huge texture would not fit a GPU
            box.add_widget(Factory.TechLogLine(text=line))

    def reset(self) -> None:
        super().reset()
        self.lines = []
        self.source = ""

    def shots(self) -> dict[str, Any]:
        def sample() -> None:
            self._generation += 1
            self.source = "ring"
            self.lines = [
                "08:01:02 INFO kiosk.app: first frame drawn",
                "08:01:03 INFO kiosk.drivers.serial_printer: printed ticket A001 (248 bytes, tcvn3)",
                "08:14:40 WARNING kiosk.drivers.status_monitor: printer paper_out: paper end sensor",
                "08:15:02 INFO kiosk.drivers.serial_printer: printed ticket B012 (251 bytes, tcvn3)",
                "08:20:11 INFO kiosk.app: Phiếu B012 được in lại — Đăng ký khai sinh",
            ]

        return {"": sample}

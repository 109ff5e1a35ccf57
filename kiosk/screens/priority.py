"""Take a number, optional step: who the priority ticket is for (one extra tap)."""

from __future__ import annotations

from typing import Any

from kiosk.queue import numbering as queue
from kiosk.screens import KioskScreen


class PriorityScreen(KioskScreen):
    """Four big choices; a tap prints the priority ticket."""

    def prepare(self, service_id: str) -> None:
        self.service_id = service_id

    def reset(self) -> None:
        self.service_id = ""

    def choose(self, kind: str) -> None:
        if kind not in queue.PRIORITIES:
            raise ValueError(kind)
        if self.manager is not None:
            self.manager.go("ticket", service_id=self.service_id, priority=kind)

    def shots(self) -> dict[str, Any]:
        first = next((s.id for s in self.services.settings.queue.services if s.priority), "")
        return {"": lambda: self.prepare(first)}

"""What the UI and the CLI are built from: settings, the state database, the clock, and the
feature services. Built once (by kiosk/app.py or kiosk/cli.py) and handed to whoever needs them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk import store
from kiosk.config import Settings


@dataclass
class Services:
    settings: Settings
    state_dir: Path
    db: sqlite_utils.Database
    features: dict[str, Any] = field(default_factory=dict)

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.site.timezone)

    def now(self) -> datetime:
        """The site's local time, aware."""
        return datetime.now(self.timezone)

    def feature_enabled(self, name: str) -> bool:
        return bool(getattr(self.settings.features, name, False))

    def close(self) -> None:
        for service in self.features.values():
            closer = getattr(service, "close", None)
            if callable(closer):
                closer()
        self.db.conn.close()


def build_services(settings: Settings, state_dir: Path, printer_url: str | None = None) -> Services:
    """Open the database and build each feature's service."""
    db = store.open_state(state_dir)
    return Services(settings=settings, state_dir=state_dir, db=db)

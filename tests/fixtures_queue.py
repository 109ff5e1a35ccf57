"""Queue fixtures: a settable clock and a small site with services built for the edge cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk import config

HCM = ZoneInfo("Asia/Ho_Chi_Minh")

SITE = """
[site]
name = "UBND xã Thử Nghiệm"
header = "BỘ PHẬN MỘT CỬA"

[[queue.services]]
id = "A"
name = "Hộ tịch"
name_en = "Civil status"
counters = ["1", "2"]
series_start = 1
series_end = 499
priority = true

[[queue.services]]
id = "B"
name = "Chứng thực"
counters = ["3"]
series_start = 500
series_end = 503

[[queue.services]]
id = "C"
name = "Đất đai"
counters = ["4"]
daily_limit = 2
hours = { mon = ["07:30-11:30", "13:30-17:00"], sat = ["07:30-11:30"] }
"""


@dataclass
class SetClock:
    """A clock the test moves by hand (the world's clock cannot be set from a test)."""

    moment: datetime

    def now(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def queue_settings(tmp_path: Path) -> config.Settings:
    path = tmp_path / "queue-site.toml"
    path.write_text(SITE, encoding="utf-8")
    return config.load(site_file=path).settings


@pytest.fixture
def clock() -> SetClock:
    return SetClock(datetime(2026, 11, 30, 9, 0, tzinfo=HCM))  # a Monday, 09:00

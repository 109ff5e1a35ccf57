"""A separate process that issues tickets as fast as it can and reports each one after it is
committed (as the screen would show it to the citizen). Used by the concurrency and power-cut
tests: `python -m tests.queue_worker DB SITE_TOML COUNT`."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk import config, store
from kiosk.queue import numbering as queue


def main(db_path: str, site: str, count: int) -> None:
    settings = config.load(site_file=Path(site)).settings
    db = store.connect(db_path)
    tz = ZoneInfo(settings.site.timezone)
    for _ in range(count):
        ticket = queue.issue_ticket(db, settings, "A", datetime.now(tz))
        sys.stdout.write(f"{ticket.day} {ticket.ticket}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))

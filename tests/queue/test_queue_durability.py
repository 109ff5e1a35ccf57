"""Two processes issuing at once, and power cuts (SIGKILL) at random points: no number twice,
no gap, nothing reported that is not in the database, every ticket with its event."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk import store
from tests.fixtures_core import REPO

SITE = '[[queue.services]]\nid = "A"\nname = "Hộ tịch"\nseries_start = 1\nseries_end = 9999\n'


def worker(db_path: Path, site: Path, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.queue_worker", str(db_path), str(site), str(count)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )


def check_database(db_path: Path) -> list[tuple[str, int]]:
    db = store.connect(db_path)
    rows = db.execute("SELECT day, number FROM tickets WHERE service = 'A' ORDER BY day, number").fetchall()
    assert len(rows) == len(set(rows)), "a number was issued twice"
    events = {
        (json.loads(d)["day"], json.loads(d)["number"])
        for (d,) in db.execute("SELECT data FROM outbox WHERE type = 'ticket.issued'")
    }
    assert events == set(rows), "a ticket without its event, or an event without its ticket"
    db.close()
    return rows


@pytest.fixture
def site(tmp_path: Path) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(SITE, encoding="utf-8")
    return path


@pytest.mark.slow
def test_two_processes_issue_1000_tickets_without_duplicate_or_gap(tmp_path: Path, site: Path) -> None:
    db_path = tmp_path / "kiosk.db"
    store.connect(db_path).close()
    procs = [worker(db_path, site, 500), worker(db_path, site, 500)]
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    reported = [line for out, _ in outputs for line in out.splitlines()]
    assert len(reported) == len(set(reported)) == 1000
    rows = check_database(db_path)
    by_day: dict[str, list[int]] = {}
    for day, number in rows:
        by_day.setdefault(day, []).append(number)
    for numbers in by_day.values():  # a run across midnight would start a new day at 1
        assert numbers == list(range(1, len(numbers) + 1))
    assert sum(len(n) for n in by_day.values()) == 1000


@pytest.mark.slow
def test_power_cut_at_random_points_loses_and_repeats_nothing(tmp_path: Path, site: Path) -> None:
    db_path = tmp_path / "kiosk.db"
    store.connect(db_path).close()
    chance = random.Random(int(os.environ.get("POWER_CUT_SEED", "20261128")))
    reported: set[str] = set()
    for _cut in range(50):
        proc = worker(db_path, site, 100_000)
        time.sleep(chance.uniform(0.15, 0.6))  # start-up included: some cuts land before any ticket
        proc.send_signal(signal.SIGKILL)
        out, _err = proc.communicate(timeout=30)
        lines = out.splitlines()
        if lines and not out.endswith("\n"):
            lines = lines[:-1]  # the line being written when the power went
        reported |= set(lines)
        rows = check_database(db_path)
        in_db = {f"{day} A{number:03d}" for day, number in rows}
        assert reported <= in_db, f"reported but lost: {sorted(reported - in_db)[:5]}"
    assert len(reported) > 100, "the cuts never let the worker issue: the test proved nothing"

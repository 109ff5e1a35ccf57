"""Resident memory while citizens use the kiosk: does it level off, or keep growing?

One `kiosk run` on the demo site (catalogue seeded, services open all day, the virtual printer on
a pty) is driven by touch through CITIZENS cycles of bench/soak_ui.py: a number taken in two taps
and printed, then a procedure looked up and its checklist printed. Printed: memory after the
first frame, after the first citizen and after the last; the growth over the second half (a
leak shows here; the first citizens fill caches); and the seconds one cycle takes.

On the CI machine the GL driver is Mesa's llvmpipe, which draws in main memory: its scene bins
and textures are most of the growth after the first citizen (see docs/operations.md). A Pi draws
with its GPU driver, whose buffers are not counted the same way."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import Figure, median
from kiosk.demo_site import DEMO_CONFIG, seed_state
from kiosk.drivers.virtual.printer import VirtualPrinter

REPO = Path(__file__).resolve().parent.parent
CITIZENS = 60


def soak(citizens: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="kiosk-soak-") as tmp:
        state = Path(tmp)
        seed_state(state)
        site = state / "site.toml"  # the demo site with every service open: the bench runs at any hour
        demo = DEMO_CONFIG.read_text(encoding="utf-8")
        site.write_text(re.sub(r"(?m)^hours = .*\n", "", demo), encoding="utf-8")
        printer = VirtualPrinter(state / "printed")
        url = printer.start_pty()
        env = {**os.environ, "KIOSK_LOG_LEVEL": "WARNING"}
        env.pop("SDL_VIDEODRIVER", None)
        try:
            done = subprocess.run(
                [sys.executable, "-m", "bench.soak_ui", str(site), tmp, url, str(citizens)],
                capture_output=True,
                text=True,
                env=env,
                cwd=REPO,
                timeout=60 + citizens * 30,
            )
            printed = len(printer.wait_for_tickets(2 * citizens)) if done.returncode == 0 else 0
        finally:
            printer.stop()
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"the soak run failed ({done.returncode}): {done.stderr[-2000:]}")
    result: dict[str, object] = json.loads(lines[-1])
    if result["error"]:
        raise RuntimeError(f"the scripted citizen got stuck: {result['error']}")
    if printed != 2 * citizens:
        raise RuntimeError(f"{printed} tickets printed for {citizens} citizens (2 each)")
    return result


def run() -> list[Figure]:
    result = soak(CITIZENS)
    rss: list[float] = result["rss_mb"]  # type: ignore[assignment]
    cycle_s: list[float] = result["cycle_s"]  # type: ignore[assignment]
    half = CITIZENS // 2
    # Single samples jump by a few MB as the GL driver takes and gives back frame memory: compare
    # the median of ten citizens around the middle with that of the last ten.
    middle, end = median(rss[half - 4 : half + 6]), median(rss[-10:])
    return [
        Figure("resident memory after the first frame", rss[0], "MB"),
        Figure("  after the first citizen (ticket + lookup)", rss[1], "MB"),
        Figure(f"  after {CITIZENS} citizens (median of the last 10)", end, "MB"),
        Figure(f"  growth from citizen {half} to {CITIZENS}", end - middle, "MB", "≈ 0"),
        Figure("one citizen: 2-tap ticket, lookup, 2 prints (median)", median(cycle_s), "s"),
    ]

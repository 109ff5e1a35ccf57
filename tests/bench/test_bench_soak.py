"""The soak benchmark's scripted citizen (bench/soak_ui.py) runs the real `kiosk run` in its own
process and serves one citizen by touch: a number in two taps, then a lookup with its checklist,
both printed on the virtual printer. Kept here so the benchmark cannot rot between `make bench`
runs; its figures are printed by the benchmark, never asserted."""

from __future__ import annotations

import pytest

from bench.bench_soak import soak

pytestmark = pytest.mark.ui


def test_one_scripted_citizen_gets_a_ticket_and_a_checklist() -> None:
    result = soak(1)  # raises when the citizen gets stuck or a print is missing
    assert result["error"] is None
    assert len(result["rss_mb"]) == 2 and len(result["cycle_s"]) == 1  # type: ignore[arg-type]

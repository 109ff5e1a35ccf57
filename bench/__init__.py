"""Benchmarks: `make bench` runs every bench/bench_*.py and prints one table of figures.

Each module has `run() -> list[Figure]`. Figures are printed, never asserted: timed assertions
belong nowhere, goals are shown beside the figure for a person to read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    value: float | int | str
    unit: str = ""
    goal: str = ""


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]

"""Run the benchmarks: `python -m bench [NAME ...]` (names without the bench_ prefix)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import bench
from bench import Figure


def _fmt(value: float | int | str) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return value


def main(names: list[str]) -> int:
    modules = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    if names:
        modules = [m for m in modules if m.removeprefix("bench_") in names]
    rows: list[tuple[str, Figure]] = []
    for name in modules:
        started = time.perf_counter()
        print(f"running {name} …", file=sys.stderr, flush=True)
        figures = importlib.import_module(f"bench.{name}").run()
        print(f"  {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
        rows.extend((name.removeprefix("bench_"), f) for f in figures)
    header = ("bench", "figure", "value", "unit", "goal")
    table = [header] + [(b, f.name, _fmt(f.value), f.unit, f.goal) for b, f in rows]
    widths = [max(len(r[i]) for r in table) for i in range(5)]
    for i, row in enumerate(table):
        print(
            "  ".join(
                c.ljust(w) if j != 2 else c.rjust(w) for j, (c, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
        if i == 0:
            print("  ".join("-" * w for w in widths))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

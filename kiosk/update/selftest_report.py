"""What an update.result says when a new release's `kiosk selftest --json` fails: the names of the
failed checks (and what the first one said), never a traceback cut somewhere in the middle.

A release whose self-test cannot even start (its `kiosk` command does not import) leaves no
report; then the last line of what it printed, the exception itself, stands in for it.
"""

from __future__ import annotations

import json
from typing import Any

NAMES_CHARS = 400  # the check names, at most; then "and N more"
LINE_CHARS = 300


def parse_report(stdout: str) -> dict[str, Any] | None:
    """The JSON report `kiosk selftest --json` printed, or None."""
    try:
        report = json.loads(stdout)
    except ValueError:
        return None
    return report if isinstance(report, dict) else None


def failed_checks(report: dict[str, Any]) -> list[dict[str, Any]]:
    checks = report.get("checks")
    if not isinstance(checks, list):
        return []
    return [c for c in checks if isinstance(c, dict) and not c.get("ok")]


def failure_detail(report: dict[str, Any] | None, returncode: int, output: str) -> str:
    """One line for update.result: `self-test failed (N of M checks): NAME, NAME, …; NAME: WHY`."""
    failed = failed_checks(report) if report is not None else []
    if not failed:
        why = last_line(output) or "no output"
        return f"self-test did not run (exit {returncode}): {why}"
    total = len(report["checks"]) if report is not None else len(failed)
    names = [str(c.get("name", "?")) for c in failed]
    first = failed[0]
    first_why = _one_line(str(first.get("detail", "")))
    return f"self-test failed ({len(failed)} of {total} checks): {join_names(names)}; {names[0]}: {first_why}"


def join_names(names: list[str], limit: int = NAMES_CHARS) -> str:
    """`a, b, c` within `limit` characters, then `and N more`."""
    shown: list[str] = []
    length = 0
    for name in names:
        if shown and length + len(name) + 2 > limit:
            break
        shown.append(name)
        length += len(name) + 2
    rest = len(names) - len(shown)
    return ", ".join(shown) + (f" and {rest} more" if rest else "")


def last_line(output: str) -> str:
    """The last non-blank line (of a traceback: the exception and its message)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return _one_line(lines[-1]) if lines else ""


def _one_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= LINE_CHARS else line[: LINE_CHARS - 1] + "…"

"""Word wrapping by any measure (printer columns or drawn pixels)."""

from __future__ import annotations

from collections.abc import Callable


def wrap(text: str, measure: Callable[[str], float], limit: float, indent: str = "") -> list[str]:
    """Greedy word wrap of `text` so that measure(line) <= limit. Lines after the first start
    with `indent` (counted in their width). A word longer than a line is broken between letters.
    Always at least one line."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        lead = indent if lines else ""
        candidate = f"{current} {word}" if current else lead + word
        if measure(candidate) <= limit or (not current and not word):
            current = candidate
            continue
        if current:
            lines.append(current)
            lead = indent
        piece = lead + word
        while measure(piece) > limit and len(piece) > len(lead) + 1:
            cut = _longest_fitting(piece, measure, limit, len(lead) + 1)
            lines.append(piece[:cut])
            piece = indent + piece[cut:]
        current = piece
    if current or not lines:
        lines.append(current)
    return lines


def _longest_fitting(piece: str, measure: Callable[[str], float], limit: float, least: int) -> int:
    cut = least
    while cut < len(piece) and measure(piece[: cut + 1]) <= limit:
        cut += 1
    return cut

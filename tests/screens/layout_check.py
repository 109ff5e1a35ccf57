"""Measuring a rendered screen from its widget tree, in millimetres (kiosk/screens/metrics.py):
text under MIN_TEXT_MM, targets under MIN_TARGET_MM, text cut off in its widget, widgets
leaving the window or (outside a scrolling body) hidden behind the screen's bars, and touch
targets overlapping each other."""

from __future__ import annotations

from typing import Any

from kiosk.screens.metrics import MIN_TARGET_MM, MIN_TEXT_MM


def ancestors(widget: Any) -> list[Any]:
    chain = [widget]
    while chain[-1].parent is not None and chain[-1].parent is not chain[-1]:
        chain.append(chain[-1].parent)
    return chain


def shown(widget: Any) -> bool:
    return all(w.opacity > 0 and w.width > 0 and w.height > 0 for w in ancestors(widget)[:-1])


def scroller(widget: Any) -> Any:
    from kivy.uix.scrollview import ScrollView

    return next((w for w in ancestors(widget)[1:] if isinstance(w, ScrollView)), None)


def window_box(widget: Any) -> tuple[float, float, float, float]:
    x, y = widget.to_window(widget.x, widget.y)
    return x, y, x + widget.width, y + widget.height


def visible_box(widget: Any) -> tuple[float, float, float, float] | None:
    """The part of a widget one can see: clipped by the scroll view it is in, if any."""
    x0, y0, x1, y1 = window_box(widget)
    view = scroller(widget)
    if view is not None:
        vx0, vy0, vx1, vy1 = window_box(view)
        x0, y0, x1, y1 = max(x0, vx0), max(y0, vy0), min(x1, vx1), min(y1, vy1)
    return (x0, y0, x1, y1) if x1 > x0 + 1 and y1 > y0 + 1 else None


def problems(app: Any, root: Any, state: str) -> list[str]:
    """What is wrong on `root` as drawn now, one line per widget."""
    from kivy.core.window import Window
    from kivy.uix.behaviors import ButtonBehavior
    from kivy.uix.label import Label

    mm = app.px_per_mm
    found: list[str] = []
    targets: list[tuple[str, tuple[float, float, float, float]]] = []
    for w in root.walk(restrict=True):
        if not shown(w):
            continue
        name = f"{state}: {type(w).__name__} {getattr(w, 'text', '')[:24]!r}"
        box = visible_box(w)
        if isinstance(w, Label) and w.text.strip():
            if w.font_size / mm < MIN_TEXT_MM - 0.05:
                found.append(f"{name} text {w.font_size / mm:.1f} mm, under {MIN_TEXT_MM}")
            tw, th = w.texture_size
            if not w.shorten and (tw > w.width + 2 or th > w.height + 2):
                found.append(f"{name} text {tw:.0f}×{th:.0f} cut off in {w.width:.0f}×{w.height:.0f}")
        if isinstance(w, ButtonBehavior) and not w.disabled and box is not None:
            if min(w.size) / mm < MIN_TARGET_MM - 0.05:
                found.append(
                    f"{name} target {w.width / mm:.1f}×{w.height / mm:.1f} mm, under {MIN_TARGET_MM}"
                )
            targets.append((name, box))
        x0, y0, x1, y1 = window_box(w)
        if scroller(w) is None and (x0 < -1 or y0 < -1 or x1 > Window.width + 1 or y1 > Window.height + 1):
            found.append(f"{name} at {x0:.0f},{y0:.0f}–{x1:.0f},{y1:.0f} leaves the window")
    for i, (name, a) in enumerate(targets):
        for other, b in targets[i + 1 :]:
            crossing = min(a[2], b[2]) - max(a[0], b[0]) > 2 and min(a[3], b[3]) - max(a[1], b[1]) > 2
            if crossing and not _nested(a, b):
                found.append(f"{name} overlaps {other}")
    return found


def _nested(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """One box inside the other (a button inside a tile is one target, not two)."""
    inside = a[0] >= b[0] - 1 and a[1] >= b[1] - 1 and a[2] <= b[2] + 1 and a[3] <= b[3] + 1
    around = b[0] >= a[0] - 1 and b[1] >= a[1] - 1 and b[2] <= a[2] + 1 and b[3] <= a[3] + 1
    return inside or around

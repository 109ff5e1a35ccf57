"""Rendering the calling pages (counter, display, phone): one Jinja2 environment over
central/calling/templates, autoescaped and strict, with the console's security headers (only
this server's own files, no framing, no caching)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from fastapi.responses import HTMLResponse

from central.calling import labels
from central.console.render import HEADERS


def clock_time(value: datetime | str | None, tz: str = "Asia/Ho_Chi_Minh") -> str:
    """08:01 in the site's time; '' for nothing."""
    if not value:
        return ""
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return at.astimezone(ZoneInfo(tz)).strftime("%H:%M") if at.tzinfo else at.strftime("%H:%M")


def minutes(seconds: float | None) -> str:
    """'12 phút', 'dưới 1 phút'."""
    if seconds is None:
        return ""
    whole = int(seconds // 60)
    return f"{whole} phút" if whole >= 1 else "dưới 1 phút"


_env = jinja2.Environment(
    loader=jinja2.PackageLoader("central.calling", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters.update(clock_time=clock_time, minutes=minutes)
_env.globals.update(labels=labels)


def page(template: str, *, status_code: int = 200, **values: Any) -> HTMLResponse:
    html = _env.get_template(template).render(**values)
    return HTMLResponse(html, status_code=status_code, headers=HEADERS)

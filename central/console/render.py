"""Rendering console pages: one Jinja2 environment over central/templates (autoescaped, strict
about undefined names), the filters the templates use (Vietnamese times, sizes), and the
headers every page carries (no framing, no inline script, no caching of fleet data)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from central.console import labels
from central.console.session import COOKIE, csrf_token
from central.context import Central

CONSOLE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HEADERS = {
    # Everything is served by this app: no CDN, no inline script or style.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
NAV = (
    ("fleet", "/console/", "Kiosk"),
    ("releases", "/console/releases", "Phát hành"),
    ("catalogue", "/console/catalogue", "Danh mục TTHC"),
    ("enrolment", "/console/enrolment", "Đăng ký kiosk"),
    ("staff", "/console/staff", "Cán bộ quầy"),
)


def local_time(value: datetime | str | None, with_date: bool = True) -> str:
    """28/11/2026 08:01 in Vietnam's time; '' for nothing."""
    if not value:
        return ""
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    if at.tzinfo is None:
        return at.strftime("%d/%m/%Y %H:%M")
    at = at.astimezone(CONSOLE_TZ)
    return at.strftime("%d/%m/%Y %H:%M" if with_date else "%H:%M:%S")


def short_time(value: datetime | str | None) -> str:
    """28/11 08:01 (for long lists on a phone)."""
    full = local_time(value)
    return f"{full[:5]} {full[11:]}" if full else ""


def ago(value: datetime | None, now: datetime) -> str:
    """'3 phút trước' and the like; 'chưa bao giờ' for never."""
    if value is None:
        return "chưa bao giờ"
    seconds = max(0, int((now - value).total_seconds()))
    if seconds < 60:
        return "vừa xong"
    for unit_s, word in ((86_400, "ngày"), (3_600, "giờ"), (60, "phút")):
        if seconds >= unit_s:
            return f"{seconds // unit_s} {word} trước"
    return "vừa xong"


def size(value: int) -> str:
    if value >= 2**20:
        return f"{value / 2**20:.1f} MB".replace(".", ",")
    return f"{max(1, round(value / 1024))} KB" if value else "0 KB"


_env = jinja2.Environment(
    loader=jinja2.PackageLoader("central", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters.update(
    local_time=local_time,
    short_time=short_time,
    size=size,
    site_name=lambda site, names: names.get(site, site),
)
_env.globals.update(labels=labels, nav=NAV)


def page(
    request: Request,
    ctx: Central,
    template: str,
    *,
    operator: str | None,
    section: str = "",
    status_code: int = 200,
    **values: Any,
) -> HTMLResponse:
    """A console page; forms on it carry the session's CSRF token."""
    now = ctx.clock()
    notice = labels.NOTICES.get(request.query_params.get("done", ""), "")
    html = _env.get_template(template).render(
        operator=operator,
        section=section,
        csrf=csrf_token(request.cookies.get(COOKIE, "")),
        now=now,
        ago=lambda value: ago(value, now),
        notice=notice,
        **values,
    )
    return HTMLResponse(html, status_code=status_code, headers=HEADERS)

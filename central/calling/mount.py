"""Mounting calling on the app: pages, static files, the live feed, the error pages."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from central.calling import pages_counter, pages_display, pages_phone, pages_staff
from central.calling.actions import CallingContext
from central.calling.feed import CallFeed
from central.calling.session import CounterForbidden, CounterLoginRequired
from central.calling.voice.pack import DEFAULT_PACK
from central.console.render import HEADERS
from central.context import Central


async def _login_required(request: Request, exc: Exception) -> Response:
    if "application/json" in request.headers.get("accept", "") or request.url.path.endswith(".json"):
        body = {
            "error": {
                "code": "session_expired",
                "message": "Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại.",
            }
        }
        return JSONResponse(body, status_code=401)
    return RedirectResponse("/counter/login", status_code=303)


async def _forbidden(request: Request, exc: Exception) -> Response:
    body = (
        '<!doctype html><html lang="vi"><meta charset="utf-8"><title>Từ chối</title>'
        "<p>Biểu mẫu đã hết hạn hoặc không đến từ trang này. Hãy tải lại trang và thử lại.</p>"
        '<p><a href="/counter/">Về trang quầy</a></p></html>'
    )
    return HTMLResponse(body, status_code=403, headers=HEADERS)


def install(app: FastAPI, voice_pack: Path | None = None, no_show_window_s: float = 600.0) -> None:
    """Mount the calling pages, their files and the live feed on the app."""
    ctx: Central = app.state.central
    app.state.calling = CallingContext(
        feed=CallFeed(ctx.store),  # type: ignore[arg-type]  # every store implements CallingStore
        voice_pack=voice_pack or DEFAULT_PACK,
        no_show_window_s=no_show_window_s,
    )
    for module in (pages_counter, pages_display, pages_phone, pages_staff):
        app.include_router(module.router)
    static = resources.files("central.calling") / "static"
    app.mount("/calling/static", StaticFiles(directory=str(static)), name="calling-static")
    app.add_exception_handler(CounterLoginRequired, _login_required)
    app.add_exception_handler(CounterForbidden, _forbidden)

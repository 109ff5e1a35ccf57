"""The fleet console: server-rendered pages for operators at /console/ (docs/console.md).

Jinja2 templates in central/templates, one stylesheet and one small script in central/static,
all served by this app (no CDN, no JavaScript framework). Operators log in with a name and a
password (`kiosk-central operator set NAME`); the session is an HttpOnly, SameSite=Strict
cookie, and every form carries a CSRF token. The pages are left out of the OpenAPI document."""

from __future__ import annotations

from importlib import resources
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from central.console import pages_admin, pages_fleet, pages_login, pages_releases
from central.console.render import HEADERS
from central.console.session import Forbidden, LoginRequired

router = APIRouter(prefix="/console", include_in_schema=False)
for module in (pages_login, pages_fleet, pages_releases, pages_admin):
    router.include_router(module.router)


async def _login_required(request: Request, exc: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        target = "/console/"
    return RedirectResponse(f"/console/login?next={quote(target)}", status_code=303)


async def _forbidden(request: Request, exc: Exception) -> Response:
    body = (
        '<!doctype html><html lang="vi"><meta charset="utf-8"><title>Từ chối</title>'
        "<p>Biểu mẫu đã hết hạn hoặc không đến từ trang này. Hãy tải lại trang và thử lại.</p>"
        '<p><a href="/console/">Về trang kiosk</a></p></html>'
    )
    return HTMLResponse(body, status_code=403, headers=HEADERS)


def install(app: FastAPI) -> None:
    """Mount the console's pages and files on the app."""
    app.include_router(router)
    static = resources.files("central") / "static"
    app.mount("/console/static", StaticFiles(directory=str(static)), name="console-static")
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(Forbidden, _forbidden)

    @app.get("/console", include_in_schema=False)
    def console_root() -> Response:
        return RedirectResponse("/console/", status_code=308)

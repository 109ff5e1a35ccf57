"""Logging in and out of the console."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from central.api.enroll_limit import client_key
from central.auth import hash_secret
from central.console.login_limit import checked_login, wait_text
from central.console.passwords import check_password
from central.console.render import page
from central.console.session import (
    COOKIE,
    PATH,
    Forbidden,
    checked_operator,
    new_session,
    operator_of,
    same_origin,
    set_cookie,
)
from central.context import Central, central
from central.errors import log

router = APIRouter()
Ctx = Annotated[Central, Depends(central)]


def safe_next(target: str) -> str:
    """Only a console page: a login link must not send an operator to another site."""
    if target.startswith("/console/") and not target.startswith("/console//") and "\\" not in target:
        return target
    return "/console/"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, ctx: Ctx, next: str = "/console/") -> Response:
    if operator_of(request, ctx) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return page(request, ctx, "login.html", operator=None, next=safe_next(next), error="", name="")


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    ctx: Ctx,
    name: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/console/",
) -> Response:
    """Check the password and start a session. A plain `def`: the check (scrypt, about 50 ms)
    runs on the thread pool, never on the event loop where heartbeats are answered; and only
    after the attempt is counted (central/console/login_limit.py)."""
    if not same_origin(request):
        raise Forbidden()
    name = name.strip()
    source = client_key(request.client.host if request.client else "?")
    ok, wait_s = checked_login(
        ctx.store,
        name,
        source,
        ctx.clock(),
        lambda: check_password(password, ctx.store.operator_password_hash(name)),
    )
    if wait_s:
        log.debug("console login from %s refused for %d s", source, wait_s)
        error = f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {wait_text(wait_s)}."
        return _login_page(request, ctx, name, next, error, 429, wait_s)
    if not ok:  # at most a few per address and window, so this log cannot be flooded
        log.warning("console login from %s failed", source)
        return _login_page(request, ctx, name, next, "Sai tên đăng nhập hoặc mật khẩu.", 401)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_cookie(request, response, new_session(ctx, name))
    return response


def _login_page(
    request: Request, ctx: Central, name: str, next: str, error: str, status: int, retry_after_s: int = 0
) -> Response:
    values = {"next": safe_next(next), "error": error, "name": name}
    response = page(request, ctx, "login.html", operator=None, status_code=status, **values)
    if retry_after_s:
        response.headers["Retry-After"] = str(retry_after_s)
    return response


@router.post("/logout")
def logout(request: Request, ctx: Ctx, operator: Annotated[str, Depends(checked_operator)]) -> Response:
    ctx.store.end_console_session(hash_secret(request.cookies.get(COOKIE, "")))
    response = RedirectResponse("/console/login?done=logged_out", status_code=303)
    response.delete_cookie(COOKIE, path=PATH)
    return response

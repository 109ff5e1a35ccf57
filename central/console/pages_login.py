"""Logging in and out of the console."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from central.auth import hash_secret
from central.console.passwords import LoginThrottle, verify_password
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

router = APIRouter()
Ctx = Annotated[Central, Depends(central)]


def safe_next(target: str) -> str:
    """Only a console page: a login link must not send an operator to another site."""
    if target.startswith("/console/") and not target.startswith("/console//") and "\\" not in target:
        return target
    return "/console/"


def throttle(request: Request) -> LoginThrottle:
    found: LoginThrottle = request.app.state.console_throttle
    return found


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
    """Check the password (scrypt, on the thread pool) and start a session."""
    if not same_origin(request):
        raise Forbidden()
    limiter = throttle(request)
    name = name.strip()
    error, status = "", 200
    if limiter.blocked(name, time.monotonic()):
        error, status = "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 5 phút.", 429
    elif not verify_password(password, ctx.store.operator_password_hash(name)):
        limiter.failed(name, time.monotonic())
        error, status = "Sai tên đăng nhập hoặc mật khẩu.", 401
    if error:
        values = {"next": safe_next(next), "error": error, "name": name}
        return page(request, ctx, "login.html", operator=None, status_code=status, **values)
    limiter.succeeded(name)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_cookie(request, response, new_session(ctx, name))
    return response


@router.post("/logout")
def logout(request: Request, ctx: Ctx, operator: Annotated[str, Depends(checked_operator)]) -> Response:
    ctx.store.end_console_session(hash_secret(request.cookies.get(COOKIE, "")))
    response = RedirectResponse("/console/login?done=logged_out", status_code=303)
    response.delete_cookie(COOKIE, path=PATH)
    return response

"""Console sessions: a random id in an HttpOnly, SameSite=Strict cookie (Secure over HTTPS),
kept on the server only as its SHA-256, valid for one working day; and CSRF protection for
every form: a token derived from the session id (a page of another site can neither read the
cookie nor compute it) plus a check that the browser's Origin, when sent, is this server."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Form, Request
from starlette.responses import Response

from central.auth import hash_secret
from central.context import Central, central

COOKIE = "kiosk_console"
PATH = "/console"
LIFETIME = timedelta(hours=12)


class LoginRequired(Exception):
    """No valid session: the console answers with a redirect to its login page."""


class Forbidden(Exception):
    """A form without the right CSRF token, or from another origin."""


def new_session(ctx: Central, operator: str) -> str:
    """Start a session for `operator`; returns the cookie value (shown to no one else)."""
    token = secrets.token_urlsafe(32)
    now = ctx.clock()
    ctx.store.add_console_session(hash_secret(token), operator, now + LIFETIME, now)
    return token


def csrf_token(session: str) -> str:
    return hmac.new(session.encode(), b"console-csrf", hashlib.sha256).hexdigest()


def operator_of(request: Request, ctx: Central) -> str | None:
    session = request.cookies.get(COOKIE)
    if not session:
        return None
    return ctx.store.console_session_operator(hash_secret(session), ctx.clock())


def current_operator(request: Request, ctx: Annotated[Central, Depends(central)]) -> str:
    """The logged-in operator's name; `LoginRequired` otherwise."""
    name = operator_of(request, ctx)
    if name is None:
        raise LoginRequired()
    return name


def same_origin(request: Request) -> bool:
    """Browsers send Origin with every form POST; one naming another site is refused. Behind a
    reverse proxy that rewrites Host, X-Forwarded-Host names the public host (a form on another
    site cannot set that header, so accepting it gives an attacker nothing)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    hosts = {request.headers.get("host", ""), request.headers.get("x-forwarded-host", "")}
    return origin != "null" and origin.split("://", 1)[-1] in hosts - {""}


def checked_operator(
    request: Request,
    operator: Annotated[str, Depends(current_operator)],
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> str:
    """For POST forms: the operator, once the form's CSRF token and origin are right."""
    session = request.cookies.get(COOKIE, "")
    if not same_origin(request) or not hmac.compare_digest(csrf, csrf_token(session)):
        raise Forbidden()
    return operator


def set_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(LIFETIME.total_seconds()),
        path=PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )

"""Counter officers' sessions: as the console's (central/console/session.py) but their own cookie
on their own path, a shorter life (one shift), and per-site accounts. A random id in an
HttpOnly, SameSite=Strict cookie (Secure over HTTPS), kept on the server only as its SHA-256;
every POST carries a CSRF token derived from the session id (form field `csrf` or header
`X-CSRF-Token`) and must come from this origin."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from starlette.responses import Response

from central.auth import hash_secret
from central.calling.actions import calling_store
from central.console.session import same_origin
from central.context import Central, central
from central.store.calling import StaffSession

COOKIE = "kiosk_counter"
PATH = "/counter"
LIFETIME = timedelta(hours=10)


class CounterLoginRequired(Exception):
    """No valid session: pages redirect to the sign-in page, JSON calls get 401."""


class CounterForbidden(Exception):
    """A POST without the right CSRF token, or from another origin."""


def new_session(ctx: Central, site_id: str, name: str) -> str:
    token = secrets.token_urlsafe(32)
    now = ctx.clock()
    calling_store(ctx).add_staff_session(hash_secret(token), site_id, name, now + LIFETIME, now)
    return token


def csrf_token(session: str) -> str:
    return hmac.new(session.encode(), b"counter-csrf", hashlib.sha256).hexdigest()


def session_of(request: Request, ctx: Central) -> StaffSession | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    return calling_store(ctx).staff_session(hash_secret(token), ctx.clock())


# async: one read by primary key, cheaper than the thread-pool hop a plain def costs every
# press (as central/auth.py's current_device).
async def current_staff(request: Request, ctx: Annotated[Central, Depends(central)]) -> StaffSession:
    found = session_of(request, ctx)
    if found is None:
        raise CounterLoginRequired()
    return found


def check_post(request: Request, csrf: str) -> None:
    """Raise CounterForbidden unless the POST carries this session's token from this origin."""
    session = request.cookies.get(COOKIE, "")
    sent = csrf or request.headers.get("x-csrf-token", "")
    if not same_origin(request) or not hmac.compare_digest(sent, csrf_token(session)):
        raise CounterForbidden()


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

"""The counter page at /counter/: an officer signs in (per-site account), picks the counter and
its services, and presses call next, recall, no-show, call back, served, transfer, pause, close.
Every form carries a fresh idempotency key, so a double click or a resent form does one thing.
Forms answer with a redirect back to the page (with what happened); the same endpoint answers
JSON to `Accept: application/json` (the page's script, tests, the benchmark)."""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from central.api.enroll_limit import client_key
from central.api.queue import site_day
from central.auth import hash_secret
from central.calling import labels
from central.calling.actions import CallingContext, Press, calling_context, calling_store, layout_today, press
from central.calling.render import page
from central.calling.session import (
    COOKIE,
    PATH,
    CounterForbidden,
    check_post,
    csrf_token,
    current_staff,
    new_session,
    session_of,
    set_cookie,
)
from central.calling.views import call_view, counter_view, ticket_view
from central.console.login_limit import checked_login, wait_text
from central.console.passwords import verify_password
from central.console.session import same_origin
from central.context import Central, central
from central.store.calling import CallingRefused, StaffSession

router = APIRouter(prefix="/counter", include_in_schema=False)
Ctx = Annotated[Central, Depends(central)]
Staff = Annotated[StaffSession, Depends(current_staff)]
Calling = Annotated[CallingContext, Depends(calling_context)]
Text = Annotated[str, Form(max_length=200)]


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


@router.get("/login")
def login_page(request: Request, ctx: Ctx, site: str = "") -> Response:
    if session_of(request, ctx) is not None:
        return RedirectResponse("/counter/", status_code=303)
    sites = ctx.store.list_sites()
    return page("counter_login.html", sites=sites, site=site, name="", error="")


@router.post("/login")
def login(request: Request, ctx: Ctx, site: Text = "", name: Text = "", password: Text = "") -> Response:
    """Check the password (scrypt, on the thread pool), start a session of one shift."""
    if not same_origin(request):
        raise CounterForbidden()
    # Counted in the store before any password is checked, as console logins are
    # (central/console/login_limit.py): by (site/name, address) and by address.
    who, source = f"{site}/{name.strip()}", client_key(request.client.host if request.client else "?")
    staff = calling_store(ctx)
    ok, wait_s = checked_login(
        ctx.store,
        f"counter\0{who}",
        source,
        ctx.clock(),
        lambda: verify_password(password, staff.staff_password_hash(site, name.strip())),
    )
    if wait_s:
        error = f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {wait_text(wait_s)}."
        sites = ctx.store.list_sites()
        refused = page("counter_login.html", status_code=429, sites=sites, site=site, name=name, error=error)
        refused.headers["Retry-After"] = str(wait_s)
        return refused
    if not ok:
        sites = ctx.store.list_sites()
        error = "Sai đơn vị, tên đăng nhập hoặc mật khẩu."
        return page("counter_login.html", status_code=401, sites=sites, site=site, name=name, error=error)
    response = RedirectResponse("/counter/", status_code=303)
    set_cookie(request, response, new_session(ctx, site, name.strip()))
    return response


@router.post("/logout")
def logout(request: Request, ctx: Ctx, staff: Staff, csrf: Text = "") -> Response:
    check_post(request, csrf)
    calling_store(ctx).end_staff_session(hash_secret(request.cookies.get(COOKIE, "")))
    response = RedirectResponse("/counter/login", status_code=303)
    response.delete_cookie(COOKIE, path=PATH)
    return response


@router.get("/")
def counter_page(request: Request, ctx: Ctx, staff: Staff, calling: Calling) -> Response:
    csrf = csrf_token(request.cookies.get(COOKIE, ""))
    if staff.counter is None or request.query_params.get("seat"):
        return _seat_page(ctx, staff, csrf)
    view = counter_view(ctx, staff, calling.no_show_window_s)
    message = request.query_params.get("msg", "")[:200]
    error = labels.refusal(request.query_params["error"]) if request.query_params.get("error") else ""
    keys = {
        name: secrets.token_urlsafe(12)
        for name in ("next", "recall", "no_show", "served", "transfer", "mode")
    }
    return page("counter.html", view=view, csrf=csrf, keys=keys, message=message, error=error, new_key=_key)


def _key() -> str:
    return secrets.token_urlsafe(12)


def _seat_page(ctx: Central, staff: StaffSession, csrf: str) -> Response:
    site = ctx.store.get_site(staff.site_id)
    assert site is not None
    layout = layout_today(ctx, site, site_day(site, ctx.clock()))
    chosen = staff.counter or layout.counters[0]
    services = staff.services or layout.services_of(chosen)
    return page(
        "counter_seat.html",
        staff=staff,
        site=site,
        layout=layout,
        chosen=chosen,
        services=services,
        csrf=csrf,
    )


@router.post("/seat")
def seat(
    request: Request,
    ctx: Ctx,
    staff: Staff,
    calling: Calling,
    counter: Text = "",
    services: Annotated[list[str], Form(max_length=50)] = [],  # noqa: B006 - FastAPI copies defaults
    csrf: Text = "",
) -> Response:
    """The counter the officer sits at and the services it calls from; the counter opens."""
    check_post(request, csrf)
    site = ctx.store.get_site(staff.site_id)
    assert site is not None
    layout = layout_today(ctx, site, site_day(site, ctx.clock()))
    chosen = tuple(s for s in services if layout.service(s))
    if counter not in layout.counters or not chosen:
        return RedirectResponse("/counter/?seat=1&error=no_services", status_code=303)
    session_hash = hash_secret(request.cookies.get(COOKIE, ""))
    calling_store(ctx).seat_staff_session(session_hash, counter, chosen)
    seated = calling_store(ctx).staff_session(session_hash, ctx.clock())
    if seated is not None:  # sitting down opens the counter, with who and what: an audited event
        press(ctx, calling, seated, site, site_day(site, ctx.clock()), Press(_key(), "open"))
    return RedirectResponse("/counter/", status_code=303)


@router.post("/action")
def action(
    request: Request,
    ctx: Ctx,
    staff: Staff,
    calling: Calling,
    key: Text = "",
    action: Text = "",
    ticket: Text = "",
    to_service: Text = "",
    to_counter: Text = "",
    csrf: Text = "",
) -> Response:
    check_post(request, csrf)
    pressed = Press(key, action, ticket.strip().upper() or None, to_service or None, to_counter or None)
    try:
        site = ctx.store.get_site(staff.site_id)
        if site is None:
            raise CallingRefused("bad_request", "the site is gone")
        outcome = press(ctx, calling, staff, site, site_day(site, ctx.clock()), pressed)
    except CallingRefused as refused:
        if _wants_json(request):
            error = {"error": {"code": refused.code, "message": labels.refusal(refused.code)}}
            return JSONResponse(error, status_code=409)
        return RedirectResponse(f"/counter/?{urlencode({'error': refused.code})}", status_code=303)
    ticket_id = outcome.ticket.ticket if outcome.ticket else None
    if _wants_json(request):
        layout = layout_today(ctx, site, outcome.event.day)
        body: dict[str, Any] = {
            "event": call_view(outcome.event, layout),
            "ticket": ticket_view(outcome.ticket, layout, ctx.clock()) if outcome.ticket else None,
            "repeated": outcome.repeated,
        }
        return JSONResponse(body)
    return RedirectResponse(
        f"/counter/?{urlencode({'msg': labels.done(action, ticket_id)})}", status_code=303
    )


@router.get("/state.json")
def state(ctx: Ctx, staff: Staff, calling: Calling) -> dict[str, Any]:
    """What the page shows, for its script to refresh the waiting figures."""
    if staff.counter is None:
        return {"counter": None}
    return counter_view(ctx, staff, calling.no_show_window_s)

"""What a counter's button does, for the page and its JSON twin: check the press against the
site's layout, hand it to the store as one action (once per idempotency key), wake the displays."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from fastapi import Request

from central.calling.feed import CallFeed
from central.calling.layout import SiteLayout, site_layout
from central.context import Central
from central.store.calling import (
    ACTIONS,
    ActionOutcome,
    CallingRefused,
    CallingStore,
    CounterAction,
    StaffSession,
)
from central.store.contract import Site

LAYOUT_TTL_S = 2.0
_LAYOUTS: dict[tuple[int, Site, str], tuple[object, float, SiteLayout]] = {}
KEY = re.compile(r"^[A-Za-z0-9_-]{8,100}$")
TICKET = re.compile(r"^[A-Z]{1,2}[0-9]{1,4}$")


@dataclass
class CallingContext:
    """Kept on app.state.calling: the live feed and the calling options."""

    feed: CallFeed
    voice_pack: Path
    no_show_window_s: float = 600.0


@dataclass(frozen=True)
class Press:
    key: str
    action: str
    ticket: str | None = None
    to_service: str | None = None
    to_counter: str | None = None


def calling_store(ctx: Central) -> CallingStore:
    """The store's calling part (every store implements both protocols)."""
    return cast(CallingStore, ctx.store)


async def calling_context(request: Request) -> CallingContext:
    # async: no I/O, and a plain def would cost every request a thread-pool hop.
    found: CallingContext = request.app.state.calling
    return found


def layout_today(ctx: Central, site: Site, day: str) -> SiteLayout:
    """The site's layout with the services of today's tickets; kept for a few seconds (every
    press and every display's batch needs it, and it changes when an operator edits settings)."""
    key = (id(ctx.store), site, day)
    now = time.monotonic()
    cached = _LAYOUTS.get(key)
    if cached is not None and cached[0] is ctx.store and now - cached[1] < LAYOUT_TTL_S:
        return cached[2]
    layout = site_layout(ctx.store, site, calling_store(ctx).services_of_day(site.id, day))
    if len(_LAYOUTS) > 1000:
        _LAYOUTS.clear()
    _LAYOUTS[key] = (ctx.store, now, layout)
    return layout


def _check(press: Press, layout: SiteLayout, session: StaffSession) -> None:
    if press.action not in ACTIONS or not KEY.match(press.key):
        raise CallingRefused("bad_request", "unknown action or a malformed key")
    if press.ticket is not None and not TICKET.match(press.ticket):
        raise CallingRefused("ticket_unknown", "not a ticket number")
    if session.counter is None:
        raise CallingRefused("no_counter", "the officer has not picked a counter")
    if press.action == "transfer":
        if press.to_service and layout.service(press.to_service) is None:
            raise CallingRefused("unknown_service", f"no service {press.to_service}")
        if press.to_counter and press.to_counter not in layout.counters:
            raise CallingRefused("unknown_counter", f"no counter {press.to_counter}")


def press(
    ctx: Central, calling: CallingContext, session: StaffSession, site: Site, day: str, pressed: Press
) -> ActionOutcome:
    """Do what the officer pressed (at `site`, the session's); `CallingRefused` (nothing
    changed) otherwise."""
    layout = layout_today(ctx, site, day)
    _check(pressed, layout, session)
    assert session.counter is not None
    outcome = calling_store(ctx).counter_action(
        CounterAction(
            key=pressed.key,
            site_id=site.id,
            day=day,
            counter=session.counter,
            staff=session.name,
            action=pressed.action,  # type: ignore[arg-type]  # checked against ACTIONS above
            at=ctx.clock(),
            services=session.services,
            ticket=pressed.ticket,
            to_service=pressed.to_service or None,
            to_counter=pressed.to_counter or None,
            no_show_window_s=calling.no_show_window_s,
        )
    )
    if not outcome.repeated:
        calling.feed.poke(site.id)
    return outcome

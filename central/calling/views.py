"""What the counter page, the display and the phone page show, as plain dicts (the pages render
them, their JSON twins send them as they are)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from central.api.queue import site_day
from central.calling import labels
from central.calling.actions import calling_store, layout_today
from central.calling.layout import SiteLayout
from central.calling.status import people_ahead, service_figures
from central.context import Central
from central.store.calling import CallEvent, CallingTicket, StaffSession
from central.store.contract import Site

RECENT = 8


def ticket_view(ticket: CallingTicket, layout: SiteLayout, now: datetime) -> dict[str, Any]:
    issued = datetime.fromisoformat(ticket.issued_at)
    until = ticket.called_at or now
    return {
        "ticket": ticket.ticket,
        "service": ticket.queue_service,
        "service_name": layout.name_of(ticket.queue_service),
        "priority": ticket.priority,
        "priority_label": labels.PRIORITY.get(ticket.priority or "", ""),
        "state": ticket.state,
        "state_label": labels.STATES[ticket.state],
        "issued_at": ticket.issued_at,
        "called_at": ticket.called_at.isoformat() if ticket.called_at else None,
        "waited_s": max(0, int((until - issued).total_seconds())),
        "counter": ticket.counter,
        "calls": ticket.calls,
    }


def call_view(event: CallEvent, layout: SiteLayout) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "action": event.action,
        "ticket": event.ticket,
        "counter": event.counter,
        "service": event.service,
        "service_name": layout.name_of(event.service) if event.service else "",
        "priority": event.data.get("priority"),
        "at": event.at.isoformat(),
        "announce": event.action in ("call_next", "recall", "call_back") and event.ticket is not None,
    }


def counter_view(ctx: Central, session: StaffSession, no_show_window_s: float) -> dict[str, Any]:
    site = ctx.store.get_site(session.site_id)
    assert site is not None
    now = ctx.clock()
    day = site_day(site, now)
    store = calling_store(ctx)
    tickets = store.calling_tickets(site.id, day)
    layout = layout_today(ctx, site, day)
    mine = [t for t in tickets if t.state == "called" and t.counter == session.counter]
    current = max(mine, key=lambda t: t.called_at or now, default=None)
    no_shows = [
        ticket_view(t, layout, now)
        for t in tickets
        if t.state == "no_show"
        and t.finished_at is not None
        and (now - t.finished_at).total_seconds() <= no_show_window_s
        and (t.counter == session.counter or t.queue_service in session.services)
    ]
    state = next((c for c in store.counter_states(site.id) if c.counter == session.counter), None)
    return {
        "site": {"id": site.id, "name": site.name, "timezone": site.timezone},
        "staff": session.name,
        "role": session.role,
        "counter": session.counter,
        "mode": state.mode if state else "open",
        "services": [{"id": s, "name": layout.name_of(s)} for s in session.services],
        "current": ticket_view(current, layout, now) if current else None,
        "waiting": [
            {**service_figures(tickets, s.id), "name": s.name, "mine": s.id in session.services}
            for s in layout.services
        ],
        "no_shows": no_shows,
        "recent": [call_view(e, layout) for e in store.recent_calls(site.id, day, RECENT, session.counter)],
        "all_services": [{"id": s.id, "name": s.name} for s in layout.services],
        "all_counters": list(layout.counters),
    }


def display_view(ctx: Central, site: Site) -> dict[str, Any]:
    now = ctx.clock()
    day = site_day(site, now)
    store = calling_store(ctx)
    tickets = store.calling_tickets(site.id, day)
    layout = layout_today(ctx, site, day)
    return {
        "site": {"id": site.id, "name": site.name, "timezone": site.timezone},
        "header": layout.header,
        "notices": list(layout.notices),
        "seq": store.last_calling_seq(site.id),
        "calls": [call_view(e, layout) for e in store.recent_calls(site.id, day, RECENT)],
        "services": [{**service_figures(tickets, s.id), "name": s.name} for s in layout.services],
        "at": now.isoformat(timespec="seconds"),
    }


def phone_view(ctx: Central, site: Site, day: str, ticket: CallingTicket) -> dict[str, Any]:
    """Nothing personal: the ticket, its service and counter, the queue in front of it."""
    now = ctx.clock()
    store = calling_store(ctx)
    tickets = store.calling_tickets(site.id, day)
    layout = layout_today(ctx, site, day)
    current = next((t for t in tickets if t.ticket == ticket.ticket), ticket)
    figures = service_figures(tickets, current.queue_service)
    return {
        "site": {"id": site.id, "name": site.name, "timezone": site.timezone},
        "day": day,
        "today": day == site_day(site, now),
        "ticket": ticket_view(current, layout, now),
        "ahead": people_ahead(tickets, current),
        "serving": figures["serving"],
        "avg_service_s": figures["avg_service_s"],
        "seq": store.last_calling_seq(site.id),
        "at": now.isoformat(timespec="seconds"),
    }

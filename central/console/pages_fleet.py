"""The fleet table and one kiosk's page, with the commands an operator can queue."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from central.console import fleet, labels
from central.console.render import HEADERS, page
from central.console.session import checked_operator, current_operator
from central.context import Central, central
from central.store.contract import StoredEvent

router = APIRouter()
Ctx = Annotated[Central, Depends(central)]
Operator = Annotated[str, Depends(current_operator)]
Checked = Annotated[str, Depends(checked_operator)]
DeviceId = Annotated[str, Path(min_length=1, max_length=100)]
_TICKET = re.compile(r"^[A-Z]{1,2}\d{1,4}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def offline_after(ctx: Central) -> timedelta:
    return timedelta(seconds=ctx.offline_after_s)


@router.get("/", response_class=HTMLResponse)
def fleet_page(
    request: Request,
    ctx: Ctx,
    operator: Operator,
    q: Annotated[str, Query(max_length=100)] = "",
    site: Annotated[str, Query(max_length=100)] = "",
    state: Annotated[str, Query(max_length=20)] = "",
    version: Annotated[str, Query(max_length=50)] = "",
    sort: Annotated[str, Query(max_length=20)] = "severity",
    dir: Annotated[str, Query(max_length=4)] = "asc",
) -> Response:
    """Every kiosk at a glance, worst first; filters and sorting are plain query parameters."""
    rows = fleet.fleet_rows(ctx.store, ctx.clock(), offline_after(ctx))
    filters = fleet.Filters(
        q, site, state, version, sort if sort in fleet.SORT_KEYS else "severity", dir == "desc"
    )
    shown = fleet.select(rows, filters)
    return page(
        request,
        ctx,
        "fleet.html",
        operator=operator,
        section="fleet",
        rows=shown,
        summary=fleet.summary(rows),
        filters=filters,
        sites=ctx.store.list_sites(),
        versions=sorted({r.version for r in rows if r.version}),
        window_s=int(ctx.offline_after_s),
    )


def event_summary(event: StoredEvent) -> str:
    """One line about an event for the kiosk's page."""
    d = event.data
    if event.type == "ticket.issued":
        return f"{d.get('ticket', '')} — dịch vụ {d.get('service', '')}" + (
            " (ưu tiên)" if d.get("priority") else ""
        )
    if event.type.startswith("ticket."):
        reason = d.get("reason")
        return f"{d.get('ticket', '')}" + (f" — {labels.PRINTER.get(reason, reason)}" if reason else "")
    if event.type == "printer.status":
        state = labels.PRINTER.get(d.get("state"), str(d.get("state")))
        detail = d.get("detail")
        return f"{state} — {detail}" if detail and detail != state else state
    if event.type == "rating.submitted":
        return labels.RATINGS.get(d.get("score"), str(d.get("score")))  # type: ignore[arg-type]
    if event.type == "command.done":
        outcome = "xong" if d.get("ok") else "thất bại"
        return f"{outcome}" + (f" — {d['detail']}" if d.get("detail") else "")
    if event.type == "update.result":
        outcome = "thành công" if d.get("ok") else f"thất bại ở bước {d.get('stage', '?')}"
        detail = f" — {d['detail']}" if d.get("detail") else ""
        return f"{d.get('from') or '?'} → {d.get('to', '?')}: {outcome}{detail}"
    return str(d.get("detail", ""))


@router.get("/kiosks/{device_id}", response_class=HTMLResponse)
def kiosk_page(request: Request, device_id: DeviceId, ctx: Ctx, operator: Operator) -> Response:
    return _kiosk(request, ctx, operator, device_id, error="")


def _kiosk(request: Request, ctx: Central, operator: str, device_id: str, error: str) -> Response:
    device = ctx.store.get_device(device_id)
    if device is None:
        return page(
            request, ctx, "missing.html", operator=operator, status_code=404, what=f"kiosk {device_id}"
        )
    site = ctx.store.get_site(device.site_id)
    rows = [
        r for r in fleet.fleet_rows(ctx.store, ctx.clock(), offline_after(ctx)) if r.device_id == device.id
    ]
    events = [(e, event_summary(e)) for e in ctx.store.recent_events(device.id, 50)]
    commands = list(reversed(ctx.store.list_commands(device.id)))[:30]
    values: dict[str, Any] = {"row": rows[0], "device": device, "site": site, "events": events}
    values.update(commands=commands, heartbeat=device.last_heartbeat or {}, error=error)
    values.update(commands_by_id={c.id: c for c in commands})  # which request a log upload answers
    values.update(logs=ctx.store.list_logs(device.id))
    status = 422 if error else 200
    return page(request, ctx, "kiosk.html", operator=operator, section="fleet", status_code=status, **values)


@router.get("/kiosks/{device_id}/logs/{log_id}", response_class=PlainTextResponse)
def kiosk_logs(
    request: Request,
    device_id: DeviceId,
    log_id: Annotated[str, Path(min_length=1, max_length=64)],
    ctx: Ctx,
    operator: Operator,
) -> Response:
    """Logs a kiosk sent, as plain text (the browser shows it; save it to keep it)."""
    upload = ctx.store.get_logs(device_id, log_id)
    if upload is None:
        return page(request, ctx, "missing.html", operator=operator, status_code=404, what=f"log {log_id}")
    name = f"{device_id}-{upload.received_at:%Y%m%d-%H%M%S}.log"
    headers = {**HEADERS, "Content-Disposition": f'inline; filename="{name}"'}
    return PlainTextResponse(upload.text, headers=headers)


@router.post("/kiosks/{device_id}/commands", response_class=HTMLResponse)
def queue_command(
    request: Request,
    device_id: DeviceId,
    ctx: Ctx,
    operator: Checked,
    type: Annotated[str, Form(max_length=50)],
    ticket: Annotated[str, Form(max_length=20)] = "",
    day: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Queue a command; it rides on the kiosk's heartbeat answers until acknowledged."""
    if ctx.store.get_device(device_id) is None:
        return _kiosk(request, ctx, operator, device_id, error="")
    args: dict[str, Any] = {}
    error = "" if type in labels.COMMANDS else "Lệnh không hợp lệ."
    if type == "reprint_ticket":
        ticket, day = ticket.strip().upper(), day.strip()
        if not _TICKET.match(ticket):
            error = "Số vé phải gồm chữ cái dịch vụ và số, ví dụ A012."
        elif day and not _DAY.match(day):
            error = "Ngày phải có dạng YYYY-MM-DD."
        args = {"ticket": ticket, **({"day": day} if day else {})}
    if error:
        return _kiosk(request, ctx, operator, device_id, error=error)
    ctx.store.add_command(device_id, type, args, ctx.clock())
    return RedirectResponse(f"/console/kiosks/{device_id}?done=command", status_code=303)

"""The lobby display (/display/SITE), what it reads (the state as JSON, the calls as server-sent
events or by polling) and the announcements it plays (one WAV per call, built from the voice
pack). Public on purpose: it shows what the lobby's TV shows to everyone, numbers and counters."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import Response, StreamingResponse

from central.api.models import ErrorBody
from central.api.queue import site_day
from central.calling.actions import TICKET, CallingContext, calling_context, calling_store, layout_today
from central.calling.render import page
from central.calling.views import call_view, display_view
from central.calling.voice.builder import announcement
from central.calling.voice.pack import VoicePackError, check_pack, render, silence
from central.context import Central, central
from central.errors import ApiError
from central.store.contract import Site

router = APIRouter()
Ctx = Annotated[Central, Depends(central)]
Calling = Annotated[CallingContext, Depends(calling_context)]
SiteId = Annotated[str, Path(min_length=1, max_length=100)]
KEEP_ALIVE_S = 15.0
_404: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody}, 422: {"model": ErrorBody}}


def _site(ctx: Central, site_id: str) -> Site:
    site = ctx.store.get_site(site_id)
    if site is None:
        raise ApiError(404, "site_unknown", "no such site")
    return site


@router.get("/display/{site_id}", include_in_schema=False)
def display_page(
    site_id: SiteId,
    ctx: Ctx,
    calling: Calling,
    repeat: Annotated[int, Query(ge=1, le=3)] = 1,
    volume: Annotated[float, Query(ge=0.0, le=1.0)] = 1.0,
    sound: Annotated[bool, Query()] = True,
) -> Response:
    """The TV page; `repeat` (times each call is said), `volume` (0–1) and `sound` go in its URL."""
    site = _site(ctx, site_id)
    voice_ok = sound and not check_pack(calling.voice_pack)
    settings = {"site": site.id, "repeat": repeat, "volume": volume, "sound": sound, "voice": voice_ok}
    return page("display.html", site=site, state=display_view(ctx, site), settings=json.dumps(settings))


@router.get("/api/v1/calling/sites/{site_id}/display", tags=["calling"], responses=_404)
def display_state(site_id: SiteId, ctx: Ctx) -> dict[str, Any]:
    """What the lobby display shows: the latest calls, waiting per service, notices, and `seq`,
    the last counter action's number (follow on with `events?after=seq`)."""
    return display_view(ctx, _site(ctx, site_id))


@router.get("/api/v1/calling/sites/{site_id}/calls", tags=["calling"], responses=_404)
def calls_after(
    site_id: SiteId, ctx: Ctx, after: Annotated[int, Query(ge=0, le=2**53)] = 0
) -> dict[str, Any]:
    """Counter actions after `after` (at most 100), for displays that cannot hold a stream open."""
    site = _site(ctx, site_id)
    events = calling_store(ctx).calling_events(site.id, after, 100)
    layout = layout_today(ctx, site, site_day(site, ctx.clock()))
    return {"events": [call_view(e, layout) for e in events], "seq": events[-1].seq if events else after}


@router.get("/api/v1/calling/sites/{site_id}/events", include_in_schema=False)
async def call_stream(
    site_id: SiteId,
    request: Request,
    ctx: Ctx,
    calling: Calling,
    after: Annotated[int, Query(ge=0, le=2**53)] = 0,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """Server-sent events: `call` for each counter action (id = its seq), `reload` when the
    listener missed too much to catch up, comments to keep the connection open."""
    site = await asyncio.to_thread(_site, ctx, site_id)
    start = int(last_event_id) if last_event_id and last_event_id.isdigit() else after
    return StreamingResponse(
        _stream(request, ctx, calling, site, start),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _stream(
    request: Request, ctx: Central, calling: CallingContext, site: Site, seq: int
) -> AsyncIterator[str]:
    yield "retry: 1000\n\n"
    while not await request.is_disconnected():
        found = await calling.feed.listen(site.id, seq, KEEP_ALIVE_S)
        if found is None:
            seq = await asyncio.to_thread(calling_store(ctx).last_calling_seq, site.id)
            yield f"id: {seq}\nevent: reload\ndata: {{}}\n\n"
            continue
        if not found:
            yield ": still here\n\n"
            continue
        layout = await asyncio.to_thread(layout_today, ctx, site, site_day(site, ctx.clock()))
        for event in found:
            data = json.dumps(call_view(event, layout), ensure_ascii=False)
            yield f"id: {event.seq}\nevent: call\ndata: {data}\n\n"
            seq = event.seq


@router.get("/calling/voice/announce.wav", include_in_schema=False)
def announce(
    calling: Calling,
    ticket: Annotated[str, Query(max_length=10)],
    counter: Annotated[str, Query(min_length=1, max_length=10, pattern=r"^[A-Za-z0-9]+$")],
    priority: bool = False,
) -> Response:
    """One call as a WAV: chime, phrase, the ticket, the counter (cached by the browser)."""
    if not TICKET.match(ticket):
        raise ApiError(422, "invalid_ticket", "not a ticket number")
    try:
        audio = render(calling.voice_pack, announcement(ticket, counter, priority))
    except VoicePackError as exc:
        raise ApiError(503, "voice_pack_broken", str(exc)) from exc
    return Response(audio, media_type="audio/wav", headers={"Cache-Control": "public, max-age=86400"})


@router.get("/calling/voice/check.wav", include_in_schema=False)
def sound_check(calling: Calling) -> Response:
    """A quarter second of silence in the pack's format, played by the display on opening: can
    this browser fetch, decode and play the announcements (and may it, under its autoplay policy)?"""
    cache = {"Cache-Control": "public, max-age=86400"}
    return Response(silence(calling.voice_pack), media_type="audio/wav", headers=cache)

"""The endpoints kiosks call (docs/protocol.md). Plain `def` endpoints run on FastAPI's thread
pool, so a slow store call (a full catalogue, a batch of events) never stalls other kiosks.
The heartbeat is the exception: it is the most frequent call by far and its store work is one
call. On SQLite (a few indexed reads and one unsynced write) that call is cheaper than the hop
to the thread pool, so it runs on the event loop; on PostgreSQL (one statement, but a round trip
the loop would sit out) it goes to the pool, so other kiosks are answered meanwhile
(`python -m bench stores`: one instance 358 → 558 heartbeats/s)."""

from __future__ import annotations

from importlib import metadata
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

import central
from central.api import catalogue, device_config
from central.api.dossiers import public_view
from central.api.enroll_limit import client_key, enroll_limit
from central.api.events import Rejected, check_event
from central.api.models import (
    BODY_ERRORS,
    MAX_INT,
    CatalogueAnswer,
    ConfigAnswer,
    DossierAnswer,
    EnrollAnswer,
    EnrollRequest,
    ErrorBody,
    EventsAnswer,
    EventsRequest,
    Health,
    HeartbeatAnswer,
    HeartbeatRequest,
    LogsAnswer,
    LogsRequest,
    QueueAnswer,
)
from central.api.queue import configured_services, site_day
from central.auth import (
    current_device,
    device_token_hash,
    hash_secret,
    new_token,
    normalise_code,
    unknown_device,
)
from central.calling.actions import calling_store
from central.calling.status import queue_answer
from central.context import Central
from central.context import central as get_central
from central.errors import ApiError, log
from central.fleet import rollouts
from central.fleet.offer import release_for_device
from central.store import contract as storage
from central.store.contract import EnrollmentRefused, IncomingEvent

router = APIRouter(prefix="/api/v1", tags=["device"])
Ctx = Annotated[Central, Depends(get_central)]
Dev = Annotated[storage.Device, Depends(current_device)]
_401: dict[int | str, dict[str, Any]] = {401: {"model": ErrorBody}, 422: {"model": ErrorBody}}
_304: dict[int | str, dict[str, Any]] = {304: {"description": "not modified since the ETag sent"}}


def _version() -> str:
    try:
        return metadata.version("kiosk")
    except metadata.PackageNotFoundError:
        return central.__version__


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison (RFC 9110): W/"x" matches "x"; * matches anything."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    return any(
        tag.strip() == "*" or tag.strip().removeprefix("W/") == wanted for tag in if_none_match.split(",")
    )


@router.get("/health", response_model=Health)
def health() -> dict[str, str]:
    """Up and answering; no credentials needed."""
    return {"status": "ok", "version": _version()}


@router.post(
    "/enroll",
    status_code=201,
    response_model=EnrollAnswer,
    responses={
        404: {"model": ErrorBody},
        410: {"model": ErrorBody},
        429: {"model": ErrorBody},
        **BODY_ERRORS,
    },
)
def enroll(body: EnrollRequest, ctx: Ctx, request: Request) -> dict[str, Any]:
    """Trade a single-use enrollment code for a device token. Too many wrong codes from one
    address answer 429 for a while (central/api/enroll_limit.py)."""
    address = client_key(request.client.host if request.client else "?")
    verdict = ctx.store.begin_attempt([enroll_limit(address)], ctx.clock())
    if verdict.attempt is None:
        wait = verdict.retry_after_s
        log.warning("enrolment from %s refused: too many wrong codes", address)
        raise ApiError(
            429,
            "too_many_attempts",
            f"too many wrong enrollment codes; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    token = new_token()
    try:
        device = ctx.store.enroll(
            hash_secret(normalise_code(body.enrollment_code)),
            body.hardware_id,
            body.app_version,
            hash_secret(token),
            ctx.clock(),
        )
    except EnrollmentRefused as exc:  # the attempt stays counted as a failure
        ctx.store.end_attempt(verdict.attempt, False, [])
        if exc.reason == "unknown":
            raise ApiError(404, "enrollment_code_unknown", "no such enrollment code") from None
        raise ApiError(
            410,
            f"enrollment_code_{exc.reason}",
            f"the enrollment code is {exc.reason}; ask the operator for a new one",
        ) from None
    ctx.store.end_attempt(verdict.attempt, True, [])
    site = ctx.store.get_site(device.site_id)
    assert site is not None  # codes reference their site
    return {
        "device_id": device.id,
        "token": token,
        "site": {"id": site.id, "name": site.name, "timezone": site.timezone},
    }


@router.get(
    "/catalogue",
    response_model=CatalogueAnswer,
    responses={**_304, **_401, 404: {"model": ErrorBody}},
)
def get_catalogue(
    request: Request,
    ctx: Ctx,
    device: Dev,
    since: Annotated[int | None, Query(ge=0, le=MAX_INT)] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The catalogue: a delta since the kiosk's version when possible, else in full."""
    answer = catalogue.answer_body(ctx, since)
    if answer is None:
        raise ApiError(404, "catalogue_unpublished", "no catalogue has been published yet")
    body, version, full = answer
    headers = {"ETag": catalogue.etag_of(version), "Vary": "Accept-Encoding"}
    if etag_matches(if_none_match, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", "") and len(body) > 1024:
        body = catalogue.gzipped(ctx, body, version, full)
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type="application/json", headers=headers)


@router.post("/events", response_model=EventsAnswer, responses={**_401, **BODY_ERRORS})
def post_events(body: EventsRequest, ctx: Ctx, device: Dev) -> dict[str, Any]:
    """Store each event once per kiosk; answer which ids are stored and which are refused, and
    why (an invalid event, an id this kiosk used for another event, another kiosk's ticket)."""
    valid: list[IncomingEvent] = []
    rejected: list[dict[str, str]] = []
    for event in body.events:
        try:
            valid.append(check_event(event))
        except Rejected as exc:
            rejected.append({"id": event.id, "reason": str(exc)})
    added = ctx.store.add_events(device, valid, ctx.clock())
    rejected += [{"id": id, "reason": reason} for id, reason in added.refused.items()]
    if any(e.type == "update.result" for e in valid):
        rollouts.review(ctx.store, ctx.clock())  # a failed share past the threshold halts it
    accepted = (e.id for e in valid if e.id not in added.refused)
    return {"accepted": list(dict.fromkeys(accepted)), "rejected": rejected}


@router.post("/heartbeat", response_model=HeartbeatAnswer, responses={**_401, **BODY_ERRORS})
async def heartbeat(
    body: HeartbeatRequest, ctx: Ctx, token_hash: Annotated[str, Depends(device_token_hash)]
) -> dict[str, Any]:
    """Record the kiosk's health; answer what it should fetch and the commands it owes."""
    # async on purpose (see the module docstring): on SQLite twice the heartbeats per second.
    report = body.model_dump(mode="json")
    # One store call finds the device by its token, records and reads (PostgreSQL: one statement).
    if ctx.store.over_network:
        found = await run_in_threadpool(ctx.store.heartbeat, token_hash, report, ctx.clock())
    else:
        found = ctx.store.heartbeat(token_hash, report, ctx.clock())
    if found is None:
        raise unknown_device()
    device, view = found
    release = release_for_device(ctx, device, report, view)
    return {
        "config_version": view.config_version,
        "catalogue_version": view.catalogue_version,
        "release": None
        if release is None
        else {
            "version": release,
            "manifest_url": f"/api/v1/releases/{release}/manifest",
        },
        "commands": [{"id": c.id, "type": c.type, "args": c.args} for c in view.commands],
    }


@router.post("/logs", status_code=201, response_model=LogsAnswer, responses={**_401, **BODY_ERRORS})
def post_logs(body: LogsRequest, ctx: Ctx, device: Dev) -> dict[str, Any]:
    """Keep the logs a kiosk sent for an operator (the upload_logs command)."""
    upload = ctx.store.add_logs(device.id, body.command, body.text, body.lines, ctx.clock())
    log.info("logs from %s: %d lines, %d bytes", device.id, upload.lines, upload.size)
    return {"id": upload.id}


@router.get("/config", response_model=ConfigAnswer, responses={**_304, **_401})
def get_config(ctx: Ctx, device: Dev, if_none_match: Annotated[str | None, Header()] = None) -> Any:
    """The settings the server sets for this kiosk (its site's, then its own)."""
    version, settings = device_config.effective_config(ctx.store, device)
    etag = device_config.etag_of(version)
    if etag_matches(if_none_match, etag):
        return Response(status_code=304, headers={"ETag": etag})
    return JSONResponse({"version": version, "settings": settings}, headers={"ETag": etag})


@router.get("/queue", response_model=QueueAnswer, responses=_401)
def get_queue(ctx: Ctx, device: Dev) -> dict[str, Any]:
    """People waiting and the ticket being served per service at the kiosk's site, now."""
    site = ctx.store.get_site(device.site_id)
    assert site is not None
    now = ctx.clock()
    _, settings = device_config.effective_config(ctx.store, device)
    # The calling state (central/calling/status.py): transfers, no-shows and served tickets.
    tickets = calling_store(ctx).calling_tickets(site.id, site_day(site, now))
    local_now = now.astimezone(ZoneInfo(site.timezone))
    return queue_answer(tickets, configured_services(settings), local_now)


@router.get(
    "/dossiers/{code}",
    response_model=DossierAnswer,
    responses={**_401, 404: {"model": ErrorBody}, 503: {"model": ErrorBody}},
)
def get_dossier(
    code: Annotated[str, Path(min_length=1, max_length=100)], ctx: Ctx, device: Dev
) -> dict[str, Any]:
    """A dossier's status by the code on its receipt, the applicant's name masked."""
    try:
        record = ctx.dossiers.lookup(code)
    except Exception as exc:  # a province's adapter failing must not look like "unknown"
        log.exception("dossier source failed for a lookup")
        raise ApiError(
            503,
            "dossier_source_unavailable",
            "the dossier system does not answer",
            headers={"Retry-After": "30"},
        ) from exc
    if record is None:
        raise ApiError(404, "dossier_unknown", "no dossier with this code")
    return public_view(record, ctx.clock())

"""The admin API: what operators and the fleet console use, with operator tokens (never device
tokens). JSON only; every change the console makes goes through here."""

from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Depends, Path, Query

from central.admin.models import (
    SITE_ID,
    CallAnswer,
    CallRequest,
    CatalogueDocument,
    CommandRequest,
    CommandView,
    ConfigVersion,
    DeviceView,
    DossierImport,
    EnrollmentCode,
    EnrollmentCodeRequest,
    EventPage,
    ImportAnswer,
    PublishAnswer,
    SettingsIn,
    SiteIn,
)
from central.api import catalogue
from central.api.dossiers import DossierImportError, check_rows
from central.api.models import BODY_ERRORS, MAX_INT, ErrorBody, SiteInfo
from central.api.queue import site_day
from central.auth import current_admin, issue_enrollment_code
from central.context import Central, central
from central.errors import ApiError
from central.store.contract import Command, Device, Site, UnknownSite, VersionConflict

router = APIRouter(prefix="/api/v1/admin", tags=["admin"], dependencies=[Depends(current_admin)])
Ctx = Annotated[Central, Depends(central)]
SiteId = Annotated[str, Path(pattern=SITE_ID)]
DeviceId = Annotated[str, Path(min_length=1, max_length=100)]
_E: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody},
    404: {"model": ErrorBody},
    422: {"model": ErrorBody},
}
_B = {**_E, **BODY_ERRORS}  # operations that read a body


def _device_view(ctx: Central, device: Device) -> dict[str, Any]:
    return {
        "id": device.id,
        "site_id": device.site_id,
        "hardware_id": device.hardware_id,
        "enrolled_at": device.enrolled_at.isoformat(),
        "revoked": device.revoked_at is not None,
        "app_version": device.app_version,
        "last_seen_at": device.last_seen_at.isoformat() if device.last_seen_at else None,
        "last_heartbeat": device.last_heartbeat,
        "pending_commands": len(ctx.store.pending_commands(device.id)),
    }


def _command_view(c: Command) -> dict[str, Any]:
    return {
        "id": c.id,
        "type": c.type,
        "args": c.args,
        "created_at": c.created_at.isoformat(),
        "done_at": c.done_at.isoformat() if c.done_at else None,
        "ok": c.ok,
        "detail": c.detail,
    }


def _site(ctx: Central, site_id: str) -> Site:
    site = ctx.store.get_site(site_id)
    if site is None:
        raise ApiError(404, "site_unknown", f"no site {site_id!r}")
    return site


def _device(ctx: Central, device_id: str) -> Device:
    device = ctx.store.get_device(device_id)
    if device is None:
        raise ApiError(404, "device_unknown", f"no device {device_id!r}")
    return device


@router.get("/sites", response_model=list[SiteInfo], responses=_E)
def list_sites(ctx: Ctx) -> list[dict[str, str]]:
    return [{"id": s.id, "name": s.name, "timezone": s.timezone} for s in ctx.store.list_sites()]


@router.put("/sites/{site_id}", response_model=SiteInfo, responses=_B)
def put_site(site_id: SiteId, body: SiteIn, ctx: Ctx) -> dict[str, str]:
    """Create or rename a site (an office with one or more kiosks)."""
    try:
        ZoneInfo(body.timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ApiError(422, "invalid_request", f"timezone: {body.timezone!r} is not a timezone") from None
    ctx.store.put_site(Site(site_id, body.name, body.timezone))
    return {"id": site_id, "name": body.name, "timezone": body.timezone}


@router.put("/sites/{site_id}/config", response_model=ConfigVersion, responses=_B)
def put_site_config(site_id: SiteId, body: SettingsIn, ctx: Ctx) -> dict[str, int]:
    """Replace the settings pushed to every kiosk of a site; answers the new version."""
    _site(ctx, site_id)
    return {"version": ctx.store.set_config("site", site_id, body.settings)}


@router.put("/devices/{device_id}/config", response_model=ConfigVersion, responses=_B)
def put_device_config(device_id: DeviceId, body: SettingsIn, ctx: Ctx) -> dict[str, int]:
    """Replace one kiosk's own settings (they win over its site's)."""
    _device(ctx, device_id)
    try:
        return {"version": ctx.store.set_config("device", device_id, body.settings)}
    except UnknownSite:
        raise ApiError(404, "device_unknown", f"no device {device_id!r}") from None


@router.post("/enrollment-codes", status_code=201, response_model=EnrollmentCode, responses=_B)
def create_enrollment_code(body: EnrollmentCodeRequest, ctx: Ctx) -> dict[str, str]:
    """A single-use code a technician types on a new kiosk (`kiosk enroll CODE`)."""
    _site(ctx, body.site)
    code, expires = issue_enrollment_code(ctx.store, body.site, body.ttl_s, ctx.clock())
    return {"code": code, "site": body.site, "expires_at": expires.isoformat(timespec="seconds")}


@router.get("/devices", response_model=list[DeviceView], responses=_E)
def list_devices(
    ctx: Ctx, site: Annotated[str | None, Query(pattern=SITE_ID)] = None
) -> list[dict[str, Any]]:
    """The fleet: each kiosk's last heartbeat, version and backlog."""
    return [_device_view(ctx, d) for d in ctx.store.list_devices(site)]


@router.get("/devices/{device_id}", response_model=DeviceView, responses=_E)
def get_device(device_id: DeviceId, ctx: Ctx) -> dict[str, Any]:
    return _device_view(ctx, _device(ctx, device_id))


@router.post("/devices/{device_id}/revoke", response_model=DeviceView, responses=_E)
def revoke_device(device_id: DeviceId, ctx: Ctx) -> dict[str, Any]:
    """Invalidate the kiosk's token; it answers 401 until enrolled again."""
    _device(ctx, device_id)
    ctx.store.revoke_device(device_id, ctx.clock())
    return _device_view(ctx, _device(ctx, device_id))


@router.post("/devices/{device_id}/commands", status_code=201, response_model=CommandView, responses=_B)
def queue_command(device_id: DeviceId, body: CommandRequest, ctx: Ctx) -> dict[str, Any]:
    """Queue a command; it rides on every heartbeat answer until the kiosk acknowledges it."""
    _device(ctx, device_id)
    return _command_view(ctx.store.add_command(device_id, body.type, body.args, ctx.clock()))


@router.get("/devices/{device_id}/commands", response_model=list[CommandView], responses=_E)
def list_commands(device_id: DeviceId, ctx: Ctx) -> list[dict[str, Any]]:
    _device(ctx, device_id)
    return [_command_view(c) for c in ctx.store.list_commands(device_id)]


@router.post(
    "/catalogue",
    status_code=201,
    response_model=PublishAnswer,
    responses={**_B, 409: {"model": ErrorBody}},
)
def publish_catalogue(body: CatalogueDocument, ctx: Ctx) -> dict[str, int]:
    """Publish a catalogue document as a new version; kiosks fetch it as a delta."""
    try:
        outcome = catalogue.publish(ctx.store, body.model_dump(mode="json"), ctx.clock())
    except catalogue.InvalidCatalogue as exc:
        raise ApiError(
            422,
            "invalid_catalogue",
            str(exc),
            details=[{"path": p, "problem": m} for p, m in exc.problems[:200]],
        ) from None
    except VersionConflict as exc:
        raise ApiError(409, "catalogue_version_conflict", str(exc)) from None
    return vars(outcome)


@router.post("/dossiers", response_model=ImportAnswer, responses=_B)
def import_dossiers(body: DossierImport, ctx: Ctx) -> dict[str, int]:
    """Import dossier statuses (the default dossier source); `replace` drops the old ones."""
    try:
        records = check_rows([d.model_dump() for d in body.dossiers])
    except DossierImportError as exc:
        raise ApiError(
            422,
            "invalid_dossiers",
            str(exc),
            details=[{"path": w, "problem": p} for w, p in exc.errors[:200]],
        ) from None
    return {"imported": ctx.store.import_dossiers(records, body.replace, ctx.clock())}


@router.post("/sites/{site_id}/queue/call", response_model=CallAnswer, responses=_B)
def call_next(site_id: SiteId, body: CallRequest, ctx: Ctx) -> dict[str, Any]:
    """A counter calls the next ticket of a service, priority tickets first (null: none wait)."""
    site = _site(ctx, site_id)
    now = ctx.clock()
    called = ctx.store.call_next(site.id, site_day(site, now), body.service, body.counter, now)
    return {
        "ticket": called.ticket if called else None,
        "service": body.service,
        "counter": body.counter,
    }


@router.get("/events", response_model=EventPage, responses=_E)
def list_events(
    ctx: Ctx,
    device: Annotated[str | None, Query(max_length=100)] = None,
    type: Annotated[str | None, Query(max_length=100)] = None,
    after: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Stored events in arrival order, a page at a time (pass `next_after` as `after`)."""
    events = ctx.store.list_events(device, type, after, limit)
    return {
        "events": [{**vars(e), "received_at": e.received_at.isoformat()} for e in events],
        "next_after": events[-1].seq if events else after,
    }

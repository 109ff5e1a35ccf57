"""Request and answer bodies of protocol v1 as pydantic models: they validate what comes in and
are the OpenAPI schema (GET /openapi.json) that the schemathesis test checks the server against.
Numbers and booleans are strict (`strict=True`): `0` is not a boolean, `false` or "3" not an
integer; a body that breaks the schema is 422, a body that is not JSON 400.

Unknown fields in requests are ignored (forward compatibility); a heartbeat keeps them, because
newer kiosks report more than this server knows how to show."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from kiosk.protocol.dossiers import DossierStatus
from kiosk.protocol.events import MAX_EVENTS_PER_BATCH

# JSON integers beyond 2**53 do not survive JavaScript consoles or SQLite's INTEGER.
MAX_INT = 2**53
Version = Field(ge=0, le=MAX_INT)


class ErrorDetail(BaseModel):
    path: str
    problem: str


class ErrorInfo(BaseModel):
    code: str
    message: str
    details: list[ErrorDetail] | None = None


class ErrorBody(BaseModel):
    error: ErrorInfo


# What any operation that reads a JSON body may answer besides its own outcomes.
BODY_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "the body is not JSON"},
    413: {"model": ErrorBody, "description": "the body is too large"},
    422: {"model": ErrorBody, "description": "the body breaks the schema"},
}


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class EnrollRequest(BaseModel):
    enrollment_code: str = Field(min_length=1, max_length=64)
    hardware_id: str = Field(min_length=1, max_length=200)
    app_version: str = Field(min_length=1, max_length=50)


class SiteInfo(BaseModel):
    id: str
    name: str
    timezone: str


class EnrollAnswer(BaseModel):
    device_id: str
    token: str
    site: SiteInfo


class CatalogueAnswer(BaseModel):
    version: int
    full: bool
    fields: list[dict[str, Any]]
    upserts: list[dict[str, Any]]
    deletes: list[str]


class EventIn(BaseModel):
    id: str = Field(min_length=1, max_length=100)
    type: str = Field(max_length=100)
    at: str = Field(max_length=64)
    data: dict[str, Any]


class EventsRequest(BaseModel):
    events: list[EventIn] = Field(max_length=MAX_EVENTS_PER_BATCH)


class RejectedEvent(BaseModel):
    id: str
    reason: str


class EventsAnswer(BaseModel):
    accepted: list[str]
    rejected: list[RejectedEvent]


class PrinterState(BaseModel):
    state: str = Field(max_length=50)
    detail: str = Field("", max_length=500)


class HeartbeatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    app_version: str = Field(min_length=1, max_length=50)
    catalogue_version: int | None = Field(None, ge=0, le=MAX_INT, strict=True)
    config_version: int | None = Field(None, ge=0, le=MAX_INT, strict=True)
    uptime_s: float | None = Field(None, strict=True)
    clock: str | None = Field(None, max_length=64)
    clock_offset_s: float | None = Field(None, strict=True)
    printer: PrinterState | None = None
    outbox_pending: int | None = Field(None, ge=0, le=MAX_INT, strict=True)
    disk_free_mb: float | None = Field(None, strict=True)
    ui_healthy: bool | None = Field(None, strict=True)
    last_error: str | None = Field(None, max_length=2000)


class ReleaseOffer(BaseModel):
    version: str
    manifest_url: str


class CommandOut(BaseModel):
    id: str
    type: str
    args: dict[str, Any]


MAX_LOG_CHARS = 600_000  # a kiosk sends at most 512 kB of its journal


class LogsRequest(BaseModel):
    """The kiosk's recent journal, sent for an upload_logs command (an addition to version 1)."""

    command: str | None = Field(None, max_length=64)
    lines: int = Field(ge=0, le=MAX_INT, strict=True)
    text: str = Field(max_length=MAX_LOG_CHARS)


class LogsAnswer(BaseModel):
    id: str


class HeartbeatAnswer(BaseModel):
    config_version: int
    catalogue_version: int | None
    release: ReleaseOffer | None
    commands: list[CommandOut]


class ConfigAnswer(BaseModel):
    version: int
    settings: dict[str, Any]


class QueueService(BaseModel):
    id: str
    waiting: int
    serving: str | None
    avg_service_s: int | None


class QueueAnswer(BaseModel):
    at: str
    services: list[QueueService]


class DossierAnswer(BaseModel):
    code: str
    procedure: str
    applicant: str
    received_at: str
    due_at: str | None
    status: DossierStatus
    late: bool


class SignedManifest(BaseModel):
    model_config = ConfigDict(extra="allow")

    manifest: dict[str, Any]
    key_id: str
    signature: str

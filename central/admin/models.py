"""Bodies of the admin API (operators and the fleet console), separate from the device protocol.
Numbers and booleans are strict, as in central/api/models.py."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from central.api.models import MAX_INT
from kiosk.protocol.commands import CommandType
from kiosk.protocol.dossiers import DossierStatus

SITE_ID = r"^[a-z0-9][a-z0-9-]{0,63}$"


class SiteIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    timezone: str = Field("Asia/Ho_Chi_Minh", min_length=1, max_length=64)


class SettingsIn(BaseModel):
    settings: dict[str, Any]


class ConfigVersion(BaseModel):
    version: int


class EnrollmentCodeRequest(BaseModel):
    site: str = Field(pattern=SITE_ID)
    ttl_s: int = Field(86_400, ge=60, le=30 * 86_400, strict=True)


class EnrollmentCode(BaseModel):
    code: str
    site: str
    expires_at: str


class DeviceView(BaseModel):
    id: str
    site_id: str
    hardware_id: str
    enrolled_at: str
    revoked: bool
    app_version: str | None
    last_seen_at: str | None
    last_heartbeat: dict[str, Any] | None
    pending_commands: int


class CommandRequest(BaseModel):
    type: CommandType
    args: dict[str, Any] = Field(default_factory=dict)


class CommandView(BaseModel):
    id: str
    type: str
    args: dict[str, Any]
    created_at: str
    done_at: str | None
    ok: bool | None
    detail: str | None


class CatalogueDocument(BaseModel):
    """A `kiosk-catalogue/1` document (../shared/CATALOGUE.md); checked in full on publish."""

    model_config = ConfigDict(extra="allow")

    format: str
    version: int = Field(ge=1, le=MAX_INT, strict=True)
    fields: list[Any]
    procedures: list[Any]


class PublishAnswer(BaseModel):
    version: int
    procedures: int
    changed: int
    deleted: int


class DossierIn(BaseModel):
    code: str = Field(min_length=1, max_length=100)
    procedure: str = Field(min_length=1)
    applicant: str = Field(min_length=1)
    received_at: str = Field(min_length=1)
    due_at: str | None = None
    status: DossierStatus
    late: bool | None = Field(None, strict=True)


class DossierImport(BaseModel):
    dossiers: list[DossierIn] = Field(max_length=100_000)
    replace: bool = Field(False, strict=True)


class ImportAnswer(BaseModel):
    imported: int


class CallRequest(BaseModel):
    service: str = Field(pattern=r"^[A-Z]{1,2}$")
    counter: str = Field(min_length=1, max_length=20)


class CallAnswer(BaseModel):
    ticket: str | None
    service: str
    counter: str


class EventView(BaseModel):
    seq: int
    id: str
    device_id: str
    site_id: str
    type: str
    at: str
    data: dict[str, Any]
    received_at: str


class EventPage(BaseModel):
    events: list[EventView]
    next_after: int


class ReleaseView(BaseModel):
    """A release in the server's releases directory; `problem` is set (and the manifest fields
    are null) when its files there are broken."""

    version: str
    manifest: dict[str, Any] | None
    key_id: str | None
    signature: str | None
    size: int
    problem: str | None


class Canary(BaseModel):
    devices: list[str] = Field(default_factory=list, max_length=1000)
    sites: list[str] = Field(default_factory=list, max_length=1000)


class RolloutStart(BaseModel):
    version: str = Field(min_length=1, max_length=50)
    canary: Canary = Field(default_factory=Canary)
    stages: list[StrictInt] = Field(default_factory=lambda: [10, 50, 100], min_length=1, max_length=20)
    failure_threshold: float = Field(0.2, gt=0, le=1, strict=True)
    min_results: int = Field(3, ge=1, le=MAX_INT, strict=True)
    advance_after_ok: int = Field(0, ge=0, le=MAX_INT, strict=True)


class RollbackRequest(BaseModel):
    to: str = Field(min_length=1, max_length=50)


class RolloutFailure(BaseModel):
    device_id: str
    stage: str
    detail: str
    at: str


class RolloutView(BaseModel):
    """A rollout and its figures: `ok`/`failed` results reported, devices its stage reaches now
    (`targeted`), devices running its version (`on_version`) out of the `fleet`."""

    id: int
    version: str
    state: Literal["running", "paused", "halted", "rolled_back", "done"]
    stages: list[int]
    stage: int
    percent: int
    canary: Canary
    failure_threshold: float
    min_results: int
    advance_after_ok: int
    rollback_to: str | None
    reason: str
    started_by: str
    created_at: str
    updated_at: str
    ok: int
    failed: int
    targeted: int
    on_version: int
    fleet: int
    failures: list[RolloutFailure]

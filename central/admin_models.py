"""Bodies of the admin API (operators and the fleet console), separate from the device protocol."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from central.models import MAX_INT, CommandType, DossierStatus

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
    ttl_s: int = Field(86_400, ge=60, le=30 * 86_400)


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
    version: int = Field(ge=1, le=MAX_INT)
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
    late: bool | None = None


class DossierImport(BaseModel):
    dossiers: list[DossierIn] = Field(max_length=100_000)
    replace: bool = False


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

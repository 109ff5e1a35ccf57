"""The one interface between the server's endpoints and its storage.

SQLite (central/store/sqlite/) serves a province from one machine; a PostgreSQL implementation for a
national fleet implements the same `CentralStore` protocol and nothing above it changes. The
records here are plain frozen dataclasses; JSON documents (settings, heartbeats, catalogue
entries, dossiers) cross the interface already encoded or as dicts, never as driver objects.
Times are timezone-aware datetimes; implementations store them in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

ConfigScope = Literal["site", "device"]
RolloutState = Literal["running", "paused", "halted", "rolled_back", "done"]


class StoreError(Exception):
    """Base of the errors a store raises on purpose."""


class VersionConflict(StoreError):
    """A catalogue version that does not grow."""


class UnknownSite(StoreError):
    """An enrollment code or a setting names a site that does not exist."""


class EnrollmentRefused(StoreError):
    """An enrollment code that cannot be used; `reason` is unknown, expired or used."""

    def __init__(self, reason: Literal["unknown", "expired", "used"]) -> None:
        super().__init__(f"enrollment code {reason}")
        self.reason = reason


class RolloutChanged(StoreError):
    """A rollout changed (another operator, a halt) between reading it and changing it."""


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    timezone: str


@dataclass(frozen=True)
class Device:
    id: str
    site_id: str
    hardware_id: str
    enrolled_at: datetime
    revoked_at: datetime | None = None
    app_version: str | None = None
    last_seen_at: datetime | None = None
    last_heartbeat: dict[str, Any] | None = None


@dataclass(frozen=True)
class EnrollmentCodeInfo:
    """An enrollment code as the console lists it: the code itself is stored only hashed, so
    it shows its site, times and last two characters (`hint`)."""

    site_id: str
    hint: str
    created_at: datetime | None
    expires_at: datetime


@dataclass(frozen=True)
class ConfigLayer:
    """Settings set for one site or one device; `version` comes from one server-wide counter,
    so the effective version of a device (the larger of its two layers) only ever grows."""

    version: int
    settings: dict[str, Any]


KEPT_LOGS = 10  # log uploads kept per device


@dataclass(frozen=True)
class LogUpload:
    """Logs a kiosk sent (upload_logs); `text` is empty in lists, filled by get_logs."""

    id: str
    device_id: str
    received_at: datetime
    command_id: str | None
    lines: int
    size: int
    text: str = ""


@dataclass(frozen=True)
class Command:
    id: str
    device_id: str
    type: str
    args: dict[str, Any]
    created_at: datetime
    done_at: datetime | None = None
    ok: bool | None = None
    detail: str | None = None


@dataclass(frozen=True)
class TicketIssued:
    day: str
    ticket: str
    service: str
    number: int
    priority: str | None
    issued_at: str


@dataclass(frozen=True)
class TicketVoided:
    day: str
    ticket: str


@dataclass(frozen=True)
class CommandDone:
    command: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class UpdateResult:
    """An update.result event: counted towards the active rollout of version `to`, if any."""

    to: str
    ok: bool
    stage: str
    detail: str


Effect = TicketIssued | TicketVoided | CommandDone | UpdateResult


@dataclass(frozen=True)
class IncomingEvent:
    """A validated event and what it changes besides being stored (applied only the first
    time its id is stored, in the same transaction)."""

    id: str
    type: str
    at: str
    data: dict[str, Any]
    effect: Effect | None = None


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    id: str
    device_id: str
    site_id: str
    type: str
    at: str
    data: dict[str, Any]
    received_at: datetime


@dataclass(frozen=True)
class TicketRow:
    ticket: str
    service: str
    number: int
    priority: str | None
    issued_at: str
    voided: bool
    called_at: datetime | None
    counter: str | None


@dataclass(frozen=True)
class CatalogueHead:
    version: int
    published_at: str
    fields_json: str
    procedures: int
    synonyms_json: str = "[]"


@dataclass(frozen=True)
class CatalogueChanges:
    """Procedures (encoded JSON objects) changed after a version, and codes deleted since."""

    upserts: list[str] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CatalogueVersion:
    version: int
    published_at: str
    procedures: int
    changed: int
    deleted: int


@dataclass(frozen=True)
class PublishOutcome:
    version: int
    procedures: int
    changed: int
    deleted: int


@dataclass(frozen=True)
class RolloutPlan:
    """What an operator asks for: a published version, the canary (devices and whole sites
    that go first), growing percentages of the fleet, and when to stop on failures."""

    version: str
    stages: tuple[int, ...] = (10, 50, 100)
    canary_devices: tuple[str, ...] = ()
    canary_sites: tuple[str, ...] = ()
    failure_threshold: float = 0.2
    min_results: int = 3
    advance_after_ok: int = 0  # 0: stages advance by hand only
    started_by: str = ""


@dataclass(frozen=True)
class Rollout:
    """A stored rollout. `stage` is -1 while only the canary gets the release, else an index
    into `stages`. At most one rollout is not `done` at a time: the current one."""

    id: int
    version: str
    state: RolloutState
    stages: tuple[int, ...]
    stage: int
    canary_devices: tuple[str, ...]
    canary_sites: tuple[str, ...]
    failure_threshold: float
    min_results: int
    advance_after_ok: int
    rollback_to: str | None
    reason: str
    started_by: str
    created_at: datetime
    updated_at: datetime

    @property
    def percent(self) -> int:
        """The share of the fleet (besides the canary) that gets the release now."""
        return 0 if self.stage < 0 else self.stages[self.stage]

    @property
    def has_canary(self) -> bool:
        return bool(self.canary_devices or self.canary_sites)


@dataclass(frozen=True)
class RolloutChange:
    """What to change in a rollout; None leaves a field as it is."""

    state: RolloutState | None = None
    stage: int | None = None
    reason: str | None = None
    rollback_to: str | None = None


@dataclass(frozen=True)
class RolloutCounts:
    """The devices' latest update.result for a rollout: successes, failures, and successes by
    the stage the rollout was at when each arrived."""

    ok: int = 0
    failed: int = 0
    ok_by_stage: dict[int, int] = field(default_factory=dict)

    @property
    def reported(self) -> int:
        return self.ok + self.failed


@dataclass(frozen=True)
class RolloutResult:
    device_id: str
    ok: bool
    stage: str
    detail: str
    rollout_stage: int
    at: datetime


class CentralStore(Protocol):
    """Everything the endpoints need from storage. Each method is one transaction."""

    # Sites and their settings
    def put_site(self, site: Site) -> None: ...
    def get_site(self, site_id: str) -> Site | None: ...
    def list_sites(self) -> list[Site]: ...
    def set_config(self, scope: ConfigScope, owner: str, settings: dict[str, Any]) -> int: ...
    def config_layers(
        self, site_id: str, device_id: str
    ) -> tuple[ConfigLayer | None, ConfigLayer | None]: ...

    # Enrollment and devices
    def add_enrollment_code(
        self,
        code_hash: str,
        site_id: str,
        expires_at: datetime,
        hint: str = "",
        created_at: datetime | None = None,
    ) -> None: ...
    def list_enrollment_codes(self, unused_at: datetime) -> list[EnrollmentCodeInfo]:
        """Codes not used and not expired at `unused_at`, newest first."""
        ...

    def enroll(
        self, code_hash: str, hardware_id: str, app_version: str, token_hash: str, now: datetime
    ) -> Device: ...
    def device_by_token(self, token_hash: str) -> Device | None: ...
    def get_device(self, device_id: str) -> Device | None: ...
    def list_devices(self, site_id: str | None = None) -> list[Device]: ...
    def revoke_device(self, device_id: str, at: datetime) -> bool: ...
    def record_heartbeat(self, device_id: str, heartbeat: dict[str, Any], at: datetime) -> None: ...
    def add_logs(
        self, device_id: str, command_id: str | None, text: str, lines: int, at: datetime
    ) -> LogUpload:
        """Keep a log upload; only the newest KEPT_LOGS of a device stay."""
        ...

    def list_logs(self, device_id: str) -> list[LogUpload]:
        """A device's uploads, newest first, without their text."""
        ...

    def get_logs(self, device_id: str, log_id: str) -> LogUpload | None: ...

    # Events, the queue they feed, and commands they acknowledge
    def add_events(self, device: Device, events: list[IncomingEvent], received_at: datetime) -> int: ...
    def list_events(
        self, device_id: str | None, type: str | None, after_seq: int, limit: int
    ) -> list[StoredEvent]: ...
    def recent_events(self, device_id: str, limit: int) -> list[StoredEvent]:
        """A device's latest events, newest first."""
        ...

    def tickets_of_day(self, site_id: str, day: str) -> list[TicketRow]: ...
    def tickets_per_device(self, day: str) -> dict[str, int]:
        """Tickets issued on `day` (a site-local date) by each device that issued any."""
        ...

    def call_next(
        self, site_id: str, day: str, service: str, counter: str, at: datetime
    ) -> TicketRow | None: ...
    def add_command(self, device_id: str, type: str, args: dict[str, Any], at: datetime) -> Command: ...
    def pending_commands(self, device_id: str) -> list[Command]: ...
    def list_commands(self, device_id: str) -> list[Command]: ...

    # Catalogue
    def publish_catalogue(  # synonyms_json: the document's synonyms table, canonical JSON
        self,
        version: int,
        published_at: str,
        fields_json: str,
        procedures: dict[str, str],
        synonyms_json: str = "[]",
    ) -> PublishOutcome: ...
    def catalogue_head(self) -> CatalogueHead | None: ...
    def catalogue_has_version(self, version: int) -> bool: ...
    def catalogue_changes(self, after: int | None) -> CatalogueChanges: ...
    def list_catalogue_versions(self, limit: int) -> list[CatalogueVersion]: ...

    # Dossiers (the imported-file source; see central/api/dossiers.py for the seam)
    def import_dossiers(self, records: dict[str, dict[str, Any]], replace: bool, at: datetime) -> int: ...
    def get_dossier(self, code: str) -> dict[str, Any] | None: ...

    # Rollouts: stored and compared-and-set here; the policy is central/fleet/policy.py.
    def create_rollout(self, plan: RolloutPlan, replacing: Rollout | None, at: datetime) -> Rollout:
        """Store `plan` as the running current rollout, marking `replacing` done. Raises
        `RolloutChanged` unless the current rollout is still `replacing` (None: there is none)
        in the same state and stage."""
        ...

    def current_rollout(self) -> Rollout | None: ...
    def get_rollout(self, rollout_id: int) -> Rollout | None: ...
    def list_rollouts(self, limit: int) -> list[Rollout]: ...
    def update_rollout(self, expected: Rollout, change: RolloutChange, at: datetime) -> Rollout:
        """Apply `change` if the rollout still has `expected`'s state and stage; else raise
        `RolloutChanged`."""
        ...

    def rollout_counts(self, rollout_id: int) -> RolloutCounts: ...
    def rollout_results(
        self, rollout_id: int, device_id: str | None = None, limit: int = 100
    ) -> list[RolloutResult]: ...

    # Operators
    def add_admin_token(self, token_hash: str, name: str, at: datetime) -> None: ...
    def admin_by_token(self, token_hash: str) -> str | None: ...

    # The fleet console's operators and their sessions (central/console/)
    def set_operator_password(self, name: str, password_hash: str, at: datetime) -> None:
        """Create the operator or change their password; ends their sessions either way."""
        ...

    def operator_password_hash(self, name: str) -> str | None: ...
    def list_operators(self) -> list[str]: ...
    def remove_operator(self, name: str) -> bool: ...
    def add_console_session(
        self, session_hash: str, operator: str, expires_at: datetime, at: datetime
    ) -> None: ...
    def console_session_operator(self, session_hash: str, now: datetime) -> str | None: ...
    def end_console_session(self, session_hash: str) -> None: ...

    def close(self) -> None: ...

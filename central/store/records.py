"""The records the store contract speaks in (central/store/contract.py): plain frozen dataclasses
for sites, devices, events, tickets, commands, catalogue versions and rollouts, and the errors a
store raises on purpose. JSON documents (settings, heartbeats, catalogue entries, dossiers) are
carried already encoded or as dicts, never as driver objects; times are timezone-aware datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

ConfigScope = Literal["site", "device"]
RolloutState = Literal["running", "paused", "halted", "rolled_back", "done"]


class StoreError(Exception):
    """Base of the errors a store raises on purpose."""


class StoreUnavailable(StoreError):
    """The database cannot be reached now (restarting, failing over, every connection busy):
    the server answers 503 with Retry-After and the caller tries again later."""


class UnstorableText(StoreError):
    """Text holding U+0000, which PostgreSQL's text and JSONB cannot keep (SQLite can): the
    server answers 422 and nothing is written."""


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
    retrying: bool = False  # the kiosk tries the same release again by itself


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
class AddedEvents:
    """What `add_events` did: how many events it stored, and the ids it refused with the reason
    (an id the device already used for another event; a ticket another device issued)."""

    stored: int
    refused: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AttemptLimit:
    """At most `max_failures` attempts counted under `key` within `window_s` (at most a day);
    with `one_at_a_time`, none while another attempt under `key` is still being checked."""

    key: str
    max_failures: int
    window_s: float
    one_at_a_time: bool = False


@dataclass(frozen=True)
class AttemptVerdict:
    """`attempt` (to settle with `end_attempt`) when the attempt may go ahead; else None and
    the seconds to wait."""

    attempt: str | None
    retry_after_s: int = 0


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
    retrying: bool = False


@dataclass(frozen=True)
class HeartbeatView:
    """What a heartbeat's answer is made of, read by the call that records the heartbeat (on
    PostgreSQL one statement, not one round trip per part)."""

    config_version: int  # the newer of the site's and the device's layer; 0 when none
    catalogue_version: int | None
    rollout: Rollout | None  # the current rollout
    rollout_result: RolloutResult | None  # this device's result in it
    commands: list[Command]  # pending, oldest first

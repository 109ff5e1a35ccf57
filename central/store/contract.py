"""The one interface between the server's endpoints and its storage: the `CentralStore` protocol.

SQLite (central/store/sqlite/) serves a province from one machine; a PostgreSQL implementation for a
national fleet implements the same `CentralStore` protocol and nothing above it changes. The
records it takes and returns, and the errors it raises, are in central/store/records.py; they are
re-exported here, so callers import the contract and its records from one place. Each method is one
transaction; times are timezone-aware datetimes, which implementations store in UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from central.store.records import (
    KEPT_LOGS,
    AddedEvents,
    AttemptLimit,
    AttemptVerdict,
    CatalogueChanges,
    CatalogueHead,
    CatalogueVersion,
    Command,
    CommandDone,
    ConfigLayer,
    ConfigScope,
    Device,
    Effect,
    EnrollmentCodeInfo,
    EnrollmentRefused,
    HeartbeatView,
    IncomingEvent,
    LogUpload,
    PublishOutcome,
    Rollout,
    RolloutChange,
    RolloutChanged,
    RolloutCounts,
    RolloutPlan,
    RolloutResult,
    RolloutState,
    Site,
    StoredEvent,
    StoreError,
    StoreUnavailable,
    TicketIssued,
    TicketRow,
    TicketVoided,
    UnknownSite,
    UnstorableText,
    UpdateResult,
    VersionConflict,
)

__all__ = [
    "AddedEvents",
    "AttemptLimit",
    "AttemptVerdict",
    "CentralStore",
    "CatalogueChanges",
    "CatalogueHead",
    "CatalogueVersion",
    "Command",
    "CommandDone",
    "ConfigLayer",
    "ConfigScope",
    "Device",
    "Effect",
    "EnrollmentCodeInfo",
    "EnrollmentRefused",
    "HeartbeatView",
    "IncomingEvent",
    "KEPT_LOGS",
    "LogUpload",
    "PublishOutcome",
    "Rollout",
    "RolloutChange",
    "RolloutChanged",
    "RolloutCounts",
    "RolloutPlan",
    "RolloutResult",
    "RolloutState",
    "Site",
    "StoreError",
    "StoreUnavailable",
    "UnstorableText",
    "StoredEvent",
    "TicketIssued",
    "TicketRow",
    "TicketVoided",
    "UnknownSite",
    "UpdateResult",
    "VersionConflict",
]


class CentralStore(Protocol):
    """Everything the endpoints need from storage. Each method is one transaction."""

    # True when a call waits on the network (PostgreSQL): the server then makes even its
    # cheapest calls off the event loop, so other requests run while one waits.
    over_network: bool

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
    def heartbeat(
        self, token_hash: str, heartbeat: dict[str, Any], at: datetime
    ) -> tuple[Device, HeartbeatView] | None:
        """The enrolled, unrevoked device with this token (as `device_by_token`), its heartbeat
        recorded (as `record_heartbeat`), and what the answer needs; None (nothing recorded)
        for an unknown or revoked token."""
        ...

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
    def add_events(self, device: Device, events: list[IncomingEvent], received_at: datetime) -> AddedEvents:
        """Store each event once per (device, id); an id stored before with the same body is
        accepted again, with another body refused; a ticket effect on another device's ticket is
        refused. Effects apply only the first time an event is stored."""
        ...

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

    # Attempt limits (console logins), here so that they hold across server instances
    def begin_attempt(self, limits: list[AttemptLimit], now: datetime) -> AttemptVerdict:
        """Atomically: refuse when any limit is reached; else count the attempt under every
        key, as a failure until `end_attempt` says otherwise."""
        ...

    def end_attempt(self, attempt: str, ok: bool, forget: list[str]) -> None:
        """A failed attempt stays counted (no longer being checked); a good one is taken back,
        with every attempt counted under the keys in `forget`."""
        ...

    def close(self) -> None: ...

"""The store's part for calling (central/calling/): counter actions, what displays and phones
read, the counters' state, per-site staff and their sessions.

Shape for a second store. Every counter action is ONE method, `counter_action(action)`, one
transaction that (1) looks up the press's idempotency key and answers the stored outcome when
it was seen, (2) locks what it changes, (3) changes the ticket and the counter, (4) stores the
action as an event with its outcome. SQLite does it under BEGIN IMMEDIATE (one writer at a
time). PostgreSQL (central/store/postgres/calling.py) does it in one READ COMMITTED
transaction: `INSERT INTO calling_events … ON CONFLICT (key) DO NOTHING` first, joined to the
upsert of the site's `calling_seq` row that numbers the event (locked until commit: a site's
events are numbered in commit order without gaps, so displays reading by `seq` never miss one;
a second press with the same key waits for the first and then reads its outcome), the next
ticket with `SELECT … ORDER BY priority IS NULL, issued_at, number LIMIT 1 FOR UPDATE SKIP
LOCKED`, other tickets with `SELECT … FOR UPDATE`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from central.store.contract import StoreError

Action = Literal[
    "call_next", "recall", "no_show", "call_back", "served", "transfer", "pause", "close", "open"
]
ACTIONS: tuple[str, ...] = (
    "call_next",
    "recall",
    "no_show",
    "call_back",
    "served",
    "transfer",
    "pause",
    "close",
    "open",
)
TicketState = Literal["waiting", "called", "served", "no_show"]
Role = Literal["officer", "supervisor"]
CounterMode = Literal["open", "paused", "closed"]


class CallingRefused(StoreError):
    """A counter action that changes nothing; `code` names why (snake_case, as the API's)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class CounterAction:
    """One press at a counter. `services` are those the counter calls from; `ticket` names the
    ticket for recall, no-show, call-back, served and transfer (the counter's current one when
    None); `to_service` / `to_counter` say where a transfer goes; `no_show_window_s` how long a
    no-show may be called back."""

    key: str
    site_id: str
    day: str
    counter: str
    staff: str
    action: Action
    at: datetime
    services: tuple[str, ...] = ()
    ticket: str | None = None
    to_service: str | None = None
    to_counter: str | None = None
    no_show_window_s: float = 600.0


@dataclass(frozen=True)
class CallingTicket:
    ticket: str
    service: str  # the service it was issued for
    queue_service: str  # the service it waits in now (a transfer changes it)
    number: int
    priority: str | None
    issued_at: str
    state: TicketState
    voided: bool
    called_at: datetime | None
    counter: str | None
    target_counter: str | None
    finished_at: datetime | None
    calls: int
    device_id: str


@dataclass(frozen=True)
class CallEvent:
    """A stored counter action; `data` holds its outcome (e.g. {"auto_served": "A011"})."""

    seq: int
    key: str
    site_id: str
    day: str
    counter: str
    staff: str
    action: str
    ticket: str | None
    service: str | None
    data: dict[str, Any]
    at: datetime


@dataclass(frozen=True)
class ActionOutcome:
    """What a press did; `repeated` when its key had been seen (nothing changed again)."""

    event: CallEvent
    ticket: CallingTicket | None
    repeated: bool = False


@dataclass(frozen=True)
class CounterState:
    site_id: str
    counter: str
    mode: CounterMode
    staff: str
    services: tuple[str, ...]
    updated_at: datetime


@dataclass(frozen=True)
class StaffMember:
    site_id: str
    name: str
    role: Role
    created_at: datetime


@dataclass(frozen=True)
class StaffSession:
    site_id: str
    name: str
    role: Role
    counter: str | None
    services: tuple[str, ...] = field(default_factory=tuple)
    expires_at: datetime | None = None


class CallingStore(Protocol):
    """Implemented by `central.store.sqlite.SQLiteStore` and `central.store.postgres.PostgresStore`
    (calling.py, calling_reads.py and staff.py in each); each method is one transaction."""

    # --- counter actions and what displays, phones and kiosks read ---
    def counter_action(self, action: CounterAction) -> ActionOutcome:
        """Do one press, once per key; `CallingRefused` when it changes nothing."""
        ...

    def calling_events(self, site_id: str, after_seq: int, limit: int) -> list[CallEvent]: ...
    def last_calling_seq(self, site_id: str) -> int: ...
    def recent_calls(self, site_id: str, day: str, limit: int, counter: str | None = None) -> list[CallEvent]:
        """The newest call, recall and call-back events of the day, newest first."""
        ...

    def calling_tickets(self, site_id: str, day: str) -> list[CallingTicket]:
        """Every ticket of the site's day in queue order (priority first, then issue time)."""
        ...

    def calling_ticket(self, site_id: str, day: str, ticket: str) -> CallingTicket | None: ...
    def services_of_day(self, site_id: str, day: str) -> list[str]:
        """The services today's tickets wait in or were issued for (one indexed scan)."""
        ...

    def find_tickets(self, day: str, ticket: str) -> list[tuple[str, CallingTicket, str | None]]:
        """(site id, ticket, issuing device's token hash) of each site's ticket with this
        number on this day: the phone page checks the link's token against them."""
        ...

    def counter_states(self, site_id: str) -> list[CounterState]: ...

    # --- staff and their sessions ---
    def set_staff(self, site_id: str, name: str, role: Role, password_hash: str, at: datetime) -> None:
        """Create or change a staff member; a new password ends their sessions."""
        ...

    def staff_password_hash(self, site_id: str, name: str) -> str | None: ...
    def list_staff(self, site_id: str | None = None) -> list[StaffMember]: ...
    def remove_staff(self, site_id: str, name: str) -> bool: ...
    def add_staff_session(
        self, session_hash: str, site_id: str, name: str, expires_at: datetime, at: datetime
    ) -> None: ...
    def staff_session(self, session_hash: str, now: datetime) -> StaffSession | None: ...
    def seat_staff_session(self, session_hash: str, counter: str, services: tuple[str, ...]) -> None:
        """The counter a signed-in officer sits at and the services it calls from."""
        ...

    def end_staff_session(self, session_hash: str) -> None: ...

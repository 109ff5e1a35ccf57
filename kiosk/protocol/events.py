"""Events a kiosk sends to POST /api/v1/events (docs/protocol.md): the event types both sides
accept, the priorities a ticket may carry, and how many events one batch may hold. The kiosk's
outbox refuses to queue an unknown type; the server rejects one."""

from __future__ import annotations

from typing import Literal, get_args

EventType = Literal[
    "ticket.issued",
    "ticket.printed",
    "ticket.print_failed",
    "ticket.print_unknown",  # sent to the printer, never confirmed: it may be out (issue 18)
    "ticket.reprinted",
    "ticket.voided",
    "rating.submitted",
    "printer.status",
    "command.done",
    "update.result",
    "kiosk.started",
    "kiosk.error",
]
EVENT_TYPES: frozenset[str] = frozenset(get_args(EventType))

# A priority ticket (người cao tuổi, người khuyết tật, phụ nữ mang thai, người có công), in the
# order the kiosk offers them.
Priority = Literal["elderly", "disabled", "pregnant", "merit"]
PRIORITIES: tuple[str, ...] = get_args(Priority)

MAX_EVENTS_PER_BATCH = 500

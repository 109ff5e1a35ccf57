"""The fleet table: one row per kiosk from its last heartbeat, what is wrong with it, and the
filters and sorting of the console's first page. Plain functions over plain data."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from central.store.contract import CentralStore, Device, Site

Connection = Literal["online", "offline", "never", "revoked"]
Severity = Literal["ok", "warning", "error"]
# Events a kiosk still has to send before the backlog is worth an operator's look: a few
# minutes of a busy office (a ticket, its print, a rating) at one heartbeat a minute.
BACKLOG_WARNING = 100
PRINTER_ERRORS = frozenset({"paper_out", "cover_open", "offline", "error"})


@dataclass(frozen=True)
class FleetRow:
    device_id: str
    site_id: str
    site_name: str
    connection: Connection
    last_seen_at: datetime | None
    version: str | None
    printer: str | None
    printer_detail: str
    outbox_pending: int
    outbox_rejected: int
    tickets_today: int
    last_error: str
    problems: tuple[str, ...] = field(default=())
    severity: Severity = "ok"


def connection_of(device: Device, now: datetime, offline_after: timedelta) -> Connection:
    """Online while heartbeats keep coming within `offline_after`."""
    if device.revoked_at is not None:
        return "revoked"
    if device.last_seen_at is None:
        return "never"
    return "online" if now - device.last_seen_at <= offline_after else "offline"


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def build_row(
    device: Device, site: Site | None, tickets: int, now: datetime, offline_after: timedelta
) -> FleetRow:
    beat = device.last_heartbeat or {}
    reported = beat.get("printer")
    printer: dict[str, Any] = reported if isinstance(reported, dict) else {}
    state = printer.get("state") if isinstance(printer.get("state"), str) else None
    connection = connection_of(device, now, offline_after)
    row = FleetRow(
        device_id=device.id,
        site_id=device.site_id,
        site_name=site.name if site else device.site_id,
        connection=connection,
        last_seen_at=device.last_seen_at,
        version=device.app_version,
        printer=state,
        printer_detail=str(printer.get("detail") or ""),
        outbox_pending=_int(beat.get("outbox_pending")),
        outbox_rejected=_int(beat.get("outbox_rejected")),
        tickets_today=tickets,
        last_error=str(beat.get("last_error") or ""),
    )
    problems, severity = judge(row, beat.get("ui_healthy"))
    return FleetRow(**{**vars(row), "problems": problems, "severity": severity})


def judge(row: FleetRow, ui_healthy: Any) -> tuple[tuple[str, ...], Severity]:
    """What is wrong (keys of labels.PROBLEMS) and how badly. A revoked kiosk is nobody's
    problem any more; an offline one's last report is stale, so only its silence counts."""
    if row.connection == "revoked":
        return (), "ok"
    if row.connection in ("offline", "never"):
        return (row.connection,), "error"
    errors = ["printer"] if row.printer in PRINTER_ERRORS else []
    errors += ["ui"] if ui_healthy is False else []
    warnings = ["printer"] if row.printer == "paper_near_end" else []
    warnings += ["backlog"] if row.outbox_pending >= BACKLOG_WARNING else []
    warnings += ["rejected"] if row.outbox_rejected else []
    warnings += ["error"] if row.last_error else []
    problems = tuple(dict.fromkeys(errors + warnings))
    return problems, "error" if errors else "warning" if warnings else "ok"


def fleet_rows(store: CentralStore, now: datetime, offline_after: timedelta) -> list[FleetRow]:
    """Every kiosk's row, tickets counted on each site's own local day."""
    sites = {s.id: s for s in store.list_sites()}
    days = {sid: now.astimezone(ZoneInfo(s.timezone)).date().isoformat() for sid, s in sites.items()}
    counts = {day: store.tickets_per_device(day) for day in set(days.values())}
    return [
        build_row(
            device,
            sites.get(device.site_id),
            counts.get(days.get(device.site_id, ""), {}).get(device.id, 0),
            now,
            offline_after,
        )
        for device in store.list_devices()
    ]


@dataclass(frozen=True)
class Filters:
    q: str = ""
    site: str = ""
    state: str = ""  # "", problem, online, offline, never, revoked, printer
    version: str = ""
    sort: str = "severity"
    descending: bool = False


def _matches(row: FleetRow, f: Filters) -> bool:
    if f.site and row.site_id != f.site:
        return False
    if f.version and (row.version or "") != f.version:
        return False
    if f.state == "problem" and row.severity == "ok":
        return False
    if f.state == "printer" and "printer" not in row.problems:
        return False
    if f.state == "offline" and row.connection not in ("offline", "never"):
        return False
    if f.state in ("online", "never", "revoked") and row.connection != f.state:
        return False
    text = f.q.strip().casefold()
    return not text or any(text in v.casefold() for v in (row.device_id, row.site_name, row.site_id))


_RANK = {"error": 0, "warning": 1, "ok": 2}
SORT_KEYS: dict[str, Callable[[FleetRow], Any]] = {
    "severity": lambda r: (_RANK[r.severity], r.device_id),
    "id": lambda r: r.device_id,
    "site": lambda r: (r.site_name, r.device_id),
    "state": lambda r: (r.connection, r.device_id),
    "version": lambda r: (r.version or "", r.device_id),
    "printer": lambda r: (r.printer or "", r.device_id),
    "backlog": lambda r: (r.outbox_pending + r.outbox_rejected, r.device_id),
    "tickets": lambda r: (r.tickets_today, r.device_id),
    "seen": lambda r: (r.last_seen_at.timestamp() if r.last_seen_at else 0.0, r.device_id),
}


def select(rows: Iterable[FleetRow], f: Filters) -> list[FleetRow]:
    """The rows the filters keep, in the order asked for (worst first by default)."""
    key = SORT_KEYS.get(f.sort, SORT_KEYS["severity"])
    return sorted((r for r in rows if _matches(r, f)), key=key, reverse=f.descending)


def summary(rows: list[FleetRow]) -> dict[str, int]:
    """The counts above the table; each links to the filter that shows those kiosks."""
    return {
        "all": len(rows),
        "online": sum(r.connection == "online" for r in rows),
        "offline": sum(r.connection in ("offline", "never") for r in rows),
        "problem": sum(r.severity != "ok" for r in rows),
        "printer": sum("printer" in r.problems for r in rows),
    }

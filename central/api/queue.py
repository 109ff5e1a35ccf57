"""The queue as the server sees it: tickets from the kiosks' ticket events, calls from the
counters. GET /queue answers people waiting, the ticket being served and the average time
between calls per service, for the site's current day."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from central.store.contract import Site, TicketRow


def site_day(site: Site, now: datetime) -> str:
    """Today's date (YYYY-MM-DD) in the site's timezone, the `day` of its ticket events."""
    return now.astimezone(ZoneInfo(site.timezone)).date().isoformat()


def configured_services(settings: dict[str, Any]) -> list[str]:
    """Service ids in the settings pushed to the site (queue.services[*].id), in order."""
    services = (
        settings.get("queue", {}).get("services", []) if isinstance(settings.get("queue"), dict) else []
    )
    if not isinstance(services, list):
        return []
    return [s["id"] for s in services if isinstance(s, dict) and isinstance(s.get("id"), str)]


def queue_status(tickets: list[TicketRow], services: list[str], at: datetime) -> dict[str, Any]:
    """The GET /queue answer for one site's tickets of the day."""
    ids = list(dict.fromkeys([*services, *(t.service for t in tickets)]))
    return {
        "at": at.isoformat(timespec="seconds"),
        "services": [_service(sid, [t for t in tickets if t.service == sid]) for sid in ids],
    }


def _service(service: str, tickets: list[TicketRow]) -> dict[str, Any]:
    live = [t for t in tickets if not t.voided]
    calls = sorted(t.called_at for t in live if t.called_at is not None)
    serving = max((t for t in live if t.called_at is not None), key=lambda t: t.called_at or 0, default=None)
    gaps = [(b - a).total_seconds() for a, b in zip(calls, calls[1:], strict=False)]
    return {
        "id": service,
        "waiting": sum(1 for t in live if t.called_at is None),
        "serving": serving.ticket if serving else None,
        "avg_service_s": round(sum(gaps) / len(gaps)) if gaps else None,
    }

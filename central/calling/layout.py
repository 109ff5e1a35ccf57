"""A site's services and counters as calling sees them: from the settings pushed to the site's
kiosks (`queue.services`: id, name, counters), the same list the kiosks print from, so an office
configures its services once. Services only seen on today's tickets join with their id as name."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from central.store.contract import CentralStore, Site

# Without configured counters an office still calls: counters 1 to 9.
DEFAULT_COUNTERS = tuple(str(n) for n in range(1, 10))


@dataclass(frozen=True)
class ServiceInfo:
    id: str
    name: str
    counters: tuple[str, ...]


@dataclass(frozen=True)
class SiteLayout:
    site: Site
    services: tuple[ServiceInfo, ...]
    counters: tuple[str, ...]
    notices: tuple[str, ...]
    header: str

    def service(self, service_id: str) -> ServiceInfo | None:
        return next((s for s in self.services if s.id == service_id), None)

    def services_of(self, counter: str) -> tuple[str, ...]:
        """The services a counter calls from unless its officer picks others."""
        mine = tuple(s.id for s in self.services if counter in s.counters)
        return mine or tuple(s.id for s in self.services)

    def name_of(self, service_id: str) -> str:
        found = self.service(service_id)
        return found.name if found else service_id


def counter_sort_key(counter: str) -> tuple[int, str]:
    return (int(counter), "") if counter.isdigit() else (10**6, counter)


def site_settings(store: CentralStore, site_id: str) -> dict[str, Any]:
    layer, _ = store.config_layers(site_id, "")
    return layer.settings if layer else {}


def _services(settings: dict[str, Any]) -> list[ServiceInfo]:
    queue = settings.get("queue")
    items = queue.get("services") if isinstance(queue, dict) else None
    found: list[ServiceInfo] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        counters = item.get("counters")
        found.append(
            ServiceInfo(
                id=item["id"],
                name=str(item.get("name") or item["id"]),
                counters=tuple(str(c) for c in counters) if isinstance(counters, list) else (),
            )
        )
    return found


def site_layout(store: CentralStore, site: Site, seen_services: Iterable[str] = ()) -> SiteLayout:
    """The layout of `site`; `seen_services` are services of today's tickets (kiosks configured
    locally, not from the server, still get called)."""
    settings = site_settings(store, site.id)
    services = _services(settings)
    known = {s.id for s in services}
    for extra in dict.fromkeys(seen_services):
        if extra not in known:
            services.append(ServiceInfo(extra, extra, ()))
            known.add(extra)
    counters = sorted({c for s in services for c in s.counters}, key=counter_sort_key)
    ui = settings.get("ui") if isinstance(settings.get("ui"), dict) else {}
    notices = ui.get("notices") if isinstance(ui, dict) else None
    site_part = settings.get("site") if isinstance(settings.get("site"), dict) else {}
    return SiteLayout(
        site=site,
        services=tuple(services),
        counters=tuple(counters) or DEFAULT_COUNTERS,
        notices=tuple(str(n) for n in notices) if isinstance(notices, list) else (),
        header=str(site_part.get("header", "")) if isinstance(site_part, dict) else "",
    )

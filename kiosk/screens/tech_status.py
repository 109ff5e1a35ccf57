"""Technician status: who the kiosk is, its addresses, the server and sync, the catalogue, the
clock, the outbox and the printer; restart the app. Facts are read on the worker thread, then
whether the server answers (a few seconds at most) is added when known."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, ObjectProperty

from kiosk.screens.tech_widgets import TechFact, TechScreen, fact, fill
from kiosk.technician.status import DeviceFacts, Reachability, check_server, gather


class TechStatusScreen(TechScreen):
    facts = ObjectProperty(None, allownone=True)
    reach = ObjectProperty(None, allownone=True)
    confirm_restart = BooleanProperty(False)

    def on_pre_enter(self, *_args: Any) -> None:
        self.refresh()

    def printer_changed(self) -> None:
        if self.facts is not None:
            self.show_facts()

    def refresh(self) -> None:
        self.confirm_restart = False
        self.reach = None
        services = self.services

        got_facts = self.on_ui(self._got_facts)

        def job(db: Any) -> Reachability:
            facts = gather(db, services.state_dir, services.settings.site.name, services.now())
            got_facts(facts)
            return check_server(
                facts.server_url or services.settings.server.url, services.settings.server.ca_file
            )

        self.run(job, self._got_reach)

    def _got_facts(self, facts: DeviceFacts) -> None:
        self.facts = facts
        self.show_facts()

    def _got_reach(self, reach: Reachability | None, error: BaseException | None) -> None:
        self.reach = reach if error is None else Reachability(False, str(error))
        self.show_facts()

    def show_facts(self) -> None:
        if self.facts is not None:
            fill(self.ids.facts, status_rows(self.facts, self.reach, self.services))

    def restart(self) -> None:
        """Exit with code 0; systemd (Restart=always) starts the app again."""
        if not self.confirm_restart:
            self.confirm_restart = True
            return
        app = App.get_running_app()
        app.exit_code = 0
        app.stop()

    def reset(self) -> None:
        super().reset()
        self.facts = None
        self.reach = None
        self.confirm_restart = False
        if "facts" in self.ids:
            self.ids.facts.clear_widgets()

    def shots(self) -> dict[str, Any]:
        def sample() -> None:
            self._generation += 1
            self.facts = DeviceFacts(
                device_id="kiosk-0007",
                site="UBND xã Mê Linh",
                version="1.4.2",
                addresses=("192.168.1.57", "fd00::57"),
                server_url="https://mot-cua.example.gov.vn",
                enrolled=True,
                last_sync_at="2026-11-28T01:02:03+00:00",
                last_error=None,
                catalogue_version=42,
                catalogue_procedures=1873,
                catalogue_fields=41,
                clock=datetime(2026, 11, 28, 8, 5, 9),
                clock_offset_s=-1.4,
                outbox_pending=3,
                outbox_rejected=0,
            )
            self.reach = Reachability(True, "1.4.2")
            self.show_facts()

        return {"": sample}


def status_rows(facts: DeviceFacts, reach: Reachability | None, services: Any) -> list[TechFact]:
    printer = services.printer_status
    server = facts.server_url or services.settings.server.url
    rows = [
        fact(
            "tech.status.device", facts.device_id or "", "" if facts.enrolled else "tech.status.not_enrolled"
        ),
        fact("tech.status.site", facts.site),
        fact("tech.status.version", facts.version),
        fact("tech.status.addresses", ", ".join(facts.addresses), "" if facts.addresses else "tech.none"),
        fact("tech.status.server", server, "" if server else "tech.none"),
        _reach_row(reach),
        fact(
            "tech.status.last_sync",
            _when(facts.last_sync_at, services.timezone),
            "" if facts.last_sync_at else "tech.never",
        ),
    ]
    if facts.last_error:
        rows.append(fact("tech.status.last_error", facts.last_error, bad=True))
    rows += [
        _catalogue_row(facts),
        fact("tech.status.clock", facts.clock.strftime("%H:%M:%S %d/%m/%Y")),
        _offset_row(facts.clock_offset_s),
        fact(
            "tech.status.outbox",
            value_key="tech.status.outbox_value",
            bad=facts.outbox_rejected > 0,
            pending=facts.outbox_pending,
            rejected=facts.outbox_rejected,
        ),
        fact(
            "tech.status.printer",
            value_key="tech.printer.state." + printer.state.value,
            bad=not printer.can_print,
        ),
        fact("tech.status.paper", value_key=paper_key(printer.state.value), bad=not printer.can_print),
    ]
    return rows


def _reach_row(reach: Reachability | None) -> TechFact:
    if reach is None:
        return fact("tech.status.reachable", value_key="tech.status.checking")
    if reach.ok:
        return fact("tech.status.reachable", value_key="tech.status.reachable_yes", version=reach.detail)
    return fact("tech.status.reachable", value_key="tech.status.reachable_no", bad=True, detail=reach.detail)


def _catalogue_row(facts: DeviceFacts) -> TechFact:
    if facts.catalogue_version is None:
        return fact("tech.status.catalogue", value_key="tech.status.catalogue_none", bad=True)
    return fact(
        "tech.status.catalogue",
        value_key="tech.status.catalogue_value",
        version=facts.catalogue_version,
        procedures=facts.catalogue_procedures,
        fields=facts.catalogue_fields,
    )


def _offset_row(offset: float | None) -> TechFact:
    if offset is None:
        return fact("tech.status.offset", value_key="tech.status.offset_unknown")
    return fact(
        "tech.status.offset", value_key="tech.status.offset_value", bad=abs(offset) > 60, s=f"{offset:+.1f}"
    )


def _when(iso: str | None, zone: tzinfo) -> str:
    """An ISO time from the database as the site's 'HH:MM:SS dd/mm/yyyy'."""
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso).astimezone(zone)
    except ValueError:
        return iso
    return moment.strftime("%H:%M:%S %d/%m/%Y")


def paper_key(state: str) -> str:
    if state in ("ready", "paper_near_end", "paper_out"):
        return f"tech.paper.{state}"
    return "tech.paper.unknown"

"""Technician server screen: enrol with the code from the operator (typed on an on-screen
keypad of letters and digits, or scanned), and sync now (one pass of the agent's parts). Both
talk to the server on the worker thread, with the settings' timeouts."""

from __future__ import annotations

from typing import Any

from kivy.properties import ListProperty, StringProperty

from kiosk import config
from kiosk.screens.tech_widgets import TechFact, TechScreen, fact, fill
from kiosk.sync.client import Timeouts
from kiosk.sync.enrollment import enroll
from kiosk.sync.report import PartResult
from kiosk.sync.status import SyncStatus, sync_status

MAX_CODE = 24


class TechServerScreen(TechScreen):
    code = StringProperty("")
    parts = ListProperty([])

    def on_kv_post(self, _base: Any) -> None:
        keypad = self.ids.keypad
        keypad.pressed, keypad.erased, keypad.cleared = self.press, self.backspace, self.clear

    def on_pre_enter(self, *_args: Any) -> None:
        self.ids.keypad.ensure_keys()
        self.show_identity()

    def on_parts(self, *_args: Any) -> None:
        if "parts" in self.ids:
            fill(self.ids.parts, [part_row(p) for p in self.parts])

    def press(self, key: str) -> None:
        if len(self.code) < MAX_CODE:
            self.code += key

    def backspace(self) -> None:
        self.code = self.code[:-1]

    def clear(self) -> None:
        self.code = ""

    def scanned(self, code: str) -> None:
        """An enrolment code read from a QR code on the operator's sheet."""
        self.code = code.strip().upper()[:MAX_CODE]

    def show_identity(self) -> None:
        services = self.services
        self.run(lambda db: sync_status(db, services.state_dir), self._got_identity)

    def _got_identity(self, status: SyncStatus | None, error: BaseException | None) -> None:
        if status is not None and "identity" in self.ids:
            fill(self.ids.identity, identity_rows(status, self.services.settings.server.url))

    def enrol(self) -> None:
        services = self.services
        server = services.settings.server
        if not server.url:
            self.say("tech.server.no_url", True)
            return
        code = self.code.strip()
        if not code:
            return
        self.say("tech.server.enrolling")
        self.parts = []
        timeouts = Timeouts(server.connect_timeout_s, server.read_timeout_s, server.call_deadline_s)

        def job(db: Any) -> Any:
            return enroll(db, services.state_dir, server.url, code, ca_file=server.ca_file, timeouts=timeouts)

        def done(answer: Any, error: BaseException | None) -> None:
            if error is not None:
                self.say("tech.server.enrol_failed", True, detail=str(error))
            else:
                self.code = ""
                self.say("tech.server.enrolled", device=answer.device_id, site=answer.site_name)
            self.show_identity()

        self.run(job, done)

    def sync_now(self) -> None:
        services = self.services
        self.say("tech.server.syncing")
        self.parts = []

        def job(db: Any) -> list[PartResult]:
            from kiosk.sync.agent import Agent

            loaded = config.Loaded(settings=services.settings, origins={})
            return Agent(db, services.state_dir, loaded).sync_once().parts

        def done(parts: list[PartResult] | None, error: BaseException | None) -> None:
            if error is not None or parts is None:
                self.say("tech.error", True, detail=str(error))
                return
            self.parts = parts
            failed = [p for p in parts if not p.ok]
            self.say("tech.server.sync_failed" if failed else "tech.server.synced", bool(failed))
            self.show_identity()

        self.run(job, done)

    def reset(self) -> None:
        super().reset()
        self.code = ""
        self.parts = []

    def shots(self) -> dict[str, Any]:
        def typing() -> None:
            self.code = "7K3M-Q9TX"

        def synced() -> None:
            self._generation += 1
            self.parts = [
                PartResult("outbox", True, "12 accepted, 0 rejected, 0 pending"),
                PartResult("heartbeat", True, "answered; 0 command(s) run"),
                PartResult("config", True, "version 7 applied"),
                PartResult("catalogue", False, "the server did not answer within 60 s"),
            ]
            self.say("tech.server.sync_failed", True)
            sample = SyncStatus(
                enrolled=True,
                not_enrolled_reason=None,
                device_id="kiosk-0007",
                site_name="UBND xã Mê Linh",
                server_url="https://mot-cua.example.gov.vn",
                clock_offset_s=-1.4,
                outbox_pending=0,
                outbox_rejected=0,
                config_version=7,
                catalogue_version=41,
                last_error=None,
            )
            fill(self.ids.identity, identity_rows(sample, "https://mot-cua.example.gov.vn"))

        return {"": typing, "synced": synced}


def identity_rows(status: SyncStatus, configured_url: str) -> list[TechFact]:
    enrolled = status.enrolled
    return [
        fact(
            "tech.status.server",
            configured_url,
            "" if configured_url else "tech.none",
            bad=not configured_url,
        ),
        fact(
            "tech.status.device",
            status.device_id or "",
            "" if enrolled else "tech.status.not_enrolled",
            bad=not enrolled,
        ),
        fact("tech.status.site", status.site_name or "", "" if status.site_name else "tech.none"),
    ]


def part_row(part: PartResult) -> TechFact:
    key = "tech.server.part_ok" if part.ok else "tech.server.part_failed"
    return fact("", value_key=key, bad=not part.ok, label=part.part, detail=part.detail)

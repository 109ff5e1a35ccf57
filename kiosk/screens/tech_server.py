"""Technician server screen: enrol with the code from the operator (typed on an on-screen
keypad of letters and digits, or scanned), and sync now (one pass of the agent's parts). The
screen never talks to the server itself: both are requests the agent carries out
(kiosk/device/agent_requests.py); the screen shows the agent's answer, or says that the agent is
not running."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, ListProperty, StringProperty

from kiosk.device import agent_requests
from kiosk.screens.tech_widgets import TechFact, TechScreen, fact, fill
from kiosk.sync.report import PartResult
from kiosk.sync.status import SyncStatus, sync_status

MAX_CODE = 24
POLL_S = 0.25  # how often the screen looks for the agent's answer
Answered = Callable[[bool, dict[str, Any]], None]


class TechServerScreen(TechScreen):
    code = StringProperty("")
    parts = ListProperty([])
    waiting = BooleanProperty(False)  # for the agent's answer

    def __init__(self, **kwargs: Any) -> None:
        self._polling: Any = None  # the scheduled look for the agent's answer
        super().__init__(**kwargs)

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
        server_url = self.services.settings.server.url
        if not server_url:
            self.say("tech.server.no_url", True)
            return
        code = self.code.strip()
        if not code:
            return
        self.say("tech.server.enrolling")
        self.parts = []
        self.ask_agent(agent_requests.ENROL, {"code": code, "server_url": server_url}, self._enrol_answered)

    def _enrol_answered(self, ok: bool, result: dict[str, Any]) -> None:
        if ok:
            self.code = ""
            self.say("tech.server.enrolled", device=result.get("device_id"), site=result.get("site_name"))
        else:
            self.say("tech.server.enrol_failed", True, detail=result.get("error", ""))
        self.show_identity()

    def sync_now(self) -> None:
        self.say("tech.server.syncing")
        self.parts = []
        self.ask_agent(agent_requests.SYNC_NOW, {}, self._sync_answered)

    def _sync_answered(self, ok: bool, result: dict[str, Any]) -> None:
        parts = [PartResult(p["part"], bool(p["ok"]), str(p["detail"])) for p in result.get("parts", [])]
        if not parts:
            self.say("tech.error", True, detail=result.get("error", ""))
            return
        self.parts = parts
        self.say("tech.server.synced" if ok else "tech.server.sync_failed", not ok)
        self.show_identity()

    # --- the hand-over to the agent (kiosk/device/agent_requests.py) -------------------------

    def ask_agent(self, kind: str, args: dict[str, Any], answered: Answered) -> None:
        """Put the request in for the agent, then look for its answer every POLL_S until the
        agent answers or is found not running. `waiting` keeps the buttons off and the idle
        timeout away meanwhile."""
        self.waiting = True

        def asked(request_id: str | None, error: BaseException | None) -> None:
            if error is not None or request_id is None:
                self._done_waiting()
                self.say("tech.error", True, detail=str(error))
            else:
                self._poll(request_id, answered)

        self.run(lambda db: agent_requests.ask(db, kind, args), asked)

    def _poll(self, request_id: str, answered: Answered) -> None:
        def look(_dt: float) -> None:
            self.run(lambda db: agent_requests.progress(db, request_id), got)

        def got(progress: agent_requests.Progress | None, error: BaseException | None) -> None:
            if error is not None or progress is None:
                self._done_waiting()
                self.say("tech.error", True, detail=str(error))
            elif progress.state == "answered":
                self._done_waiting()
                answered(progress.ok, progress.result)
            elif progress.state == "no_agent":
                self._done_waiting()
                self.say("tech.server.no_agent", True)
            else:
                self._poll(request_id, answered)

        self._polling = Clock.schedule_once(look, POLL_S)

    def _done_waiting(self) -> None:
        self.waiting = False
        self._polling = None

    def busy(self) -> bool:
        return super().busy() or self.waiting  # the idle timeout waits for the agent's answer

    def reset(self) -> None:
        super().reset()  # a poll scheduled before this finds the screen reset and drops its answer
        if self._polling is not None:
            self._polling.cancel()
        self._done_waiting()
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

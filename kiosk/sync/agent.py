"""The sync agent (`kiosk agent`, kiosk-agent.service): heartbeats, outbox pushes and full sync
passes on their intervals, with exponential backoff and jitter while the server is away.

The agent never stops because the server misbehaves: each part's failure becomes a `PartResult`
and a remembered error. A 401 stops syncing (the kiosk keeps serving citizens offline, the
technician screen says "not enrolled") until `kiosk enroll` writes a new token.

The technician's "sync now" and "enrol" reach the agent through the state database
(kiosk/device/agent_requests.py): a watcher thread claims them at once and wakes the loop, which
carries them out between its own steps (kiosk/sync/ui_requests.py)."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk import config, outbox, store
from kiosk.catalogue.store import catalogue_version
from kiosk.device import agent_requests, ui_commands
from kiosk.errors import BadAnswer, ConfigError, KioskError, NotEnrolled, SyncError
from kiosk.sync import identity, logs_upload
from kiosk.sync.answers import ServerCommand
from kiosk.sync.catalogue_sync import sync_catalogue
from kiosk.sync.client import DEFAULT_RETRY, RetryPolicy, ServerClient, Timeouts
from kiosk.sync.config_sync import sync_config
from kiosk.sync.heartbeat import send_heartbeat
from kiosk.sync.outbox_push import push_outbox
from kiosk.sync.queue_status import fetch_queue_status
from kiosk.sync.report import PartResult, PassReport, remember
from kiosk.sync.server_commands import Handler, restart_ui, run_commands
from kiosk.sync.status import applied_config_version
from kiosk.sync.ui_requests import RequestWatcher, carry_out

log = logging.getLogger("kiosk.sync")
OUTBOX_POLL_S = 5.0
ENROLL_POLL_S = 10.0
# A Retry-After is obeyed up to an hour; a server asking for more is probably misconfigured.
MAX_RETRY_AFTER_S = 3600.0
ReleaseHook = Callable[[dict[str, Any] | None], None]


class Agent:
    def __init__(
        self,
        db: sqlite3.Connection,
        state_dir: Path,
        loaded: config.Loaded,
        *,
        site_file: Path | None = None,
        handlers: Mapping[str, Handler] | None = None,
        on_release: ReleaseHook | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        outbox_poll_s: float = OUTBOX_POLL_S,
    ) -> None:
        """`handlers` add to or replace the command handlers; `on_release` is called after
        every answered heartbeat with its `release` ({"version", "manifest_url"} or None: no
        rollout targets this kiosk now). `outbox_poll_s`: how often new events are looked for
        between heartbeats."""
        self.db = db
        self.state_dir = state_dir
        self.loaded = loaded
        self.site_file = site_file
        self.retry = retry
        self.outbox_poll_s = outbox_poll_s
        self.handlers: dict[str, Handler] = {
            "sync_now": self._sync_now,
            "restart_ui": restart_ui,
            "upload_logs": self._upload_logs,
            **(handlers or {}),
        }
        self.on_release = on_release
        self._client: ServerClient | None = None
        self._token_stamp: float | None = None
        self._full_requested = False
        self._wake = threading.Event()
        self._watcher: RequestWatcher | None = None
        self.failures = 0

    # --- one pass -------------------------------------------------------------------------

    def sync_once(self) -> PassReport:
        """Every part once: outbox, heartbeat (and its commands), config, catalogue."""
        report = PassReport()
        self._full_requested = False
        parts = (
            ("outbox", self._outbox),
            ("heartbeat", self._heartbeat),
            ("config", self._config),
            ("catalogue", self._catalogue),
        )
        for name, part in parts:
            result = self._run_part(name, part)
            report.parts.append(result)
            if result.figures.get("not_enrolled"):
                break
            if result.figures.get("unreachable"):
                # Each further call would wait out its own deadline on a dead link.
                report.parts.extend(
                    PartResult(later, False, "skipped: the server did not answer")
                    for later, _ in parts[len(report.parts) :]
                )
                break
        if outbox.counts(self.db)["pending"] and report.ok:
            report.parts.append(self._run_part("outbox", self._outbox))  # command.done events
        return report

    def heartbeat_pass(self) -> PassReport:
        """Outbox, heartbeat and commands; config and catalogue only when the server has newer."""
        report = PassReport()
        report.parts.append(self._run_part("outbox", self._outbox))
        if report.parts[0].figures.get("unreachable"):
            return report
        report.parts.append(self._run_part("heartbeat", self._heartbeat))
        beat = report.parts[-1]
        if beat.ok and beat.figures.get("config_behind"):
            report.parts.append(self._run_part("config", self._config))
        if beat.ok and beat.figures.get("catalogue_behind"):
            report.parts.append(self._run_part("catalogue", self._catalogue))
        if beat.ok and outbox.counts(self.db)["pending"]:
            report.parts.append(self._run_part("outbox", self._outbox))
        if beat.ok:  # who is being served, for the service picker and the ticket (issue 14)
            report.parts.append(
                self._run_part("queue", lambda c: fetch_queue_status(c, self.db, self.state_dir))
            )
        return report

    def _run_part(self, name: str, part: Callable[[ServerClient], PartResult]) -> PartResult:
        try:
            result = part(self.client())
        except NotEnrolled as exc:
            self._not_enrolled(str(exc))
            result = PartResult(name, False, f"not enrolled: {exc}", {"not_enrolled": True})
        except BadAnswer as exc:  # it answered, wrongly: the other parts may still work
            result = PartResult(name, False, str(exc), call_failed=True)
        except SyncError as exc:
            result = PartResult(
                name,
                False,
                str(exc),
                {"unreachable": True},
                call_failed=True,
                retry_after_s=exc.retry_after_s,
            )
        except KioskError as exc:
            result = PartResult(name, False, str(exc))
        remember(self.db, result)
        log.log(logging.INFO if result.ok else logging.WARNING, "%s: %s", name, result.detail)
        return result

    def _outbox(self, client: ServerClient) -> PartResult:
        pushed = push_outbox(client, self.db)
        left = outbox.counts(self.db)
        detail = f"{pushed.accepted} accepted, {len(pushed.rejected)} rejected, {left['pending']} pending"
        if pushed.rejected:
            detail += f"; first rejected {pushed.rejected[0][0]}: {pushed.rejected[0][1]}"
        figures = {
            "accepted": pushed.accepted,
            "rejected": len(pushed.rejected),
            "pending": left["pending"],
            "kept_rejected": left["rejected"],
        }
        return PartResult("outbox", not pushed.rejected, detail, figures)

    def _heartbeat(self, client: ServerClient) -> PartResult:
        answer = send_heartbeat(client, self.db, self.state_dir)
        ran = run_commands(self.db, answer.commands, self.handlers)
        # Printer commands no UI took up in time are answered here (no UI running, or never idle).
        ui_commands.expire(self.db, datetime.now().astimezone())
        figures: dict[str, Any] = {
            "commands_run": len(ran),
            "config_behind": answer.config_version != (applied_config_version(self.state_dir) or 0),
            "catalogue_behind": answer.catalogue_version is not None
            and answer.catalogue_version != catalogue_version(self.db),
            "release": answer.release,
        }
        if self.on_release is not None:
            self.on_release(answer.release)  # the updater decides; its errors are its own to report
        return PartResult("heartbeat", True, f"answered; {len(ran)} command(s) run", figures)

    def _config(self, client: ServerClient) -> PartResult:
        result = sync_config(client, self.db, self.state_dir, self.loaded)
        if result.ok and "version" in result.figures:
            try:
                self.loaded = config.load(site_file=self.site_file, state_dir=self.state_dir)
            except ConfigError as exc:  # checked before writing; kept for safety
                log.error("settings reload failed, the previous ones stay: %s", exc)
        return result

    def _catalogue(self, client: ServerClient) -> PartResult:
        return sync_catalogue(client, self.db)

    def _sync_now(self, command: ServerCommand) -> tuple[bool, str]:
        self._full_requested = True
        return True, "a full sync pass follows"

    def _upload_logs(self, command: ServerCommand) -> tuple[bool, str]:
        try:
            collected = logs_upload.collect()
        except KioskError as exc:
            return False, str(exc)
        if not collected.lines:  # journalctl says nothing when it may not read the journal
            return False, "the journal has no lines of the kiosk's units (is the agent in systemd-journal?)"
        logs_upload.upload_logs(self.client(), command.id, collected)  # a failure is the handler's
        size = len(collected.text.encode()) / 1024
        return True, f"{collected.lines} lines of the last day's journal sent ({size:.0f} kB)"

    # --- identity -------------------------------------------------------------------------

    def client(self) -> ServerClient:
        """The client for the enrolled server, rebuilt when the token file changes."""
        stamp = _mtime(identity.token_path(self.state_dir))
        if self._client is None or stamp != self._token_stamp:
            if self._client is not None:
                self._client.close()
            self._client = None
            who = identity.identity(self.db, self.state_dir)
            if who is None:
                raise NotEnrolled("this kiosk is not enrolled; run `kiosk enroll CODE --server URL`")
            server = self.loaded.settings.server
            self._client = ServerClient(
                who.server_url,
                who.token,
                ca_file=server.ca_file,
                retry=self.retry,
                timeouts=Timeouts(server.connect_timeout_s, server.read_timeout_s, server.call_deadline_s),
            )
            self._token_stamp = stamp
        return self._client

    def _not_enrolled(self, reason: str) -> None:
        store.set_state(self.db, identity.NOT_ENROLLED, reason[:300])

    def enrolled(self) -> bool:
        if store.get_state(self.db, identity.NOT_ENROLLED) is None:
            return True
        # A new token (kiosk enroll) lifts the stop.
        return _mtime(identity.token_path(self.state_dir)) != self._token_stamp

    # --- the loop -------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Until `stop` is set: heartbeats, outbox pushes and full passes; backs off on failure.
        The UI's requests are carried out as soon as they come, also while waiting."""
        clock = time.monotonic
        next_full = next_beat = next_outbox = clock()
        self._start_watcher(stop)
        while not stop.is_set():
            now = clock()
            server = self.loaded.settings.server
            try:
                self.answer_requests()
                if not self.enrolled():
                    self._sleep(stop, ENROLL_POLL_S)
                    continue
                if now >= next_full or self._full_requested:
                    backoff = self.backoff_after(self.sync_once())
                    next_full = clock() + (backoff or server.sync_interval_s)
                    next_beat = clock() + (backoff or server.heartbeat_interval_s)
                elif now >= next_beat:
                    backoff = self.backoff_after(self.heartbeat_pass())
                    next_beat = clock() + (backoff or server.heartbeat_interval_s)
                    next_full = max(next_full, next_beat) if backoff else next_full
                elif now >= next_outbox and self.failures == 0 and outbox.counts(self.db)["pending"]:
                    self._run_part("outbox", self._outbox)
                next_outbox = clock() + self.outbox_poll_s
            except Exception:  # the loop boundary: log with the traceback and carry on
                log.exception("sync agent step failed")
                next_beat = clock() + self.retry.delay(max(1, self.failures))
            self._sleep(stop, max(0.05, min(next_full, next_beat, next_outbox) - clock()))
        if self._watcher is not None:
            self._watcher.join()

    # --- the UI's requests ----------------------------------------------------------------

    def _start_watcher(self, stop: threading.Event) -> None:
        path = next((row[2] for row in self.db.execute("PRAGMA database_list") if row[1] == "main"), "")
        if not path:  # an in-memory database: no UI can share it
            return
        self._watcher = RequestWatcher(path, self._wake)
        self._watcher.start(stop)

    def _sleep(self, stop: threading.Event, seconds: float) -> None:
        """Wait until `seconds` pass, `stop` is set, or the watcher claimed a request (it also
        wakes the loop when `stop` ends it)."""
        if self._watcher is None or not self._watcher.alive():
            stop.wait(seconds)
        else:
            self._wake.wait(seconds)
        self._wake.clear()

    def answer_requests(self) -> None:
        """Carry out every request the watcher claimed and write each answer, once."""
        while self._watcher is not None and not self._watcher.claimed.empty():
            request = self._watcher.claimed.get()
            try:
                server = self.loaded.settings.server
                ok, result = carry_out(request, self.sync_once, self.db, self.state_dir, server)
            except Exception as exc:  # the loop's boundary: answered as failed, never retried
                log.exception("UI request %s (%s) failed", request.id, request.kind)
                ok, result = False, {"error": f"failed: {exc}"[:500]}
            agent_requests.answer(self.db, request.id, ok, result)
            log.info("UI request %s (%s): %s", request.id, request.kind, "done" if ok else "failed")
            if ok and request.kind == agent_requests.ENROL:
                self._full_requested = True  # a new kiosk fetches its settings and catalogue now

    def backoff_after(self, report: PassReport) -> float:
        """0 after a pass whose calls all got through; else seconds to wait: a growing,
        jittered backoff (cap 5 min), or the server's Retry-After when that is longer."""
        failed = [p for p in report.parts if p.call_failed]
        if not failed:
            self.failures = 0
            return 0.0
        self.failures += 1
        asked = min(MAX_RETRY_AFTER_S, max((p.retry_after_s or 0.0) for p in failed))
        return max(asked, min(self.retry.cap_s, self.retry.delay(self.failures)))


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime_ns / 1e9
    except OSError:
        return None

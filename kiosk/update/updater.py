"""The kiosk updater (DESIGN.md, invariant 4): verified before installed, kept only if healthy.

offer (heartbeat names release V) → free disk → signed manifest → Ed25519 signature against the
pinned key set, downgrade and agent-version checks → download every file (resumable) and check
every SHA-256 → pip install into releases/V/venv → `kiosk selftest` from the new release → wait
until the UI is idle → back up the database → switch `current` → ask the UI to exit and exit the
agent (systemd starts both on the new code) → the new UI must report healthy within the deadline
→ keep; else (deadline, crash loop) switch back, restore the database if needed, restart. Every
end queues an update.result event.

The agent drives it: `offer(answer["release"])` after each heartbeat and `step()` in a loop of its
own thread, sleeping `progress.wait_s` between calls and exiting (code 0) when
`progress.exit_agent` is set.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import sysconfig
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk import __version__, store
from kiosk.config import Settings
from kiosk.device import health
from kiosk.errors import UpdateError
from kiosk.protocol.release_manifest import (
    PINNED_KEYS_DIR,
    KeySet,
    check_files,
    manifest_digest,
    verify_envelope,
    version_key,
)
from kiosk.update import gate, retry
from kiosk.update.db import backup_database, schema_of
from kiosk.update.download import Downloader, DownloadOptions, HttpGet, file_url
from kiosk.update.install import (
    ReleaseLayout,
    check_free_disk,
    install_release,
    remove_old_releases,
    run_selftest,
    switch_current,
)

OFFER_KEY = "update.offer"
log = logging.getLogger("kiosk.updater")


def platform_tag() -> str:
    """This machine's wheel platform, e.g. linux_aarch64 on a 64-bit Raspberry Pi OS."""
    return sysconfig.get_platform().replace("-", "_").replace(".", "_")


@dataclass(frozen=True)
class UpdaterOptions:
    gate: gate.GateOptions = field(default_factory=gate.GateOptions)
    download: DownloadOptions = field(default_factory=DownloadOptions)
    # Disk kept free for the database and logs besides what the release needs.
    reserve_bytes: int = 200 * 2**20
    busy_poll_s: float = 5.0
    # After a transient failure (a damaged file, a full disk, the network) the same release is
    # tried again after retry_after_s, then after twice as long each time, up to retry_cap_s.
    retry_after_s: float = 600.0
    retry_cap_s: float = 6 * 3600.0
    # A refused version is looked at again this often, in case it was signed anew.
    refused_recheck_s: float = 3600.0
    selftest_timeout_s: float = 300.0
    # Added to the new venv's path; for development and tests only (see install_release).
    extra_site_packages: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Progress:
    """What `step` did: `state` for status displays, how long to wait before the next step,
    and whether the agent must exit now so systemd starts it on the release now current."""

    state: str
    detail: str = ""
    wait_s: float = 5.0
    exit_agent: bool = False


@dataclass(frozen=True)
class Prepared:
    version: str
    digest: str
    release_dir: Path


class Updater:
    def __init__(
        self,
        *,
        db: sqlite3.Connection,
        state_dir: Path,
        layout: ReleaseLayout,
        keys: KeySet,
        http: HttpGet,
        services: gate.Services,
        current_version: str,
        timezone: str,
        options: UpdaterOptions | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.state_dir = state_dir
        self.layout = layout
        self.keys = keys
        self.services = services
        self.current_version = current_version
        self.options = options or UpdaterOptions()
        self.clock = clock
        self.downloader = Downloader(http, self.options.download)
        self.reporter = gate.Reporter(db, timezone)
        self._prepared: Prepared | None = None
        self._retry_at: dict[str, float] = {}
        self._digest = ""
        self._backoff = retry.Backoff(self.options.retry_after_s, self.options.retry_cap_s)

    def offer(self, release: Mapping[str, Any] | None) -> None:
        """The heartbeat's `release` ({"version", "manifest_url"} or null): what to move to."""
        offer_release(self.db, release)

    def step(self) -> Progress:
        """Do the next piece of work; blocks for a download and install, never for a gate."""
        record = gate.load_json(self.db, gate.SWITCH_KEY)
        if record:
            return self._watch(record)
        offer = gate.load_json(self.db, OFFER_KEY)
        version = offer.get("version")
        if not version or not self._wanted(version):
            self._prepared = None
            return Progress("idle", wait_s=30.0)
        if self._prepared is None or self._prepared.version != version:
            try:
                self._prepared = self._prepare(version, offer["manifest_url"])
            except UpdateError as exc:
                return self._failed(version, exc)
            if self._prepared is None:
                return Progress("idle", wait_s=30.0)
        reason = health.busy_reason(self.db)
        if reason:
            self.reporter.status(f"{version} ready; waiting for the kiosk to be idle ({reason})")
            return Progress("waiting_idle", reason, wait_s=self.options.busy_poll_s)
        restarts = self.services.ui_restart_count()
        if restarts is None:  # systemctl failed or timed out (a loaded kiosk): see start_counting_restarts
            self.reporter.status(f"{version} ready; waiting for systemd's count of UI restarts")
            return Progress("waiting_supervisor", wait_s=self.options.busy_poll_s)
        return self._switch(self._prepared, restarts)

    def _wanted(self, version: str) -> bool:
        if version == self.current_version:
            return False
        # The transient schedule is in the database: a restarted agent keeps to it.
        due = max(self._retry_at.get(version, 0.0), retry.due_at(self.db, version))
        return self.clock() >= due

    def _prepare(self, version: str, manifest_url: str) -> Prepared | None:
        envelope = self.downloader.get_json(manifest_url)
        unverified = envelope.get("manifest") if isinstance(envelope, dict) else None
        self._digest = manifest_digest(unverified) if isinstance(unverified, dict) else ""
        refused = gate.load_json(self.db, gate.REFUSED_KEY).get(version)
        if refused and refused.get("digest") == self._digest:
            # Already failed and reported; look again later in case it is signed anew.
            self._retry_at[version] = self.clock() + self.options.refused_recheck_s
            return None
        self.reporter.status(f"preparing {version}")
        manifest = verify_envelope(envelope, self.keys)
        self._check_allowed(version, manifest)
        files_dir = self.layout.downloads(version)
        check_free_disk(self.layout, manifest, self.options.reserve_bytes)
        files_dir.mkdir(parents=True, exist_ok=True)
        for entry in manifest["files"]:
            url = file_url(manifest_url, entry["name"])
            self.downloader.fetch_file(url, files_dir / entry["name"], entry["size"], entry["sha256"])
        check_files(manifest, files_dir)
        release_dir = install_release(
            self.layout, envelope, files_dir, extra_site_packages=self.options.extra_site_packages
        )
        run_selftest(self.layout, release_dir, self.state_dir, self.options.selftest_timeout_s)
        retry.clear(self.db)
        return Prepared(version, self._digest, release_dir)

    def _check_allowed(self, version: str, manifest: Mapping[str, Any]) -> None:
        if manifest["version"] != version:
            raise UpdateError(f"manifest is for {manifest['version']}, not the offered {version}")
        if manifest["platform"] not in ("any", platform_tag()):
            raise UpdateError(f"release is for {manifest['platform']}, this kiosk is {platform_tag()}")
        if version_key(version) < version_key(self.current_version) and not manifest["rollback"]:
            raise UpdateError(
                f"downgrade from {self.current_version} to {version} refused: "
                "the manifest is not signed with rollback: true"
            )
        min_agent = manifest.get("min_agent")
        if min_agent and version_key(self.current_version) < version_key(min_agent):
            raise UpdateError(f"release needs agent {min_agent}; this one is {self.current_version}")

    def _failed(self, version: str, exc: UpdateError) -> Progress:
        """A transient failure is tried again later (the schedule survives restarts) and reported
        once per stage in a row of failures, with `retrying`; any other refuses this signed
        manifest for good."""
        news = True
        if exc.transient:
            news = retry.schedule(self.db, version, exc.stage, self.clock(), self._backoff).news
        else:
            retry.clear(self.db)
            gate.refuse(self.db, version, self._digest, exc.stage, str(exc))
            self._retry_at[version] = self.clock() + self.options.refused_recheck_s
            self._discard(version)
        if news:
            self.reporter.result(
                False, exc.stage, self.current_version, version, str(exc), retrying=exc.transient
            )
        return Progress("failed", str(exc), wait_s=30.0)

    def _discard(self, version: str) -> None:
        """Remove what a refused release left (never the running or the previous release)."""
        shutil.rmtree(self.layout.downloads(version), ignore_errors=True)
        target = self.layout.release_dir(version)
        kept = {self.layout.current_target(), self._resolved(self.layout.previous)}
        if target.exists() and target.resolve() not in kept:
            shutil.rmtree(target, ignore_errors=True)

    @staticmethod
    def _resolved(link: Path) -> Path | None:
        return link.resolve() if link.is_symlink() else None

    def _switch(self, prepared: Prepared, restarts: int) -> Progress:
        old = self.layout.current_target()
        if old is None:
            raise UpdateError("no current release to update from", "install")
        backup = backup_database(self.state_dir, prepared.version)
        now = self.clock()
        record = {
            "from": self.current_version,
            "to": prepared.version,
            "from_dir": str(old),
            "to_dir": str(prepared.release_dir),
            "digest": prepared.digest,
            "switched_at": now,
            "backup": str(backup),
            "schema_before": schema_of(backup),
        }
        gate.start_counting_restarts(record, restarts)
        gate.save_json(self.db, gate.SWITCH_KEY, record)  # before the switch: survives a crash
        switch_current(self.layout, prepared.release_dir)
        health.request_ui_exit(self.db, f"update to {prepared.version}")
        self.reporter.status(f"switched to {prepared.version}; waiting for the UI to be healthy")
        self._prepared = None
        return Progress("switched", prepared.version, wait_s=0.0, exit_agent=True)

    def _watch(self, record: dict[str, Any]) -> Progress:
        options, now = self.options.gate, self.clock()
        if self.layout.current_target() != Path(record["to_dir"]).resolve():
            store.set_state(self.db, gate.SWITCH_KEY, "")  # the switch itself never happened
            return Progress("idle", "switch not completed; preparing again", wait_s=1.0)
        gate.count_restarts(record, self.services.ui_restart_count(), now)
        gate.save_json(self.db, gate.SWITCH_KEY, record)
        crashes = gate.crash_loop(record, options, now)
        if crashes:
            reason = f"the UI restarted {crashes} times within {options.crash_window_s:.0f} s"
            return self._roll_back(record, reason)
        if record.get("healthy_at") is None:
            return self._await_health(record, now)
        if now - record["healthy_at"] >= options.crash_window_s:
            store.set_state(self.db, gate.SWITCH_KEY, "")
            remove_old_releases(self.layout, [Path(record["to_dir"]), Path(record["from_dir"])])
            self.reporter.status(f"running {record['to']}")
            return Progress("kept", record["to"], wait_s=30.0)
        return Progress("healthy", record["to"], wait_s=2.0)

    def _await_health(self, record: dict[str, Any], now: float) -> Progress:
        options, switched_at = self.options.gate, record["switched_at"]
        if gate.ui_healthy_since(self.db, record["to"], switched_at):
            record["healthy_at"] = now
            gate.save_json(self.db, gate.SWITCH_KEY, record)
            detail = f"healthy {now - switched_at:.1f} s after the switch"
            self.reporter.result(True, "health", record["from"], record["to"], detail)
            return Progress("healthy", detail, wait_s=2.0)
        if now - switched_at > options.health_deadline_s:
            started = gate.ui_restarted_since(self.db, switched_at)
            what = "started but did not report healthy" if started else "did not start"
            return self._roll_back(record, f"the UI {what} within {options.health_deadline_s:.0f} s")
        old_ui_lingers = not gate.ui_restarted_since(self.db, switched_at)
        if old_ui_lingers and not record.get("ui_stopped") and now - switched_at > options.exit_grace_s:
            self.services.stop_ui()  # the old UI never reached an idle moment to exit at
            record["ui_stopped"] = True
            gate.save_json(self.db, gate.SWITCH_KEY, record)
        return Progress("switched", record["to"], wait_s=0.5)

    def _roll_back(self, record: dict[str, Any], reason: str) -> Progress:
        detail = gate.roll_back(self.db, self.state_dir, self.layout, self.reporter, reason)
        self.services.stop_ui()
        if detail is None:  # kiosk-rollback.service was quicker; the agent restarts all the same
            detail = f"{record['to']} already rolled back"
        return Progress("rolled_back", detail, wait_s=0.0, exit_agent=True)

    def status(self) -> dict[str, Any]:
        """For heartbeats and the technician screen."""
        return {
            **update_status(self.db, self.current_version),
            "switch": gate.load_json(self.db, gate.SWITCH_KEY) or None,
        }


def offer_release(db: sqlite3.Connection, release: Mapping[str, Any] | None) -> bool:
    """Record the heartbeat's `release` as what the updater should move to; True when that
    changed. The agent calls it on its own connection (the updater's belongs to its thread)."""
    wanted = (
        {}
        if release is None
        else {"version": str(release["version"]), "manifest_url": str(release["manifest_url"])}
    )
    if gate.load_json(db, OFFER_KEY) == wanted:
        return False
    gate.save_json(db, OFFER_KEY, wanted)
    return True


def update_status(db: sqlite3.Connection, running: str) -> dict[str, Any]:
    """The running version, what the updater is doing and its last result (heartbeat field
    `update`; `kiosk update status`)."""
    return {
        "running": running,
        "status": store.get_state(db, gate.STATUS_KEY) or "idle",
        "last_result": gate.load_json(db, gate.LAST_RESULT_KEY) or None,
    }


def device_updater(state_dir: Path, settings: Settings, http: HttpGet) -> Updater:
    """The updater of a device: /opt/kiosk (or $KIOSK_RELEASES_ROOT), the keys pinned in
    /etc/kiosk/release-keys, systemd as the supervisor, this code's version as the running one.
    It opens its own database connection, as it runs in its own thread; `http` should use a
    requests.Session of its own too. Raises UpdateError when no key is pinned (the agent reports
    it and runs without updates)."""
    keys = KeySet.from_dir(PINNED_KEYS_DIR)
    db = store.open_state(state_dir)
    return Updater(
        db=db,
        state_dir=state_dir,
        layout=ReleaseLayout.default(),
        keys=keys,
        http=http,
        services=gate.SystemdServices(db),
        current_version=__version__,
        timezone=settings.site.timezone,
    )


def run_loop(updater: Updater, stop: threading.Event, wake: threading.Event | None = None) -> Progress | None:
    """Step `updater` until `stop` is set (returns None) or the agent must exit to be started
    on the release now current (returns that Progress). For the agent's updater thread.
    Setting `wake` ends a wait early (a new offer arrived; or `stop` was just set)."""
    pause = wake or stop
    while not stop.is_set():
        try:
            progress = updater.step()
        except Exception:  # a thread boundary: log, wait, try again; never kill the agent
            log.exception("updater step failed")
            progress = Progress("error", "see the agent log", wait_s=60.0)
        if progress.exit_agent:
            return progress
        pause.wait(progress.wait_s)
        if wake is not None:
            wake.clear()
    return None

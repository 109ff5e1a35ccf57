"""Rollback paths besides the health deadline: self-test failures, crash loops after the UI was
healthy, the systemd safety net (`kiosk update rollback` run from the previous release), disk
space, and the database a new release migrated."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk import outbox, store
from kiosk.protocol.release_manifest import sign_manifest
from kiosk.update.db import backup_database, restore_database, schema_of
from kiosk.update.gate import (
    SWITCH_KEY,
    GateOptions,
    count_restarts,
    crash_loop,
    start_counting_restarts,
)
from kiosk.update.updater import platform_tag
from tests.fixtures_updates import V1, V2, Device, Keys
from tests.release_server import ReleaseServer
from tests.update.test_updater_e2e import Published, update_results

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def test_release_whose_selftest_fails_is_never_switched_to(
    make_device: Callable[..., Device], published: Published
) -> None:
    device = make_device(published(V1, V1))
    published("broken", V2)
    device.offer(V2)

    device.run_until(lambda p: p.state == "failed")

    assert device.layout.current_target() == device.layout.release_dir(V1).resolve()
    assert not device.layout.release_dir(V2).exists()
    [result] = update_results(device)
    assert (result["ok"], result["stage"]) == (False, "selftest")
    assert "kiosk_dependency_not_in_the_bundle" in result["detail"]  # the broken import, named
    assert device.supervisor.restarts == 0  # the UI was never disturbed


def test_crash_loop_after_the_ui_was_healthy_rolls_back(
    make_device: Callable[..., Device], published: Published
) -> None:
    device = make_device(published(V1, V1))
    published(V2, V2)
    device.offer(V2)
    device.run_until(lambda p: p.state == "healthy")

    states: list[str] = []
    for _crash in range(3):  # the new UI dies three times within the crash window
        before = device.supervisor.restarts
        device.supervisor.stop_ui()
        seen = device.run_until(
            lambda p, b=before: p.state == "rolled_back" or device.supervisor.restarts > b
        )
        states += [p.state for p in seen]
        device.clock.advance(30)
    if "rolled_back" not in states:  # the third restart was not looked at yet
        device.run_until(lambda p: p.state == "rolled_back")

    assert device.layout.current_target() == device.layout.release_dir(V1).resolve()
    ok, failed = update_results(device)
    assert ok["ok"] is True and failed["ok"] is False
    assert "restarted 3 times" in failed["detail"]


def test_switch_waits_for_a_known_restart_count_so_the_first_crash_is_not_taken_for_its_own_restart(
    make_device: Callable[..., Device], published: Published
) -> None:
    """systemctl may fail or time out on a loaded kiosk. Counting from the first count known
    after the switch could take in the switch's own restart and leave it pending, so the first
    crash would be discounted instead."""
    device = make_device(published(V1, V1))
    published(V2, V2)
    device.supervisor.count_known = False
    device.offer(V2)

    device.run_until(lambda p: p.state == "waiting_supervisor")

    assert device.layout.current_target() == device.layout.release_dir(V1).resolve()
    assert store.get_state(device.db, SWITCH_KEY) in (None, "")
    device.supervisor.count_known = True
    device.run_until(lambda p: p.state == "healthy")
    assert device.layout.current_target() == device.layout.release_dir(V2).resolve()


def test_after_a_reboot_on_probation_the_first_restart_is_a_crash() -> None:
    """The UI the switch asked to exit is gone with the reboot; the counter starts again at 0."""
    options = GateOptions(crash_restarts=3, crash_window_s=300.0)
    record: dict[str, Any] = {}
    start_counting_restarts(record, 5)
    count_restarts(record, 0, now=100.0)  # rebooted before the old UI exited

    for crashes in (1, 2, 3):
        count_restarts(record, crashes, now=100.0 + crashes)

    assert crash_loop(record, options, now=110.0) == 3


def test_own_restart_is_not_a_crash_whenever_it_is_counted() -> None:
    """The switch's own restart may be seen in the same count as the crashes after it."""
    options = GateOptions(crash_restarts=3, crash_window_s=300.0)
    record: dict[str, Any] = {}
    start_counting_restarts(record, 5)

    count_restarts(record, 5 + 1 + 3, now=100.0)  # own restart and three crashes, seen at once

    assert crash_loop(record, options, now=100.0) == 3
    count_restarts(record, 5 + 1 + 3, now=101.0)
    assert crash_loop(record, options, now=101.0) == 3  # nothing counted twice


def rollback_command(device: Device, release: Path) -> subprocess.CompletedProcess[str]:
    """What kiosk-rollback.service runs, with the code of `release`."""
    argv = [
        str(release / "venv/bin/kiosk"),
        "--state-dir",
        str(device.state_dir),
        "update",
        "rollback",
        "--releases-root",
        str(device.layout.root),
    ]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


def test_systemd_safety_net_rolls_back_with_the_previous_release(
    make_device: Callable[..., Device], published: Published
) -> None:
    """kiosk-rollback.service runs `previous/venv/bin/kiosk update rollback` when the new agent
    itself crash-loops and so cannot run the health gate."""
    device = make_device(published(V1, V1))
    published("crash", V2)
    device.offer(V2)
    device.run_until(lambda p: p.state == "switched")  # the new agent never comes up

    done = rollback_command(device, device.layout.previous)

    assert done.returncode == 0, done.stderr
    assert "crash loop reported by systemd" in done.stdout
    assert device.layout.current_target() == device.layout.release_dir(V1).resolve()
    [result] = update_results(device)
    assert (result["to"], result["ok"]) == (V2, False)
    again = rollback_command(device, device.layout.current)
    assert "nothing to roll back" in again.stdout  # idempotent: the agent may have been first
    assert store.get_state(device.db, SWITCH_KEY) == ""


def test_not_enough_disk_is_reported_before_any_download(
    make_device: Callable[..., Device],
    published: Published,
    keys: Keys,
    release_server: ReleaseServer,
) -> None:
    from kiosk.protocol.release_manifest import load_private_key

    device = make_device(published(V1, V1))
    manifest = {
        "version": V2,
        "platform": platform_tag(),
        "rollback": False,
        "files": [{"name": "huge.whl", "sha256": "0" * 64, "size": 2**50}],
    }
    envelope = sign_manifest(manifest, load_private_key(keys.signing))
    (release_server.releases_dir / V2).mkdir()
    (release_server.releases_dir / V2 / "manifest.json").write_text(json.dumps(envelope))
    device.offer(V2)

    device.run_until(lambda p: p.state == "failed")

    [result] = update_results(device)
    assert (result["ok"], result["stage"]) == (False, "download")
    assert "not enough disk" in result["detail"]
    assert release_server.file_requests("huge.whl") == []


def test_rollback_restores_a_migrated_database_and_keeps_new_outbox_events(state_dir: Path) -> None:
    db = store.open_state(state_dir)
    with store.transaction(db):
        outbox.add(db, "kiosk.started", {}, datetime.now(ZONE))
    backup = backup_database(state_dir, V2)
    # The new release migrates the schema and the kiosk keeps working: one more event.
    db.execute("CREATE TABLE added_by_v2 (x INTEGER)")
    db.execute(f"PRAGMA user_version = {store.latest_version() + 1}")
    with store.transaction(db):
        after = outbox.add(db, "ticket.issued", {"ticket": "A001"}, datetime.now(ZONE))

    carried = restore_database(state_dir, backup, keep_as=f"failed-{V2}")

    assert carried == 1
    assert schema_of(state_dir / store.DB_NAME) == store.latest_version()
    assert [e.type for e in outbox.pending(db)] == ["kiosk.started", "ticket.issued"]
    assert outbox.pending(db)[1].id == after
    kept = sqlite3.connect(state_dir / "backups" / f"kiosk-failed-{V2}.db")
    assert kept.execute("SELECT name FROM sqlite_master WHERE name = 'added_by_v2'").fetchone()
    kept.close()
    store.connect(state_dir / store.DB_NAME).close()  # the old code opens it again

"""Staged rollouts on the server: canary group first, then growing shares of the fleet, halt at
the failure threshold, pause, resume and roll back. Real SQLite, real published releases."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from central import rollouts
from central.release_bundles import ReleaseError, publish
from tests.fixtures_updates import V1, V2, Keys, make_bundle

FLEET = [f"kiosk-{i:04d}" for i in range(400)]
CANARY = {"kiosk-0001", "kiosk-0002", "kiosk-0003"}


def group_of(device: str) -> str | None:
    return "pilot" if device in CANARY else None


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(tmp_path / "central.db", isolation_level=None)
    rollouts.ensure_schema(connection)
    yield connection
    connection.close()


@pytest.fixture
def releases(tmp_path: Path, keys: Keys, release_wheels: dict[str, Path]) -> Path:
    releases_dir = tmp_path / "releases"
    publish(
        make_bundle(tmp_path / "v1", release_wheels[V1], V1, keys.signing),
        releases_dir,
        keys.pinned,
    )
    publish(
        make_bundle(tmp_path / "v2", release_wheels[V2], V2, keys.signing),
        releases_dir,
        keys.pinned,
    )
    return releases_dir


def offered(conn: sqlite3.Connection, version: str = V1) -> set[str]:
    return {d for d in FLEET if rollouts.release_for(conn, d, group_of(d), version) is not None}


def result(ok: bool) -> dict[str, object]:
    return {"from": V1, "to": V2, "ok": ok, "stage": "health", "detail": ""}


def test_canary_group_first_then_growing_shares_of_the_fleet(
    conn: sqlite3.Connection, releases: Path
) -> None:
    rollout = rollouts.start(conn, releases, V2, stages=[10, 50, 100], canary_group="pilot")
    assert offered(conn) == CANARY
    answer = rollouts.release_for(conn, "kiosk-0001", "pilot", V1)
    assert answer == {"version": V2, "manifest_url": f"/api/v1/releases/{V2}/manifest"}

    seen = [offered(conn)]
    for _ in range(3):
        rollouts.advance(conn, rollout.id)
        seen.append(offered(conn))
    assert all(a < b for a, b in zip(seen, seen[1:], strict=False))  # each stage only adds devices
    shares = [len(s - CANARY) / len(FLEET) for s in seen[1:]]
    assert 0.05 < shares[0] < 0.15 and 0.4 < shares[1] < 0.6 and len(seen[-1]) == len(FLEET)
    assert offered(conn, version=V2) == set()  # devices already on V2 are left alone


def test_placement_is_deterministic_per_device(conn: sqlite3.Connection, releases: Path) -> None:
    rollout = rollouts.start(conn, releases, V2, stages=[30, 100])
    first = offered(conn)
    assert offered(conn) == first
    assert first == {d for d in FLEET if rollouts.bucket(V2, d) < 30}
    assert rollout.percent == 30


def test_rollout_halts_when_failures_reach_the_threshold(conn: sqlite3.Connection, releases: Path) -> None:
    rollout = rollouts.start(conn, releases, V2, stages=[100], failure_threshold=0.25, min_results=4)
    devices = sorted(offered(conn))[:4]
    for device, ok in zip(devices[:3], (True, True, False), strict=True):
        assert rollouts.record_result(conn, device, result(ok)).state == "running"  # type: ignore[union-attr]

    halted = rollouts.record_result(conn, devices[3], result(True))  # 1 of 4 failed: 25 %

    assert halted is not None and halted.state == "halted"
    assert "1 of 4 updates failed" in halted.reason
    assert offered(conn) == set()  # nobody else gets the release
    assert rollouts.resume(conn, rollout.id).state == "running"
    assert devices[2] not in offered(conn)  # the device that failed is not asked to try again


def test_latest_result_per_device_counts(conn: sqlite3.Connection, releases: Path) -> None:
    rollout = rollouts.start(conn, releases, V2, stages=[100], failure_threshold=0.5, min_results=2)
    rollouts.record_result(conn, "kiosk-0001", result(False))
    rollouts.record_result(conn, "kiosk-0001", result(True))  # healthy after all
    rollouts.record_result(conn, "kiosk-0002", result(True))
    assert rollouts.counts(conn, rollout.id) == {"ok": 2, "failed": 0}
    assert rollouts.get(conn, rollout.id).state == "running"
    other = {"from": V2, "to": "9.9.9", "ok": False, "stage": "verify", "detail": ""}
    assert rollouts.record_result(conn, "kiosk-0003", other) is None  # not this rollout's version


def test_pause_and_resume(conn: sqlite3.Connection, releases: Path) -> None:
    rollout = rollouts.start(conn, releases, V2, stages=[100])
    assert rollouts.pause(conn, rollout.id).state == "paused"
    assert offered(conn) == set()
    with pytest.raises(ReleaseError, match="resume it first"):
        rollouts.advance(conn, rollout.id)
    assert rollouts.resume(conn, rollout.id).state == "running"
    assert offered(conn) == set(FLEET)


def test_stage_advances_by_itself_after_enough_successes(conn: sqlite3.Connection, releases: Path) -> None:
    rollout = rollouts.start(conn, releases, V2, stages=[10, 100], canary_group="pilot", advance_after_ok=3)
    for device in sorted(CANARY):
        rollouts.record_result(conn, device, result(True))
    assert rollouts.get(conn, rollout.id).percent == 10


def test_roll_back_needs_a_release_signed_as_rollback(
    conn: sqlite3.Connection,
    releases: Path,
    tmp_path: Path,
    keys: Keys,
    release_wheels: dict[str, Path],
) -> None:
    rollout = rollouts.start(conn, releases, V2, stages=[100])
    with pytest.raises(ReleaseError, match="not signed with rollback: true"):
        rollouts.roll_back(conn, releases, rollout.id, V1)

    bundle = make_bundle(tmp_path / "v1-rb", release_wheels[V1], V1, keys.signing, rollback=True)
    publish(bundle, releases, keys.pinned)
    back = rollouts.roll_back(conn, releases, rollout.id, V1)

    assert back.state == "rolled_back"
    assert rollouts.release_for(conn, "kiosk-0009", None, V2) == {
        "version": V1,
        "manifest_url": f"/api/v1/releases/{V1}/manifest",
    }
    assert rollouts.release_for(conn, "kiosk-0009", None, V1) is None  # never took V2


def test_start_refuses_unpublished_versions_and_bad_stages(conn: sqlite3.Connection, releases: Path) -> None:
    with pytest.raises(ReleaseError, match="not published"):
        rollouts.start(conn, releases, "7.0.0")
    with pytest.raises(ReleaseError, match="growing percentages"):
        rollouts.start(conn, releases, V2, stages=[50, 10])
    rollouts.start(conn, releases, V2)
    with pytest.raises(ReleaseError, match="finish it first"):
        rollouts.start(conn, releases, V1)

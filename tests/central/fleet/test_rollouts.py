"""Staged rollouts on the server: canary first, then growing shares of the fleet, halt at the
failure threshold, pause, resume and roll back. Through the real store (a SQLite file and a
PostgreSQL database: each test runs on both), real update.result events as the device API
stores them, and real published releases."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from central.api.events import check_event
from central.api.models import EventIn
from central.auth import hash_secret
from central.fleet import policy as rollout_policy
from central.fleet import rollouts
from central.fleet.bundles import ReleaseError, publish
from central.store.contract import CentralStore, Device, Rollout, RolloutPlan, Site
from tests.fixtures_updates import V1, V2, Keys, make_bundle

NOW = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
SITE = Site("me-linh-xa", "UBND xã Mê Linh", "Asia/Ho_Chi_Minh")
PILOT_SITE = Site("tien-phong-xa", "UBND xã Tiền Phong", "Asia/Ho_Chi_Minh")
FLEET = [f"kiosk-{i:04d}" for i in range(400)]
CANARY = ("kiosk-0001", "kiosk-0002", "kiosk-0003")  # enrolled for real: a canary names real devices


@pytest.fixture
def store(central_store: CentralStore) -> Iterator[CentralStore]:
    central = central_store
    central.put_site(SITE)
    central.put_site(PILOT_SITE)
    for n, _ in enumerate(CANARY):
        central.add_enrollment_code(hash_secret(f"code{n}"), SITE.id, NOW + timedelta(days=1))
        central.enroll(hash_secret(f"code{n}"), f"rpi-{n}", V1, hash_secret(f"token{n}"), NOW)
    yield central


@pytest.fixture
def releases(tmp_path: Path, keys: Keys, release_wheels: dict[str, Path]) -> Path:
    releases_dir = tmp_path / "releases"
    for version in (V1, V2):
        bundle = make_bundle(tmp_path / version, release_wheels[version], version, keys.signing)
        publish(bundle, releases_dir, keys.pinned)
    return releases_dir


def offered(store: CentralStore, version: str = V1, site: str = SITE.id) -> set[str]:
    return {d for d in FLEET if rollouts.release_for(store, d, site, version) is not None}


def report(store: CentralStore, device_id: str, ok: bool, to: str = V2) -> None:
    """An update.result event as the device API takes it in: checked, stored, then reviewed."""
    data = {"from": V1, "to": to, "ok": ok, "stage": "health", "detail": "" if ok else "did not start"}
    event = check_event(EventIn(id=str(uuid.uuid4()), type="update.result", at=NOW.isoformat(), data=data))
    device = Device(device_id, SITE.id, f"rpi-{device_id}", NOW)
    store.add_events(device, [event], NOW)
    rollouts.review(store, NOW)


def start(store: CentralStore, releases: Path, version: str = V2, **plan: Any) -> Rollout:
    return rollouts.start(store, releases, RolloutPlan(version, **plan), NOW)


def test_canary_first_then_growing_shares_of_the_fleet(store: CentralStore, releases: Path) -> None:
    rollout = start(store, releases, stages=(10, 50, 100), canary_devices=CANARY)
    assert offered(store) == set(CANARY)
    assert rollouts.release_for(store, "kiosk-0001", SITE.id, V1) == V2

    seen = [offered(store)]
    for _ in range(3):
        rollouts.act(store, rollout.id, "advance", NOW)
        seen.append(offered(store))
    assert all(a < b for a, b in zip(seen, seen[1:], strict=False))  # each stage only adds devices
    shares = [len(s - set(CANARY)) / len(FLEET) for s in seen[1:]]
    assert 0.05 < shares[0] < 0.15 and 0.4 < shares[1] < 0.6 and len(seen[-1]) == len(FLEET)
    assert offered(store, version=V2) == set()  # devices already on V2 are left alone
    assert offered(store, version="9.0.0") == set()  # nor is one on a newer version downgraded


def test_a_canary_site_sends_every_kiosk_of_that_site_first(store: CentralStore, releases: Path) -> None:
    start(store, releases, canary_sites=(PILOT_SITE.id,))
    assert offered(store, site=PILOT_SITE.id) == set(FLEET)
    assert offered(store, site=SITE.id) == set()


def test_placement_is_deterministic_per_device(store: CentralStore, releases: Path) -> None:
    rollout = start(store, releases, stages=(30, 100))
    first = offered(store)
    assert offered(store) == first
    assert first == {d for d in FLEET if rollout_policy.bucket(V2, d) < 30}
    assert rollout.percent == 30


def test_rollout_halts_when_failures_reach_the_threshold(store: CentralStore, releases: Path) -> None:
    rollout = start(store, releases, stages=(100,), failure_threshold=0.25, min_results=4)
    devices = sorted(offered(store))[:4]
    for device, ok in zip(devices[:3], (True, True, False), strict=True):
        report(store, device, ok)
        assert rollouts.get(store, rollout.id).state == "running"

    report(store, devices[3], True)  # 1 of 4 failed: 25 %

    halted = rollouts.get(store, rollout.id)
    assert halted.state == "halted"
    assert "1 of 4 updates failed" in halted.reason
    assert offered(store) == set()  # nobody else gets the release
    assert rollouts.act(store, rollout.id, "resume", NOW).state == "running"
    assert devices[2] not in offered(store)  # the device that failed is not asked to try again
    assert len(offered(store)) == len(FLEET) - 1


def test_latest_result_per_device_counts_once(store: CentralStore, releases: Path) -> None:
    rollout = start(store, releases, stages=(100,), failure_threshold=0.5, min_results=2)
    report(store, "kiosk-0001", False)
    report(store, "kiosk-0001", True)  # healthy after all
    report(store, "kiosk-0002", True)
    counts = store.rollout_counts(rollout.id)
    assert (counts.ok, counts.failed) == (2, 0)
    assert rollouts.get(store, rollout.id).state == "running"
    report(store, "kiosk-0003", False, to="9.9.9")  # not this rollout's version: not counted
    assert store.rollout_counts(rollout.id).reported == 2


def test_pause_and_resume(store: CentralStore, releases: Path) -> None:
    rollout = start(store, releases, stages=(100,))
    assert rollouts.act(store, rollout.id, "pause", NOW).state == "paused"
    assert offered(store) == set()
    with pytest.raises(ReleaseError, match="resume it first"):
        rollouts.act(store, rollout.id, "advance", NOW)
    assert rollouts.act(store, rollout.id, "resume", NOW).state == "running"
    assert offered(store) == set(FLEET)


def test_a_change_on_a_stale_view_is_a_conflict_not_a_lost_update(
    store: CentralStore, releases: Path
) -> None:
    rollout = start(store, releases, stages=(10, 100))
    rollouts.act(store, rollout.id, "pause", NOW)  # another operator, meanwhile
    with pytest.raises(rollouts.RolloutError, match="changed meanwhile") as refused:
        rollouts._apply(store, rollout, rollout_policy.transition(rollout, "advance"), NOW)
    assert refused.value.kind == "conflict"
    assert rollouts.get(store, rollout.id).state == "paused" and rollouts.get(store, rollout.id).stage == 0


def test_stage_advances_by_itself_after_enough_successes(store: CentralStore, releases: Path) -> None:
    rollout = start(store, releases, stages=(10, 100), canary_devices=CANARY, advance_after_ok=3)
    for device in CANARY[:2]:
        report(store, device, True)
    assert rollouts.get(store, rollout.id).stage == -1
    report(store, CANARY[2], True)
    assert rollouts.get(store, rollout.id).percent == 10


def test_roll_back_needs_a_release_signed_as_rollback(
    store: CentralStore,
    releases: Path,
    tmp_path: Path,
    keys: Keys,
    release_wheels: dict[str, Path],
) -> None:
    rollout = start(store, releases, stages=(100,))
    with pytest.raises(ReleaseError, match="not signed with rollback: true"):
        rollouts.roll_back(store, releases, rollout.id, V1, NOW)

    bundle = make_bundle(tmp_path / "v1-rb", release_wheels[V1], V1, keys.signing, rollback=True)
    publish(bundle, releases, keys.pinned)
    back = rollouts.roll_back(store, releases, rollout.id, V1, NOW)

    assert back.state == "rolled_back" and back.rollback_to == V1
    assert rollouts.release_for(store, "kiosk-0009", SITE.id, V2) == V1
    assert rollouts.release_for(store, "kiosk-0009", SITE.id, V1) is None  # never took V2


def test_start_refuses_unpublished_versions_bad_plans_and_a_moving_rollout(
    store: CentralStore, releases: Path
) -> None:
    with pytest.raises(ReleaseError, match="not published"):
        start(store, releases, "7.0.0")
    with pytest.raises(ReleaseError, match="growing percentages"):
        start(store, releases, stages=(50, 10))
    with pytest.raises(ReleaseError, match="names no device or site kiosk-0399, nowhere"):
        start(store, releases, canary_devices=("kiosk-0399",), canary_sites=("nowhere",))
    first = start(store, releases, stages=(10, 100))
    with pytest.raises(ReleaseError, match="finish it first"):
        start(store, releases, V1)
    rollouts.act(store, first.id, "advance", NOW)  # at its last stage: complete
    second = start(store, releases, V1, stages=(100,))
    assert rollouts.get(store, first.id).state == "done"
    assert store.current_rollout() == second


def test_a_halted_rollout_is_replaced_by_the_next_one(store: CentralStore, releases: Path) -> None:
    halted = start(store, releases, stages=(10, 100), min_results=1)
    report(store, "kiosk-0001", False)
    assert rollouts.get(store, halted.id).state == "halted"
    fixed = start(store, releases, V2, stages=(100,))
    assert fixed.state == "running" and store.rollout_counts(fixed.id).reported == 0
    assert "kiosk-0001" in offered(store)  # a new rollout: the device may try again

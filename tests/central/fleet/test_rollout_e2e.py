"""A staged rollout end to end: real release bundles of this repository published into the real
server's releases directory, a rollout started through the admin API, real kiosks (their own
state databases, the sync agent's real client) heartbeating over loopback and reporting their
update results, until the failures halt the rollout."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from central.fleet.policy import bucket
from kiosk.protocol.release_manifest import verify_envelope
from kiosk.sync.client import API
from tests.fixtures_central import Kiosk, RunningServer, publish_releases
from tests.fixtures_updates import V2, Keys


@pytest.fixture
def served_releases(
    central_server: RunningServer, tmp_path: Path, keys: Keys, release_wheels: dict[str, Path]
) -> None:
    publish_releases(central_server, tmp_path, keys, release_wheels)


def heartbeat(kiosk: Kiosk) -> dict[str, Any] | None:
    """One heartbeat pass of the kiosk's sync agent (outbox first); the `release` it was offered."""
    offers: list[dict[str, Any]] = []
    report = kiosk.agent(on_release=offers.append).heartbeat_pass()
    assert report.ok, report
    return offers[-1] if offers else None


def test_rollout_offers_the_canary_then_halts_on_failed_updates(
    central_server: RunningServer,
    served_releases: None,
    make_kiosk: Callable[[], Kiosk],
    keys: Keys,
) -> None:
    fleet = [make_kiosk() for _ in range(4)]
    canary, others = fleet[:2], fleet[2:]
    answer = central_server.admin(
        "POST",
        "/rollouts",
        {
            "version": V2,
            "canary": {"devices": [k.device_id for k in canary]},
            "stages": [100],
            "failure_threshold": 0.5,
            "min_results": 2,
        },
    )
    assert answer.status_code == 201, answer.text
    rollout = answer.json()
    assert (rollout["state"], rollout["stage"], rollout["targeted"]) == ("running", -1, 2)

    offer = heartbeat(canary[0])
    assert offer == {"version": V2, "manifest_url": f"/api/v1/releases/{V2}/manifest"}
    assert all(heartbeat(k) is None for k in others)  # the canary goes first
    # What the kiosk fetches next verifies against the pinned release key.
    envelope = canary[0].agent().client().call("GET", offer["manifest_url"]).data
    assert verify_envelope(envelope, keys.pinned)["version"] == V2
    assert f"{API}/releases" in offer["manifest_url"]

    canary[0].report_update(False, V2, "health", "giao diện không khởi động")
    assert heartbeat(canary[0]) is None  # it failed: not asked to try again
    status = central_server.admin("GET", f"/rollouts/{rollout['id']}").json()
    assert (status["state"], status["failed"]) == ("running", 1)  # 1 result < min_results

    canary[1].report_update(False, V2, "selftest", "module missing")
    assert heartbeat(canary[1]) is None

    halted = central_server.admin("GET", f"/rollouts/{rollout['id']}").json()
    assert halted["state"] == "halted"
    assert (halted["ok"], halted["failed"], halted["targeted"]) == (0, 2, 2)
    assert "2 of 2 updates failed" in halted["reason"]
    assert {f["device_id"] for f in halted["failures"]} == {k.device_id for k in canary}
    assert "giao diện không khởi động" in {f["detail"] for f in halted["failures"]}
    refused = central_server.admin("POST", f"/rollouts/{rollout['id']}/advance")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "rollout_conflict"
    assert all(heartbeat(k) is None for k in others)  # halted: nobody else gets it


def test_stages_reach_the_fleet_by_bucket_and_successes_keep_it_going(
    central_server: RunningServer, served_releases: None, make_kiosk: Callable[[], Kiosk]
) -> None:
    fleet = [make_kiosk() for _ in range(3)]
    low = min(fleet, key=lambda k: bucket(V2, k.device_id))
    cut = int(bucket(V2, low.device_id)) + 1  # a first stage that reaches `low`
    assert cut < int(max(bucket(V2, k.device_id) for k in fleet))  # and not everybody
    stages = [cut, 100]
    started = central_server.admin("POST", "/rollouts", {"version": V2, "stages": stages, "min_results": 1})
    rollout_id = started.json()["id"]
    reached = {k.device_id for k in fleet if heartbeat(k) is not None}
    assert low.device_id in reached
    assert reached == {k.device_id for k in fleet if bucket(V2, k.device_id) < stages[0]}

    low.report_update(True, V2)
    heartbeat(low)
    assert central_server.admin("GET", f"/rollouts/{rollout_id}").json()["ok"] == 1
    advanced = central_server.admin("POST", f"/rollouts/{rollout_id}/advance").json()
    assert (advanced["percent"], advanced["state"], advanced["targeted"]) == (100, "running", 3)
    assert all(heartbeat(k) is not None for k in fleet if k is not low)
    assert heartbeat(low) is not None  # its heartbeat still says 0.1.0: it never switched


def test_a_kiosk_that_will_try_again_is_still_offered_the_release(
    central_server: RunningServer, served_releases: None, make_kiosk: Callable[[], Kiosk]
) -> None:
    kiosk = make_kiosk()
    started = central_server.admin("POST", "/rollouts", {"version": V2, "stages": [100], "min_results": 5})
    rollout_id = started.json()["id"]
    assert heartbeat(kiosk) is not None

    # A file damaged on the server: not the release's fault; the kiosk tries again by itself.
    kiosk.report_update(False, V2, "verify", "kiosk-1.1.0.whl: SHA-256 differs", retrying=True)
    assert heartbeat(kiosk) == {"version": V2, "manifest_url": f"/api/v1/releases/{V2}/manifest"}
    [failure] = central_server.admin("GET", f"/rollouts/{rollout_id}").json()["failures"]
    assert failure["stage"] == "verify"  # counted and shown all the same

    kiosk.report_update(False, V2, "selftest", "self-test failed (1 of 40 checks): import kiosk.outbox")
    assert heartbeat(kiosk) is None  # refused for good: not offered again

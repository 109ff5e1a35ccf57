"""The heartbeat's one store call (`heartbeat`, on PostgreSQL one statement) on both stores:
it records the heartbeat as `record_heartbeat` does and reads what the single-purpose calls
would read: the config version, the catalogue head, the current rollout with this device's
result in it, and the commands the device owes, oldest first."""

from __future__ import annotations

from datetime import timedelta

from central.store.contract import (
    CentralStore,
    IncomingEvent,
    RolloutPlan,
    UpdateResult,
)
from central.store.heartbeat import compose_heartbeat
from tests.central.store.test_store_contract import NOW, SITE, enrolled

BEAT = {"app_version": "1.0.0", "printer": {"state": "ready"}, "uptime_s": 5}


def test_a_heartbeat_with_nothing_to_say(central_store: CentralStore) -> None:
    device = central_store.get_device(enrolled(central_store))
    assert device is not None
    view = central_store.heartbeat(device, BEAT, NOW)
    assert (view.config_version, view.catalogue_version, view.rollout, view.rollout_result) == (
        0,
        None,
        None,
        None,
    )
    assert view.commands == []
    seen = central_store.get_device(device.id)
    assert seen is not None and (seen.last_heartbeat, seen.last_seen_at) == (BEAT, NOW)


def test_a_heartbeat_reads_what_the_single_calls_read(central_store: CentralStore) -> None:
    device = central_store.get_device(enrolled(central_store))
    other = central_store.get_device(enrolled(central_store, "rpi-2", "code-2", "tok-2"))
    assert device is not None and other is not None
    central_store.set_config("site", SITE.id, {"ui": {"idle_timeout_s": 60}})
    newest = central_store.set_config("device", device.id, {"ui": {"idle_timeout_s": 90}})
    central_store.set_config("device", other.id, {"ui": {"idle_timeout_s": 30}})  # not this one's
    first = central_store.add_command(device.id, "sync_now", {}, NOW)
    second = central_store.add_command(device.id, "upload_logs", {"lines": 200}, NOW + timedelta(seconds=1))
    central_store.add_command(other.id, "sync_now", {}, NOW)
    rollout = central_store.create_rollout(RolloutPlan("1.1.0", stages=(100,)), None, NOW)
    failed = UpdateResult("1.1.0", False, "health", "the UI did not start", retrying=True)
    event = IncomingEvent("e-1", "update.result", NOW.isoformat(), {"to": "1.1.0"}, failed)
    central_store.add_events(device, [event], NOW)

    view = central_store.heartbeat(device, BEAT, NOW + timedelta(seconds=2))
    assert view.config_version == newest
    assert [(c.id, c.type, c.args) for c in view.commands] == [
        (first.id, "sync_now", {}),
        (second.id, "upload_logs", {"lines": 200}),
    ]
    assert view.rollout == rollout
    assert view.rollout_result is not None
    assert (view.rollout_result.ok, view.rollout_result.retrying) == (False, True)
    assert view == compose_heartbeat(central_store, device, BEAT, NOW + timedelta(seconds=2))
    assert central_store.heartbeat(other, BEAT, NOW).rollout_result is None

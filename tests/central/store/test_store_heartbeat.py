"""The heartbeat's one store call (`heartbeat`, on PostgreSQL one statement) on both stores:
it finds the device by its token as `device_by_token` does, records the heartbeat as
`record_heartbeat` does and reads what the single-purpose calls would read: the config
version, the catalogue head, the current rollout with this device's result in it, and the
commands the device owes, oldest first. An unknown or revoked token records nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from central.auth import hash_secret
from central.store.contract import (
    CentralStore,
    HeartbeatView,
    IncomingEvent,
    RolloutPlan,
    UpdateResult,
)
from central.store.heartbeat import compose_heartbeat
from tests.central.store.test_store_contract import NOW, SITE, enrolled

BEAT = {"app_version": "1.0.0", "printer": {"state": "ready"}, "uptime_s": 5}


def beat(store: CentralStore, token: str, at: datetime) -> HeartbeatView:
    found = store.heartbeat(hash_secret(token), BEAT, at)
    assert found is not None
    return found[1]


def test_an_unknown_or_revoked_token_records_nothing(central_store: CentralStore) -> None:
    device = enrolled(central_store)
    assert central_store.heartbeat(hash_secret("not-a-token"), BEAT, NOW) is None
    central_store.revoke_device(device, NOW)
    assert central_store.heartbeat(hash_secret("tok-1"), BEAT, NOW) is None
    found = central_store.get_device(device)
    assert found is not None and found.last_heartbeat is None


def test_a_heartbeat_with_nothing_to_say(central_store: CentralStore) -> None:
    device = central_store.get_device(enrolled(central_store))
    assert device is not None
    found = central_store.heartbeat(hash_secret("tok-1"), BEAT, NOW)
    assert found is not None and found[0] == device
    view = found[1]
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

    view = beat(central_store, "tok-1", NOW + timedelta(seconds=2))
    assert view.config_version == newest
    assert [(c.id, c.type, c.args) for c in view.commands] == [
        (first.id, "sync_now", {}),
        (second.id, "upload_logs", {"lines": 200}),
    ]
    assert view.rollout == rollout
    assert view.rollout_result is not None
    assert (view.rollout_result.ok, view.rollout_result.retrying) == (False, True)
    composed = compose_heartbeat(central_store, hash_secret("tok-1"), BEAT, NOW + timedelta(seconds=2))
    assert composed is not None and composed[1] == view
    assert beat(central_store, "tok-2", NOW).rollout_result is None

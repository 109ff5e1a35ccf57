"""`sync.last_error` says what is wrong now: set when a part of a sync pass fails, gone once the
part works again, so a kiosk that had one bad pass (a server restart) is not marked with an
error for ever. Fail → succeed → heartbeat, through the misbehaving server to the real one."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest

from kiosk import store
from kiosk.sync.report import LAST_ERROR, PartResult, remember
from tests.fixtures_central import FaultyServer, Kiosk

FAULTS: dict[str, Callable[[FaultyServer], object]] = {
    "server down": lambda f: f.down(),
    "catalogue 500": lambda f: f.fail("status", path="/api/v1/catalogue", times=999, status=500),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_last_error_is_cleared_after_a_successful_pass(
    flaky_kiosk: Kiosk, faulty: FaultyServer, fault: str
) -> None:
    agent = flaky_kiosk.agent()
    FAULTS[fault](faulty)
    assert not agent.sync_once().ok
    assert store.get_state(flaky_kiosk.db, LAST_ERROR)
    faulty.clear()
    faulty.up() if fault == "server down" else None
    assert agent.sync_once().ok
    assert store.get_state(flaky_kiosk.db, LAST_ERROR) is None
    assert agent.heartbeat_pass().ok
    device = flaky_kiosk.server.store.get_device(flaky_kiosk.device_id)
    assert device is not None and device.last_heartbeat is not None
    assert device.last_heartbeat["last_error"] is None, "a healthy kiosk still reports an old error"


def test_another_part_still_failing_keeps_its_error(db: sqlite3.Connection) -> None:
    remember(db, PartResult("config", False, "settings version 9 rejected"))
    remember(db, PartResult("catalogue", False, "server answered 500"))
    remember(db, PartResult("catalogue", True, "up to date"))
    assert store.get_state(db, LAST_ERROR) == "config: settings version 9 rejected"
    remember(db, PartResult("config", True, "applied"))
    assert store.get_state(db, LAST_ERROR) is None
    store.set_state(db, LAST_ERROR, "updates disabled: no release keys")
    remember(db, PartResult("outbox", True, "0 accepted"))
    assert store.get_state(db, LAST_ERROR) == "updates disabled: no release keys", "not the sync's to clear"


def test_updates_enabled_again_take_their_error_back(kiosk: Kiosk) -> None:
    from kiosk.update.agent_updates import build_updater, report_unavailable

    agent = kiosk.agent()
    report_unavailable(kiosk.db, "no release keys")
    assert store.get_state(kiosk.db, LAST_ERROR) == "updates disabled: no release keys"
    assert build_updater(agent, lambda *_: object()) is not None  # type: ignore[arg-type]
    assert store.get_state(kiosk.db, LAST_ERROR) is None

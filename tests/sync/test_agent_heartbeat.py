"""What the heartbeat tells the real server about the UI and the printer: the printer state the
UI recorded (kiosk.services.record_printer_status) and the UI's health (kiosk.device.health), read from
the state database the UI process shares with the agent."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from typing import Any

from kiosk.device import health
from kiosk.drivers.ports import PrinterState, PrinterStatus
from kiosk.services import record_printer_status
from tests.fixtures_central import Kiosk
from tests.fixtures_core import REPO
from tests.sync.test_sync_agent import wait_for

STAND_IN = REPO / "tests" / "ui_stand_in.py"


def beat(kiosk: Kiosk) -> dict[str, Any]:
    """One heartbeat as the agent sends it; what the server stored."""
    assert kiosk.agent().heartbeat_pass().ok
    device = kiosk.server.store.get_device(kiosk.device_id)
    assert device is not None and device.last_heartbeat is not None
    return device.last_heartbeat


def test_heartbeat_carries_the_printer_state_the_ui_recorded(kiosk: Kiosk) -> None:
    assert beat(kiosk)["printer"] is None  # no UI ever said anything: unknown, not "offline"

    status = PrinterStatus(PrinterState.paper_out, "hết giấy")
    record_printer_status(kiosk.db, status, datetime.now().astimezone())
    assert beat(kiosk)["printer"] == {"state": "paper_out", "detail": "hết giấy"}

    record_printer_status(kiosk.db, PrinterStatus(PrinterState.ready), datetime.now().astimezone())
    assert beat(kiosk)["printer"] == {"state": "ready", "detail": ""}


def test_heartbeat_ui_healthy_follows_the_ui_process(kiosk: Kiosk) -> None:
    assert beat(kiosk)["ui_healthy"] is None  # no UI has started on this kiosk

    # The UI stand-in does what kiosk/app.py does: started, first frame drawn, then idle.
    ui = subprocess.Popen([sys.executable, str(STAND_IN), str(kiosk.state_dir)], cwd=REPO)
    try:
        wait_for(lambda: health.read_ui_health(kiosk.db).healthy_at is not None, "the UI reported healthy")
        assert beat(kiosk)["ui_healthy"] is True
        health.request_ui_exit(kiosk.db, "test")
        assert ui.wait(timeout=30) == 0
    finally:
        if ui.poll() is None:
            ui.kill()
    assert beat(kiosk)["ui_healthy"] is False  # its report stays, but the process is gone


def test_heartbeat_ui_started_but_not_drawn_is_not_healthy(kiosk: Kiosk) -> None:
    health.report_ui_started(kiosk.db, "0.1.0")
    assert beat(kiosk)["ui_healthy"] is False
    health.report_ui_healthy(kiosk.db, "0.1.0", printer_driver_up=True)
    assert beat(kiosk)["ui_healthy"] is True

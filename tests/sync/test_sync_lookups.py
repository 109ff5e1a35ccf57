"""What the dossier and queue screens call from a worker thread: a value or a failure kind,
never an exception, never an old figure."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk import config
from kiosk.sync.client import Timeouts
from kiosk.sync.lookups import DossierResult, LookupFailure, QueueStatus, ServerLookups
from tests.central.api.test_central_dossiers import RECORD
from tests.fixtures_central import SITE, FaultyServer, Kiosk
from tests.fixtures_core import DEMO_CONFIG


def lookups(kiosk: Kiosk) -> ServerLookups:
    settings = config.load(site_file=DEMO_CONFIG, state_dir=kiosk.state_dir).settings
    # Roomier than the screen's 8 s: a busy test machine must not turn an answer into OFFLINE.
    return ServerLookups.from_state(settings, kiosk.db, kiosk.state_dir, Timeouts(2, 15, 30))


def test_dossier_found_masked_or_unknown(kiosk: Kiosk) -> None:
    kiosk.server.admin("POST", "/dossiers", {"dossiers": [RECORD]})
    lookup = lookups(kiosk)
    found = lookup.dossier("  000.00.06.H56-231027-0361 ")
    assert isinstance(found, DossierResult)
    assert found.applicant == "Nguyễn V*** A" and found.procedure == "Đăng ký khai sinh"
    assert lookup.dossier("000.00.06.H56-999999-0000") is LookupFailure.UNKNOWN
    assert lookup.dossier("a/b?c#d") is LookupFailure.UNKNOWN  # sent escaped, not as a path
    assert lookup.dossier("") is LookupFailure.INVALID_CODE
    assert lookup.dossier("x" * 101) is LookupFailure.INVALID_CODE


def test_offline_and_not_enrolled_are_told_apart(
    flaky_kiosk: Kiosk, faulty: FaultyServer, state_dir: Path
) -> None:
    lookup = lookups(flaky_kiosk)
    faulty.down()
    assert lookup.dossier("H56-1") is LookupFailure.OFFLINE
    assert lookup.queue() is LookupFailure.OFFLINE
    faulty.up()
    faulty.fail("body", "/api/v1/dossiers", body=b'{"code": "H56-1"}')
    assert lookup.dossier("H56-1") is LookupFailure.OFFLINE  # a wrong answer is not shown
    flaky_kiosk.server.admin("POST", f"/devices/{flaky_kiosk.device_id}/revoke")
    assert lookup.dossier("H56-1") is LookupFailure.NOT_ENROLLED
    nobody = ServerLookups(None)
    assert nobody.dossier("H56-1") is LookupFailure.NOT_ENROLLED
    assert nobody.queue() is LookupFailure.NOT_ENROLLED


def test_queue_figures_are_live(kiosk: Kiosk) -> None:
    kiosk.add_tickets(3)
    kiosk.agent().sync_once()
    kiosk.server.admin("POST", f"/sites/{SITE.id}/queue/call", {"service": "A", "counter": "1"})
    status = lookups(kiosk).queue()
    assert isinstance(status, QueueStatus)
    served = {s.id: s for s in status.services}
    assert served["A"].waiting == 2 and served["A"].serving == "A001"
    assert datetime.fromisoformat(status.at).utcoffset() == datetime.now(ZoneInfo(SITE.timezone)).utcoffset()

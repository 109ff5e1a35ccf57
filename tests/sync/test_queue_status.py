"""The kiosk knows who is being served: after its heartbeat the agent keeps the server's queue
figures (GET /queue), the service picker reads "Đang phục vụ: A001" from them while fresh, the
ticket gets people ahead, and its QR opens the ticket's phone page on the server."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import requests

from kiosk import config
from kiosk.queue import issuing, waiting
from kiosk.queue.numbering import find_service, find_ticket
from kiosk.sync.queue_status import ticket_link_key
from tests.fixtures_calling import PASSWORD, Counter, demo_services
from tests.fixtures_central import SITE, Kiosk, RunningServer
from tests.fixtures_core import DEMO_CONFIG


def test_agent_keeps_the_queue_and_tickets_link_to_their_phone_page(
    central_server: RunningServer, kiosk: Kiosk
) -> None:
    from central.console.passwords import hash_password

    qr = central_server.url + "/p/{day}/{ticket}/{token}"
    settings_body = {"settings": {"queue": {"services": demo_services(), "ticket_qr_url": qr}}}
    central_server.admin("PUT", f"/sites/{SITE.id}/config", settings_body).raise_for_status()
    assert kiosk.agent().sync_once().ok
    kiosk.issue(3, service="A")
    assert kiosk.agent().heartbeat_pass().ok
    central_server.store.set_staff(SITE.id, "lan", "officer", hash_password(PASSWORD), central_server.clock())
    officer = Counter(central_server.url, "lan")
    officer.login()
    officer.seat("1", ["A"])
    assert officer.called() == "A001"
    report = kiosk.agent().heartbeat_pass()
    assert report.ok and "queue" in [p.part for p in report.parts]
    now = datetime.now(ZoneInfo(SITE.timezone))
    assert waiting.serving_now(kiosk.db, "A", now) == "A001"
    assert waiting.serving_now(kiosk.db, "A", now + timedelta(minutes=5)) is None  # stale: not shown
    settings = config.load(site_file=DEMO_CONFIG, state_dir=kiosk.state_dir).settings
    day = now.date().isoformat()
    wait = waiting.estimate(kiosk.db, find_service(settings, "A"), now, day)
    assert wait.live and wait.people_ahead == 2  # A002 and A003 wait
    ticket = find_ticket(kiosk.db, "A003", day)
    link = issuing.qr_url(settings, ticket, ticket_link_key(kiosk.db))
    assert link is not None and link.startswith(f"{central_server.url}/p/{day}/A003/")
    page = requests.get(link, timeout=10)
    assert page.status_code == 200 and "Còn 1 người trước quý khách" in page.text
    assert issuing.qr_url(settings, ticket, None) is None  # no key, no link that cannot work

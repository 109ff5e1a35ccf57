"""Numbering: series, days in the site timezone, clocks that lie, hours, limits, events."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk import outbox, store
from kiosk.errors import QueueError
from kiosk.queue import numbering as queue
from tests.fixtures_queue import HCM

UTC = ZoneInfo("UTC")


def issue(db, settings, clock, service="A", **kw):
    return queue.issue_ticket(db, settings, service, queue.site_now(clock, db, HCM), **kw)


def test_numbers_start_at_the_series_and_follow_without_gaps(db, queue_settings, clock) -> None:
    codes = [issue(db, queue_settings, clock).ticket for _ in range(3)]
    assert codes == ["A001", "A002", "A003"]
    assert [issue(db, queue_settings, clock, "B").ticket for _ in range(2)] == ["B500", "B501"]


def test_each_ticket_commits_with_its_issued_event(db, queue_settings, clock) -> None:
    ticket = issue(db, queue_settings, clock, priority="elderly", language="en")
    [event] = outbox.pending(db)
    assert event.type == "ticket.issued"
    assert event.data == {
        "ticket": "A001",
        "service": "A",
        "number": 1,
        "day": "2026-11-30",
        "priority": "elderly",
        "issued_at": "2026-11-30T09:00:00+07:00",
    }
    assert ticket.language == "en" and ticket.state == "issued"


def test_day_rolls_over_at_local_midnight_not_utc(db, queue_settings, clock) -> None:
    clock.moment = datetime(2026, 11, 30, 16, 59, tzinfo=UTC)  # 23:59 in Hồ Chí Minh
    assert issue(db, queue_settings, clock, "B").day == "2026-11-30"
    clock.moment = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 00:00 on 1 December
    ticket = issue(db, queue_settings, clock, "B")
    assert (ticket.day, ticket.ticket) == ("2026-12-01", "B500")


def test_day_start_later_than_midnight_keeps_the_night_on_the_previous_day(tmp_path, db) -> None:
    from kiosk import config

    site = tmp_path / "s.toml"
    site.write_text(
        '[site]\nday_start = "04:00"\n[[queue.services]]\nid = "A"\nname = "X"\n', encoding="utf-8"
    )
    settings = config.load(site_file=site).settings
    at_3am = datetime(2026, 12, 1, 3, 0, tzinfo=HCM)
    assert queue.issue_ticket(db, settings, "A", at_3am).day == "2026-11-30"
    assert queue.issue_ticket(db, settings, "A", at_3am + timedelta(hours=1)).day == "2026-12-01"


def test_clock_going_backwards_never_reuses_a_number(db, queue_settings, clock) -> None:
    clock.moment = datetime(2026, 12, 1, 9, 0, tzinfo=HCM)
    first = issue(db, queue_settings, clock)
    clock.moment = datetime(2026, 11, 30, 10, 0, tzinfo=HCM)  # clock jumped back a day
    second = issue(db, queue_settings, clock)
    assert (first.day, first.number) == ("2026-12-01", 1)
    assert (second.day, second.number) == ("2026-12-01", 2)
    clock.moment = datetime(2026, 12, 2, 8, 0, tzinfo=HCM)  # fixed and a new day
    assert issue(db, queue_settings, clock).ticket == "A001"


def test_clock_before_release_refuses_until_server_offset_fixes_it(db, queue_settings, clock) -> None:
    clock.moment = datetime(2000, 1, 3, 9, 0, tzinfo=HCM)  # a Pi without RTC after a power cut
    with pytest.raises(QueueError) as info:
        issue(db, queue_settings, clock)
    assert info.value.reason == "clock_wrong"
    assert db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 0
    assert outbox.pending(db) == []
    true_now = datetime(2026, 11, 30, 9, 0, tzinfo=HCM)
    store.set_state(db, queue.CLOCK_OFFSET_KEY, str((true_now - clock.moment).total_seconds()))
    ticket = issue(db, queue_settings, clock)
    assert (ticket.day, ticket.issued_at) == ("2026-11-30", true_now)


def test_series_exhausted_stops_that_service_only(db, queue_settings, clock) -> None:
    assert [issue(db, queue_settings, clock, "B").number for _ in range(4)] == [500, 501, 502, 503]
    with pytest.raises(QueueError) as info:
        issue(db, queue_settings, clock, "B")
    assert info.value.reason == "series_exhausted"
    assert issue(db, queue_settings, clock, "A").ticket == "A001"


@pytest.mark.parametrize(
    ("when", "is_open"),
    [
        (datetime(2026, 11, 30, 7, 29, tzinfo=HCM), False),  # Monday before opening
        (datetime(2026, 11, 30, 7, 30, tzinfo=HCM), True),
        (datetime(2026, 11, 30, 11, 30, tzinfo=HCM), False),  # lunch break
        (datetime(2026, 11, 30, 13, 30, tzinfo=HCM), True),
        (datetime(2026, 11, 30, 17, 0, tzinfo=HCM), False),
        (datetime(2026, 12, 5, 9, 0, tzinfo=HCM), True),  # Saturday morning
        (datetime(2026, 12, 6, 9, 0, tzinfo=HCM), False),  # Sunday
        (datetime(2026, 12, 1, 9, 0, tzinfo=HCM), False),  # Tuesday: not in C's hours
    ],
)
def test_outside_hours_is_closed(db, queue_settings, clock, when, is_open) -> None:
    clock.moment = when
    service = queue.find_service(queue_settings, "C")
    state = queue.availability(db, queue_settings, service, when)
    assert state.open is is_open
    if not is_open:
        assert state.reason == "closed"
        with pytest.raises(QueueError, match="closed"):
            issue(db, queue_settings, clock, "C")


def test_daily_limit_then_next_day_opens_again(db, queue_settings, clock) -> None:
    issue(db, queue_settings, clock, "C")
    issue(db, queue_settings, clock, "C")
    with pytest.raises(QueueError) as info:
        issue(db, queue_settings, clock, "C")
    assert info.value.reason == "daily_limit"
    clock.moment = datetime(2026, 12, 5, 8, 0, tzinfo=HCM)  # Saturday
    assert issue(db, queue_settings, clock, "C").number == 1


def test_priority_only_where_the_service_allows_it(db, queue_settings, clock) -> None:
    with pytest.raises(QueueError, match="does not take priority"):
        issue(db, queue_settings, clock, "B", priority="elderly")
    with pytest.raises(QueueError, match="does not take priority"):
        issue(db, queue_settings, clock, "A", priority="vip")
    assert issue(db, queue_settings, clock, "A", priority="merit").priority == "merit"


def test_unknown_service_names_the_known_ones(db, queue_settings, clock) -> None:
    with pytest.raises(QueueError, match="unknown service 'Z'; known: A, B, C"):
        issue(db, queue_settings, clock, "Z")


def test_print_outcomes_move_states_and_tell_the_server(db, queue_settings, clock) -> None:
    now = queue.site_now(clock, db, HCM)
    ticket = issue(db, queue_settings, clock)
    failed = queue.record_print(db, ticket, now, "paper_out")
    assert failed.state == "print_failed"
    again = queue.record_print(db, failed, now, None)
    assert again.state == "reprinted"
    voided = queue.void_ticket(db, again, now, "duplicate")
    assert queue.find_ticket(db, "a001").state == "voided" == voided.state
    types = [(e.type, e.data.get("reason")) for e in outbox.pending(db)]
    assert types == [
        ("ticket.issued", None),
        ("ticket.print_failed", "paper_out"),
        ("ticket.printed", None),
        ("ticket.voided", "duplicate"),
    ]
    assert json.loads(json.dumps(outbox.pending(db)[2].data)) == {
        "ticket": "A001",
        "day": "2026-11-30",
        "reprint": True,
    }


def test_find_unknown_ticket_is_a_clear_error(db) -> None:
    with pytest.raises(QueueError, match="no ticket A999 on 2026-11-30"):
        queue.find_ticket(db, "A999", "2026-11-30")

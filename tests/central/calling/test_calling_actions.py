"""Counter actions over loopback through the counter page's own endpoint: call next (priority,
then the oldest, across the counter's services), the idempotency key, recall, no-show and
call-back, served, transfer keeping the place, pause and close, refusals that change nothing,
late kiosk events joining in issue-time order, and every action stored once as an event."""

from __future__ import annotations

from datetime import timedelta

from central.context import utc_now
from tests.fixtures_calling import CallingSite
from tests.fixtures_central import SITE


def test_call_next_takes_priority_then_oldest_across_the_counters_services(calling_site: CallingSite) -> None:
    calling_site.issue("A001", "A002")
    calling_site.issue("B001", at=utc_now() - timedelta(hours=2))  # the oldest of all
    calling_site.issue("A003", priority="elderly")
    counter = calling_site.officer("lan", "1", ["A", "B"])
    called = [counter.called() for _ in range(5)]
    assert called == ["A003", "B001", "A001", "A002", None]


def test_a_counter_never_calls_a_service_it_does_not_serve(calling_site: CallingSite) -> None:
    calling_site.issue("B001")
    counter = calling_site.officer("lan", "1", ["A"])
    assert counter.called() is None
    assert calling_site.queue()["B"]["waiting"] == 1


def test_the_same_press_twice_calls_one_ticket(calling_site: CallingSite) -> None:
    calling_site.issue("A001", "A002")
    counter = calling_site.officer("lan", "1", ["A"])
    first = counter.press("call_next", key="press-0001-abcdef")
    again = counter.press("call_next", key="press-0001-abcdef")
    assert first.json()["ticket"]["ticket"] == again.json()["ticket"]["ticket"] == "A001"
    assert again.json()["repeated"] is True
    assert calling_site.queue()["A"]["waiting"] == 1  # A002 still waits: nobody was skipped
    events = calling_site.server.store.calling_events(SITE.id, 0, 100)
    assert [e.action for e in events].count("call_next") == 1


def test_recall_no_show_call_back_and_served(calling_site: CallingSite) -> None:
    calling_site.issue("A001", "A002")
    counter = calling_site.officer("lan", "1", ["A"])
    assert counter.called() == "A001"
    assert counter.called("recall", ticket="A001") == "A001"
    assert counter.called("no_show", ticket="A001") == "A001"
    assert counter.called() == "A002"
    assert counter.called("call_back", ticket="A001") == "A001"  # A002 is taken as served
    assert counter.called("served", ticket="A001") == "A001"
    refused = counter.press("served", ticket="A001")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "ticket_served"
    tickets = {t.ticket: t for t in calling_site.server.store.calling_tickets(SITE.id, calling_site.day)}
    assert tickets["A001"].state == tickets["A002"].state == "served"
    assert tickets["A001"].calls == 3
    actions = [e.action for e in calling_site.server.store.calling_events(SITE.id, 0, 100)]
    assert actions == ["open", "call_next", "recall", "no_show", "call_next", "call_back", "served"]


def test_a_no_show_cannot_be_called_back_after_the_window(calling_site: CallingSite) -> None:
    calling_site.issue("A001")
    counter = calling_site.officer("lan", "1", ["A"])
    counter.called()
    counter.called("no_show", ticket="A001")
    calling_site.server.clock.advance(601)
    refused = counter.press("call_back", ticket="A001")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "no_show_expired"


def test_transfer_keeps_the_place_by_issue_time(calling_site: CallingSite) -> None:
    calling_site.issue("A001", at=utc_now() - timedelta(hours=3))
    calling_site.issue("B001", "B002", at=utc_now() - timedelta(hours=2))
    a = calling_site.officer("lan", "1", ["A"])
    b = calling_site.officer("minh", "3", ["B"])
    assert a.called() == "A001"
    assert a.called("transfer", ticket="A001", to_service="B") == "A001"
    assert b.called() == "A001"  # issued before B001: first in B
    assert b.called() == "B001"
    assert calling_site.queue()["B"]["waiting"] == 1


def test_transfer_to_a_counter_is_called_by_that_counter_only(calling_site: CallingSite) -> None:
    calling_site.issue("A001", "A002")
    one = calling_site.officer("lan", "1", ["A"])
    two = calling_site.officer("minh", "2", ["A"])
    assert one.called() == "A001"
    one.called("transfer", ticket="A001", to_counter="10")
    assert two.called() == "A002"
    assert two.called() is None  # A001 waits for counter 10
    ten = calling_site.officer("hoa", "10", ["C"])
    assert ten.called() == "A001"


def test_a_ticket_transferred_to_a_counter_keeps_its_place_among_the_counters_services(
    calling_site: CallingSite,
) -> None:
    # Call next looks up the first of each service and of the counter's transfers, then takes
    # the first of those: issue time decides between them, and priority before both.
    calling_site.issue("C001", at=utc_now() - timedelta(hours=3))
    calling_site.issue("A001", at=utc_now() - timedelta(hours=2))
    calling_site.issue("C002", "A002")
    calling_site.issue("C003", priority="elderly")
    four = calling_site.officer("lan", "4", ["C"])
    assert four.called() == "C003"
    assert four.called() == "C001"
    four.called("transfer", ticket="C001", to_counter="1")
    one = calling_site.officer("minh", "1", ["A"])
    assert [one.called() for _ in range(4)] == ["C001", "A001", "A002", None]


def test_the_answered_event_is_the_stored_one(calling_site: CallingSite) -> None:
    calling_site.issue("A001", "A002", priority="disabled")
    counter = calling_site.officer("lan", "1", ["A"])
    answers = [counter.press(action).json()["event"] for action in ("call_next", "recall", "call_next")]
    stored = calling_site.server.store.calling_events(SITE.id, 0, 100)
    by_seq = {e.seq: e for e in stored}
    for answer in answers:
        event = by_seq[answer["seq"]]
        assert (answer["action"], answer["ticket"], answer["counter"], answer["priority"]) == (
            event.action,
            event.ticket,
            event.counter,
            event.data["priority"],
        )
        assert answer["at"] == event.at.isoformat()
    assert stored[-1].data == {"auto_served": ["A001"], "priority": "disabled"}


def test_a_paused_or_closed_counter_calls_nobody_until_opened(calling_site: CallingSite) -> None:
    calling_site.issue("A001")
    counter = calling_site.officer("lan", "1", ["A"])
    for mode in ("pause", "close"):
        assert counter.press(mode).status_code == 200
        refused = counter.press("call_next")
        assert refused.status_code == 409 and refused.json()["error"]["code"].startswith("counter_")
    counter.press("open")
    assert counter.called() == "A001"


def test_refusals_change_nothing(calling_site: CallingSite) -> None:
    calling_site.issue("A001")
    counter = calling_site.officer("lan", "1", ["A"])
    for fields, code in (
        ({"action": "recall"}, "nothing_called"),
        ({"action": "served", "ticket": "A999"}, "ticket_unknown"),
        ({"action": "no_show", "ticket": "A001"}, "ticket_not_called_here"),
        ({"action": "call_back", "ticket": "A001"}, "ticket_not_no_show"),
        ({"action": "explode"}, "bad_request"),
    ):
        answer = counter.press(**fields)
        assert answer.status_code == 409 and answer.json()["error"]["code"] == code, fields
        assert answer.json()["error"]["message"]  # in Vietnamese, for the page
    counter.called()
    refused = counter.press("transfer", ticket="A001", to_service="Z")
    assert refused.json()["error"]["code"] == "unknown_service"
    assert [e.action for e in calling_site.server.store.calling_events(SITE.id, 0, 100)] == [
        "open",
        "call_next",
    ]


def test_a_voided_ticket_is_never_called(calling_site: CallingSite) -> None:
    calling_site.issue("A001", "A002")
    # The kiosk voids A001.
    import uuid

    import requests

    requests.post(
        f"{calling_site.server.url}/api/v1/events",
        json={
            "events": [
                {
                    "id": str(uuid.uuid4()),
                    "type": "ticket.voided",
                    "at": utc_now().isoformat(),
                    "data": {"ticket": "A001", "day": calling_site.day},
                }
            ]
        },
        headers={"Authorization": f"Bearer {calling_site.token}"},
        timeout=10,
    ).raise_for_status()
    counter = calling_site.officer("lan", "1", ["A"])
    assert counter.called() == "A002"
    assert counter.press("call_back", ticket="A001").json()["error"]["code"] == "ticket_voided"


def test_late_kiosk_tickets_join_in_issue_time_order(calling_site: CallingSite) -> None:
    calling_site.issue("A101", "A102", at=utc_now() - timedelta(minutes=30))
    counter = calling_site.officer("lan", "1", ["A"])
    assert counter.called() == "A101"
    # A kiosk that was offline delivers tickets issued an hour ago: they are older, so next.
    calling_site.issue("A001", "A002", at=utc_now() - timedelta(hours=1))
    assert [counter.called() for _ in range(3)] == ["A001", "A002", "A102"]


def test_queue_figures_follow_the_calls(calling_site: CallingSite) -> None:
    calling_site.issue("A001", "A002", "A003")
    counter = calling_site.officer("lan", "1", ["A"])
    counter.called()
    calling_site.server.clock.advance(300)
    counter.called()
    figures = calling_site.queue()["A"]
    assert figures["waiting"] == 1 and figures["serving"] == "A002"
    assert figures["avg_service_s"] is not None and 290 <= figures["avg_service_s"] <= 310

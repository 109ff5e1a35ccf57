"""Event ids are the kiosk's to choose: the server stores each once per kiosk (device, id), so
two kiosks using the same id both keep their events; one kiosk re-sending an id with another
body is refused with a reason; and a kiosk's ticket events touch only its own tickets. Two
kiosks enrolled at one site, over loopback."""

from __future__ import annotations

from typing import Any

from tests.central.api.test_central_api import call, enroll, ticket_event
from tests.fixtures_central import SITE, RunningServer

DAY = "2026-11-28"


def void_event(event_id: str, ticket: str) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "ticket.voided",
        "at": "2026-11-28T09:00:00+07:00",
        "data": {"ticket": ticket, "day": DAY},
    }


def post(server: RunningServer, token: str, *events: dict[str, Any]) -> dict[str, Any]:
    answer = call(server, token, "POST", "/events", json={"events": list(events)})
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def tickets(server: RunningServer) -> dict[str, bool]:
    """Ticket → voided, as the queue reads them."""
    return {t.ticket: t.voided for t in server.store.tickets_of_day(SITE.id, DAY)}


def test_two_kiosks_may_use_the_same_event_id(central_server: RunningServer) -> None:
    kiosk_a, token_a = enroll(central_server, "rpi-a")
    kiosk_b, token_b = enroll(central_server, "rpi-b")
    assert post(central_server, token_a, ticket_event("same-id", "A012", DAY))["accepted"] == ["same-id"]
    answer_b = post(central_server, token_b, ticket_event("same-id", "A512", DAY))
    assert answer_b == {"accepted": ["same-id"], "rejected": []}
    assert set(tickets(central_server)) == {"A012", "A512"}, "kiosk B's ticket was dropped"
    stored = central_server.store.list_events(None, None, 0, 100)
    assert sorted((e.device_id, e.data["ticket"]) for e in stored) == [
        (kiosk_a, "A012"),
        (kiosk_b, "A512"),
    ]


def test_a_kiosk_reusing_an_id_for_another_event_is_told_why(central_server: RunningServer) -> None:
    _, token = enroll(central_server)
    first = ticket_event("e-1", "A012", DAY)
    assert post(central_server, token, first)["accepted"] == ["e-1"]
    assert post(central_server, token, first) == {"accepted": ["e-1"], "rejected": []}
    other = ticket_event("e-1", "A013", DAY)
    answer = post(central_server, token, other)
    assert answer["accepted"] == []
    assert [r["id"] for r in answer["rejected"]] == ["e-1"]
    assert "already used" in answer["rejected"][0]["reason"]
    assert set(tickets(central_server)) == {"A012"}
    assert len(central_server.store.list_events(None, None, 0, 100)) == 1


def test_a_kiosk_cannot_void_or_reissue_another_kiosks_ticket(central_server: RunningServer) -> None:
    _, token_a = enroll(central_server, "rpi-a")
    _, token_b = enroll(central_server, "rpi-b")
    post(central_server, token_a, ticket_event("a-1", "A012", DAY))
    answer = post(
        central_server,
        token_b,
        void_event("b-1", "A012"),
        ticket_event("b-2", "A012", DAY),
    )
    assert answer["accepted"] == []
    reasons = {r["id"]: r["reason"] for r in answer["rejected"]}
    assert set(reasons) == {"b-1", "b-2"}
    assert all("another kiosk" in reason for reason in reasons.values())
    assert tickets(central_server) == {"A012": False}, "kiosk B voided kiosk A's ticket"
    assert post(central_server, token_a, void_event("a-2", "A012"))["accepted"] == ["a-2"]
    assert tickets(central_server) == {"A012": True}

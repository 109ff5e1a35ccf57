"""Catalogue sync over loopback: a full catalogue, then deltas, then nothing new; and through a
flaky link, a bad answer of any kind never replaces the good catalogue, which keeps serving."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bench.bench_catalogue import generate
from kiosk.catalogue.search import search
from kiosk.catalogue.store import catalogue_version, export_catalogue, get_procedure
from kiosk.sync.catalogue_sync import sync_catalogue
from tests.fixtures_central import FaultyServer, Kiosk


def publish(kiosk: Kiosk, document: dict[str, Any]) -> None:
    answer = kiosk.server.admin("POST", "/catalogue", document)
    assert answer.status_code == 201, answer.text


def edited(document: dict[str, Any], version: int, renamed: int = 10, dropped: int = 0) -> dict[str, Any]:
    """The next version: `renamed` procedures changed, the last `dropped` removed."""
    doc = copy.deepcopy(document)
    doc["version"] = version
    for proc in doc["procedures"][:renamed]:
        proc["name"] += " (sửa đổi)"
    if dropped:
        del doc["procedures"][-dropped:]
    return doc


def part(report: Any, name: str) -> Any:
    return next(p for p in report.parts if p.part == name)


def test_full_then_delta_then_current(kiosk: Kiosk) -> None:
    v1 = generate(60)
    publish(kiosk, v1)
    agent = kiosk.agent()
    first = part(agent.sync_once(), "catalogue")
    assert first.ok and first.figures == {
        "wire_bytes": first.figures["wire_bytes"],
        "version": 1,
        "full": True,
    }
    assert catalogue_version(kiosk.db) == 1
    assert [p["code"] for p in export_catalogue(kiosk.db)["procedures"]] == [
        p["code"] for p in v1["procedures"]
    ]
    v2 = edited(v1, 2, renamed=10, dropped=2)
    publish(kiosk, v2)
    second = part(agent.heartbeat_pass(), "catalogue")  # the heartbeat says 2 is out
    assert second.ok and second.figures["full"] is False and second.figures["version"] == 2
    assert second.figures["wire_bytes"] < first.figures["wire_bytes"] / 2
    assert get_procedure(kiosk.db, v1["procedures"][0]["code"])["name"].endswith("(sửa đổi)")  # type: ignore[index]
    assert get_procedure(kiosk.db, v1["procedures"][-1]["code"]) is None
    assert export_catalogue(kiosk.db)["procedures"] == export_catalogue_of(v2)
    third = part(agent.sync_once(), "catalogue")
    assert third.ok and third.detail == "version 2 is current"


def export_catalogue_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    from kiosk.protocol.catalogue_format import validate

    return [dict(p) for p in validate(document).procedures]


def test_nothing_published_is_not_a_failure(kiosk: Kiosk) -> None:
    result = part(kiosk.agent().sync_once(), "catalogue")
    assert result.ok and "no catalogue yet" in result.detail


BAD_ANSWERS = [
    ("truncated", {"kind": "truncated", "forward": True}, "broke off"),
    ("invalid JSON", {"kind": "body", "body": b'{"version": 3, "full": tru'}, "not valid JSON"),
    (
        "wrong shape",
        {
            "kind": "body",
            "body": b'{"version": 3, "full": true, "fields": [], "upserts": [{"code": 7}], "deletes": []}',
        },
        "catalogue answer refused",
    ),
    (
        "older version",
        {
            "kind": "body",
            "body": b'{"version": 0, "full": false, "fields": [], "upserts": [], "deletes": ["x"]}',
        },
        "older than this kiosk's 1",
    ),
    (
        "same version, different content",
        {"kind": "body", "body": b'{"version": 1, "full": true, "fields": [], "upserts": [], "deletes": []}'},
        None,
    ),
    ("50 MB body", {"kind": "huge"}, "over the cap"),
    ("500", {"kind": "status", "status": 500}, "server answered 500"),
    ("slow", {"kind": "slow", "seconds": 3.0, "forward": True}, "read timeout"),
]


@pytest.mark.parametrize(("name", "fault", "says"), BAD_ANSWERS, ids=[b[0] for b in BAD_ANSWERS])
def test_a_bad_answer_never_replaces_the_good_catalogue(
    flaky_kiosk: Kiosk, faulty: FaultyServer, name: str, fault: dict[str, Any], says: str | None
) -> None:
    v1 = generate(40)
    publish(flaky_kiosk, v1)
    agent = flaky_kiosk.agent()
    assert agent.sync_once().ok
    before = export_catalogue(flaky_kiosk.db)
    publish(flaky_kiosk, edited(v1, 2))
    kind = fault.pop("kind")
    faulty.fail(kind, "/api/v1/catalogue", times=999, **fault)
    result = part(agent.sync_once(), "catalogue")
    if says is None:  # nothing to apply: not a failure, and nothing replaced
        assert result.ok and result.detail == "version 1 is current"
    else:
        assert not result.ok and says in result.detail, result.detail
    assert catalogue_version(flaky_kiosk.db) == 1
    assert export_catalogue(flaky_kiosk.db) == before
    assert search(flaky_kiosk.db, v1["procedures"][0]["name"])  # lookups still served
    faulty.clear()
    assert part(agent.sync_once(), "catalogue").ok
    assert catalogue_version(flaky_kiosk.db) == 2


def test_a_catalogue_imported_from_a_file_is_not_taken_for_the_servers(kiosk: Kiosk) -> None:
    from kiosk.catalogue.store import import_catalogue

    v1 = generate(20)
    publish(kiosk, v1)
    agent = kiosk.agent()
    agent.sync_once()
    local = edited(v1, 5, renamed=3)  # a technician imported a newer file by hand
    import_catalogue(kiosk.db, local)
    result = sync_catalogue(agent.client(), kiosk.db)
    # The server has only version 1: the kiosk keeps its newer local catalogue and says why, once.
    assert catalogue_version(kiosk.db) == 5
    assert not result.ok and "offers version 1, older than this kiosk's 5" in result.detail
    again = sync_catalogue(agent.client(), kiosk.db)
    assert again.ok and again.detail == "version 5 is current" and again.figures["wire_bytes"] == 0


def test_synonyms_published_on_the_server_reach_the_kiosk_search(kiosk: Kiosk) -> None:
    """The province edits the abbreviations table in its catalogue; kiosks search with it, and
    a delta that changes only the table changes it on the kiosk too."""
    v1 = generate(count=30)
    target = v1["procedures"][3]
    v1["synonyms"] = [{"term": "ZQX9", "means": [target["name"]]}]
    publish(kiosk, v1)
    agent = kiosk.agent()
    assert part(agent.sync_once(), "catalogue").ok
    assert search(kiosk.db, "ZQX9")[0].code == target["code"]
    assert export_catalogue(kiosk.db)["synonyms"] == [
        {"term": "ZQX9", "means": [target["name"]], "procedures": []}
    ]
    v2 = dict(v1, version=2, synonyms=[{"term": "BVNT", "procedures": [target["code"]]}])
    publish(kiosk, v2)
    assert part(agent.sync_once(), "catalogue").ok
    assert search(kiosk.db, "ZQX9") == []
    assert [(h.code, h.match) for h in search(kiosk.db, "bvnt")] == [(target["code"], "keyword")]

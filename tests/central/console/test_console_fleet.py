"""The fleet table's judgement of each kiosk (what is wrong, how badly), its filters and sorting:
plain functions over plain records."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any, get_args

import pytest

from central.console import fleet, labels
from central.store.contract import Device, Site
from kiosk.protocol.commands import CommandType

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=3)
SITE = Site("me-linh-xa", "UBND xã Mê Linh", "Asia/Ho_Chi_Minh")


def device(
    id: str = "kiosk-0001", seen_s_ago: float | None = 30, revoked: bool = False, **beat: Any
) -> Device:
    heartbeat = {"app_version": "1.0.0", "printer": {"state": "ready", "detail": ""}, **beat}
    return Device(
        id=id,
        site_id=SITE.id,
        hardware_id=f"rpi-{id}",
        enrolled_at=NOW - timedelta(days=3),
        revoked_at=NOW if revoked else None,
        app_version="1.0.0",
        last_seen_at=None if seen_s_ago is None else NOW - timedelta(seconds=seen_s_ago),
        last_heartbeat=heartbeat if seen_s_ago is not None else None,
    )


def row(d: Device, tickets: int = 0) -> fleet.FleetRow:
    return fleet.build_row(d, SITE, tickets, NOW, WINDOW)


@pytest.mark.parametrize(
    ("kiosk", "connection", "problems", "severity"),
    [
        (device(), "online", (), "ok"),
        (device(seen_s_ago=180), "online", (), "ok"),  # exactly at the window: still online
        (device(seen_s_ago=181), "offline", ("offline",), "error"),
        (device(seen_s_ago=None), "never", ("never",), "error"),
        (device(revoked=True, seen_s_ago=9999), "revoked", (), "ok"),
        (device(printer={"state": "paper_out", "detail": ""}), "online", ("printer",), "error"),
        (device(printer={"state": "paper_near_end"}), "online", ("printer",), "warning"),
        (device(printer={"state": "cover_open"}, ui_healthy=False), "online", ("printer", "ui"), "error"),
        (device(outbox_pending=99), "online", (), "ok"),
        (device(outbox_pending=100), "online", ("backlog",), "warning"),
        (device(outbox_rejected=1, last_error="x"), "online", ("rejected", "error"), "warning"),
        # An offline kiosk's last report is stale: only its silence counts.
        (device(seen_s_ago=600, printer={"state": "paper_out"}), "offline", ("offline",), "error"),
    ],
)
def test_each_kiosk_is_judged_from_its_last_heartbeat(
    kiosk: Device, connection: str, problems: tuple[str, ...], severity: str
) -> None:
    judged = row(kiosk)
    assert (judged.connection, judged.problems, judged.severity) == (connection, problems, severity)


def test_a_heartbeat_of_the_wrong_shape_does_not_break_the_table() -> None:
    odd = device(printer="paper_out", outbox_pending="many", outbox_rejected=True, last_error=None)
    judged = row(odd)
    assert (judged.printer, judged.outbox_pending, judged.outbox_rejected) == (None, 0, 0)
    assert judged.last_error == ""


def test_filters_and_sorting() -> None:
    rows = [
        row(device("kiosk-0001"), tickets=5),
        row(device("kiosk-0002", printer={"state": "paper_out"}), tickets=9),
        row(device("kiosk-0003", seen_s_ago=None)),
        row(device("kiosk-0004", seen_s_ago=3600)),
    ]
    ids = lambda f: [r.device_id for r in fleet.select(rows, f)]  # noqa: E731
    assert ids(fleet.Filters()) == ["kiosk-0002", "kiosk-0003", "kiosk-0004", "kiosk-0001"]  # worst first
    assert ids(fleet.Filters(state="problem")) == ["kiosk-0002", "kiosk-0003", "kiosk-0004"]
    assert ids(fleet.Filters(state="offline")) == ["kiosk-0003", "kiosk-0004"]  # never seen counts too
    assert ids(fleet.Filters(state="printer")) == ["kiosk-0002"]
    assert ids(fleet.Filters(sort="tickets", descending=True)) == [
        "kiosk-0002",
        "kiosk-0001",
        "kiosk-0004",
        "kiosk-0003",
    ]
    assert ids(fleet.Filters(q="0003")) == ["kiosk-0003"]
    assert ids(fleet.Filters(q="mê linh", sort="id")) == [r.device_id for r in rows]  # site name, any case
    assert ids(fleet.Filters(site="elsewhere")) == []
    assert fleet.summary(rows) == {"all": 4, "online": 2, "offline": 2, "problem": 3, "printer": 1}


def test_every_console_label_is_nfc_vietnamese_text() -> None:
    tables = [labels.CONNECTION, labels.PRINTER, labels.COMMANDS, labels.EVENTS, labels.ROLLOUT]
    tables += [labels.PROBLEMS, labels.NOTICES, labels.RATINGS]
    texts = [text for table in tables for text in table.values()]
    assert all(unicodedata.is_normalized("NFC", t) and t.strip() for t in texts)
    assert labels.PRINTER["paper_out"] == "Hết giấy" and labels.CONNECTION["offline"] == "Mất kết nối"
    assert set(labels.COMMANDS) == set(get_args(CommandType))  # a button for every protocol command

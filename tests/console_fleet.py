"""A fleet for the console's tests and screenshots, built through the real server's protocol:
kiosks that enrol, heartbeat and send events over HTTP exactly as protocol v1 says (several
per site, so each has its own hardware id), an operator with a password, catalogue versions,
published releases and a rollout that halted on failures."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests

from central.console.passwords import hash_password
from central.store.contract import Site
from tests.fixtures_central import SITE, RunningServer, publish_releases
from tests.fixtures_core import REPO
from tests.fixtures_updates import V1, V2, Keys

OPERATOR, PASSWORD = "lan.nguyen", "mật-khẩu-thử-2026"
SITES = [
    SITE,
    Site("tien-phong-xa", "UBND xã Tiền Phong", "Asia/Ho_Chi_Minh"),
    Site("dong-anh", "Trung tâm Phục vụ hành chính công huyện Đông Anh", "Asia/Ho_Chi_Minh"),
]
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def add_operator(server: RunningServer) -> None:
    server.store.set_operator_password(OPERATOR, hash_password(PASSWORD), server.clock())


@dataclass
class ProtocolKiosk:
    """A kiosk as the server sees it: plain protocol v1 calls with its device token."""

    server: RunningServer
    device_id: str
    token: str

    def call(self, path: str, body: Any) -> dict[str, Any]:
        answer = requests.post(
            f"{self.server.url}/api/v1{path}",
            json=body,
            timeout=10,
            headers={"Authorization": f"Bearer {self.token}"},
        )
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result

    def heartbeat(self, version: str = V1, printer: str = "ready", **fields: Any) -> dict[str, Any]:
        body = {"app_version": version, "printer": {"state": printer, "detail": fields.pop("detail", "")}}
        return self.call("/heartbeat", {**body, "outbox_pending": 0, "ui_healthy": True, **fields})

    def send(self, type: str, data: dict[str, Any]) -> None:
        at = self.server.clock().astimezone(TZ).isoformat(timespec="seconds")
        answer = self.call(
            "/events", {"events": [{"id": str(uuid.uuid4()), "type": type, "at": at, "data": data}]}
        )
        assert not answer["rejected"], answer

    def tickets(self, count: int, service: str = "A", start: int = 1) -> None:
        day = self.server.clock().astimezone(TZ).date().isoformat()
        now = self.server.clock().astimezone(TZ).isoformat(timespec="seconds")
        events = [
            {
                "id": str(uuid.uuid4()),
                "type": "ticket.issued",
                "at": now,
                "data": {
                    "ticket": f"{service}{n:03d}",
                    "service": service,
                    "number": n,
                    "day": day,
                    "priority": None,
                    "issued_at": now,
                },
            }
            for n in range(start, start + count)
        ]
        self.call("/events", {"events": events})


def enroll(server: RunningServer, site: str, hardware_id: str, version: str = V1) -> ProtocolKiosk:
    body = {
        "enrollment_code": server.enrollment_code(site),
        "hardware_id": hardware_id,
        "app_version": version,
    }
    answer = requests.post(f"{server.url}/api/v1/enroll", json=body, timeout=10)
    assert answer.status_code == 201, answer.text
    return ProtocolKiosk(server, answer.json()["device_id"], answer.json()["token"])


def demo_fleet(server: RunningServer, root: Path, keys: Keys, wheels: dict[str, Path]) -> list[ProtocolKiosk]:
    """Eight kiosks in three offices, each in a state an operator must tell apart at a glance."""
    for site in SITES:
        server.admin("PUT", f"/sites/{site.id}", {"name": site.name}).raise_for_status()
    places = [
        "me-linh-xa",
        "me-linh-xa",
        "tien-phong-xa",
        "tien-phong-xa",
        "dong-anh",
        "dong-anh",
        "dong-anh",
    ]
    fleet = [enroll(server, site, f"rpi-10000000{n:08x}") for n, site in enumerate(places, start=1)]
    never = enroll(server, "dong-anh", "rpi-1000000000000099")  # enrolled, never heard from since
    fleet[3].heartbeat()  # kiosk-0004 goes silent after this
    server.clock.advance(15 * 60)
    fleet[0].heartbeat(outbox_pending=0)
    fleet[1].heartbeat(printer="paper_near_end", detail="Còn khoảng 20 vé")
    fleet[2].heartbeat(printer="paper_out", detail="Hết giấy", last_error="In vé A014 thất bại: hết giấy")
    fleet[4].heartbeat(outbox_pending=240, outbox_rejected=2, last_error="Mạng chập chờn: 3 lần gửi thất bại")
    fleet[5].heartbeat(version=V1)
    fleet[6].heartbeat(version=V1)
    for n, (kiosk, count) in enumerate(zip(fleet, (37, 22, 14, 9, 51, 18, 26), strict=True)):
        kiosk.tickets(count, start=100 * n + 1)  # each kiosk numbers from its own series
    fleet[2].send("printer.status", {"state": "paper_out", "detail": "Hết giấy"})
    fleet[2].send("ticket.print_failed", {"ticket": "A014", "day": "2026-11-28", "reason": "paper_out"})
    fleet[0].send("rating.submitted", {"score": 3, "service": "A", "counter": "2"})
    fleet[0].send("kiosk.started", {"detail": "kiosk 1.0.0 khởi động"})
    catalogue = json.loads((REPO / "config" / "demo" / "catalogue.json").read_text(encoding="utf-8"))
    server.admin("POST", "/catalogue", catalogue).raise_for_status()
    server.admin(
        "POST", "/catalogue", {**catalogue, "version": 2, "procedures": catalogue["procedures"][:-3]}
    )
    command = server.admin("POST", f"/devices/{fleet[0].device_id}/commands", {"type": "sync_now"}).json()
    fleet[0].send(
        "command.done", {"command": command["id"], "ok": True, "detail": "a full sync pass follows"}
    )
    logs = server.admin("POST", f"/devices/{fleet[2].device_id}/commands", {"type": "upload_logs"}).json()
    journal = (
        "2026-11-28T08:14:02+0700 kiosk python[812]: INFO kiosk.app: first frame drawn\n"
        "2026-11-28T08:14:09+0700 kiosk python[812]: WARNING kiosk.printer: paper out\n"
    )
    fleet[2].call("/logs", {"command": None, "lines": 1, "text": journal.splitlines()[0]})  # older kiosks
    server.clock.advance(60)
    fleet[2].call("/logs", {"command": logs["id"], "lines": 2, "text": journal})
    fleet[2].send(
        "command.done",
        {"command": logs["id"], "ok": True, "detail": "2 lines of the last day's journal sent"},
    )
    server.admin("POST", f"/devices/{fleet[2].device_id}/commands", {"type": "print_test"}).raise_for_status()
    _halted_rollout(server, root, keys, wheels, fleet)
    server.admin("POST", "/enrollment-codes", {"site": "tien-phong-xa"}).raise_for_status()
    server.admin("POST", "/enrollment-codes", {"site": "dong-anh", "ttl_s": 3 * 86_400}).raise_for_status()
    return [*fleet, never]


def _halted_rollout(
    server: RunningServer, root: Path, keys: Keys, wheels: dict[str, Path], fleet: list[ProtocolKiosk]
) -> None:
    """1.1.0 to the Đông Anh office first: one kiosk took it, one failed its health check."""
    publish_releases(server, root, keys, wheels)
    body = {"version": V2, "canary": {"sites": ["dong-anh"]}, "stages": [10, 50, 100], "min_results": 2}
    server.admin("POST", "/rollouts", body).raise_for_status()
    fleet[5].send("update.result", {"from": V1, "to": V2, "ok": True, "stage": "health", "detail": ""})
    fleet[5].heartbeat(version=V2)
    fleet[6].send(
        "update.result",
        {
            "from": V1,
            "to": V2,
            "ok": False,
            "stage": "health",
            "detail": "giao diện không báo sẵn sàng sau 180 giây",
        },
    )

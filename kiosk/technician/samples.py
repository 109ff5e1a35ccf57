"""The standard sample layouts: what `kiosk printer render --sample`, the benchmark and the
screenshots in docs/ print. The sample ticket is an ordinary ticket (no priority line) of the
demo site; the checklist is the catalogue's birth registration example.

Here rather than in kiosk/drivers/: the samples are a queue ticket and a checklist, and drivers
import nothing from the queue or the catalogue. Imports those two layouts only."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.catalogue.checklist import checklist_layout
from kiosk.drivers.layout import Layout
from kiosk.queue.ticket_layout import QueueTicket, queue_ticket_layout

SAMPLES = ("ticket", "priority-ticket", "checklist")
SITE_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
MOMENT = datetime(2026, 11, 28, 8, 15, tzinfo=SITE_ZONE)

SAMPLE_PROCEDURE: dict[str, Any] = {
    "code": "1.001193",
    "name": "Đăng ký khai sinh",
    "name_en": "Birth registration",
    "field": "ho-tich",
    "level": "xa",
    "agency": "Ủy ban nhân dân cấp xã",
    "methods": [
        {"channel": "truc-tiep", "time": "Ngay trong ngày tiếp nhận", "fee": "Miễn phí"},
        {"channel": "truc-tuyen", "time": "Ngay trong ngày tiếp nhận", "fee": "Miễn phí"},
    ],
    "documents": [
        {"name": "Tờ khai đăng ký khai sinh theo mẫu", "originals": 1, "copies": 0},
        {"name": "Giấy chứng sinh", "originals": 1, "copies": 0},
        {
            "name": "Giấy tờ tùy thân của người đi đăng ký (căn cước hoặc hộ chiếu)",
            "originals": 1,
            "copies": 1,
        },
        {"name": "Văn bản ủy quyền (nếu nộp thay)", "originals": 0, "copies": 1},
    ],
    "online_url": "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html"
    "?ma_thu_tuc=1.001193",
}


def sample_ticket(priority: str | None = None, language: str = "vi") -> QueueTicket:
    """A ticket of the demo site: A012 for civil status at counters 1 and 2."""
    english = language == "en"
    return QueueTicket(
        header="BỘ PHẬN MỘT CỬA",
        office="UBND xã Mê Linh",
        ticket="A012",
        service_name="Civil status" if english else "Hộ tịch",
        counters=("1", "2"),
        issued_at=MOMENT,
        people_ahead=5,
        wait_minutes=15,
        priority=priority,
        qr_url="https://motcua.example.vn/q/A012?d=2026-11-28",
        footer=(
            "Please wait for your number. Thank you!"
            if english
            else "Xin vui lòng chờ đến lượt. Cảm ơn quý khách!"
        ),
        language="en" if english else "vi",
    )


def sample_layout(name: str) -> Layout:
    """One of SAMPLES as a layout."""
    if name == "ticket":
        return queue_ticket_layout(sample_ticket())
    if name == "priority-ticket":
        return queue_ticket_layout(sample_ticket(priority="elderly"))
    if name == "checklist":
        return checklist_layout(SAMPLE_PROCEDURE, "UBND xã Mê Linh", MOMENT, "vi")
    raise ValueError(f"no sample named {name!r}; use one of {', '.join(SAMPLES)}")

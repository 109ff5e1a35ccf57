"""What a queue ticket says, as a layout, independent of any printer."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from kiosk.drivers.layout import BigNumber, Cut, Layout, QRCode, Rule, Text
from kiosk.queue.ticket_layout import queue_ticket_layout
from kiosk.technician.samples import sample_ticket


def texts(layout: Layout) -> list[str]:
    return [b.text for b in layout.blocks if isinstance(b, Text)]


def test_queue_ticket_says_everything_in_order() -> None:
    layout = queue_ticket_layout(sample_ticket())
    assert texts(layout) == [
        "BỘ PHẬN MỘT CỬA",
        "UBND xã Mê Linh",
        "SỐ THỨ TỰ",
        "Hộ tịch",
        "Quầy 1, 2",
        "Trước bạn: 5 người",
        "Chờ khoảng 15 phút",
        "08:15 28/11/2026",
        "Xin vui lòng chờ đến lượt. Cảm ơn quý khách!",
    ]
    number_at = next(i for i, b in enumerate(layout.blocks) if isinstance(b, BigNumber))
    assert layout.blocks[number_at - 1] == Text("SỐ THỨ TỰ", size="large", bold=True)
    assert [b.text for b in layout.blocks if isinstance(b, BigNumber)] == ["A012"]
    assert [b.data for b in layout.blocks if isinstance(b, QRCode)] == [
        "https://motcua.example.vn/q/A012?d=2026-11-28"
    ]
    assert isinstance(layout.blocks[-1], Cut) and Rule() in layout.blocks


def test_number_title_and_service_are_large() -> None:
    layout = queue_ticket_layout(sample_ticket())
    large = [b.text for b in layout.blocks if isinstance(b, Text) and b.size == "large"]
    assert large == ["BỘ PHẬN MỘT CỬA", "SỐ THỨ TỰ", "Hộ tịch"]


@pytest.mark.parametrize(
    ("priority", "line"),
    [
        ("elderly", "Ưu tiên: Người cao tuổi"),
        ("disabled", "Ưu tiên: Người khuyết tật"),
        ("pregnant", "Ưu tiên: Phụ nữ mang thai"),
        ("merit", "Ưu tiên: Người có công với cách mạng"),
    ],
)
def test_priority_ticket_is_flagged(priority: str, line: str) -> None:
    layout = queue_ticket_layout(sample_ticket(priority=priority))
    assert line in texts(layout)
    assert [b for b in layout.blocks if isinstance(b, Text) and b.text == line][0].bold


def test_unknown_priority_is_refused() -> None:
    with pytest.raises(ValueError, match="priority"):
        replace(sample_ticket(), priority="vip")


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        replace(sample_ticket(), issued_at=datetime(2026, 11, 28, 8, 15))


def test_unknown_waiting_and_no_qr_leave_their_lines_out() -> None:
    ticket = replace(sample_ticket(), people_ahead=None, wait_minutes=None, qr_url=None)
    layout = queue_ticket_layout(ticket)
    assert not [t for t in texts(layout) if "Trước" in t or "Chờ" in t]
    assert not [b for b in layout.blocks if isinstance(b, QRCode)]


def test_nobody_ahead_says_so_and_skips_the_wait() -> None:
    layout = queue_ticket_layout(replace(sample_ticket(), people_ahead=0, wait_minutes=0))
    lines = texts(layout)
    assert "Không có ai chờ trước bạn" in lines
    assert not [t for t in lines if t.startswith("Chờ")]


def test_short_wait_says_soon() -> None:
    layout = queue_ticket_layout(replace(sample_ticket(), wait_minutes=1))
    assert "Sắp đến lượt bạn" in texts(layout)


def test_english_ticket_uses_english_words() -> None:
    layout = queue_ticket_layout(sample_ticket(priority="elderly", language="en"))
    lines = texts(layout)
    assert "YOUR NUMBER" in lines and "Counters 1, 2" in lines
    assert "Ahead of you: 5" in lines and "Priority: Elderly person" in lines
    single = queue_ticket_layout(replace(sample_ticket(language="en"), counters=("3",)))
    assert "Counter 3" in texts(single)

"""What tickets say: the queue ticket and the checklist as layouts, independent of any printer."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import datetime

import pytest

from kiosk.drivers.samples import MOMENT, SAMPLE_PROCEDURE, sample_ticket
from kiosk.queue.tickets import (
    BigNumber,
    Cut,
    Layout,
    PrinterState,
    PrinterStatus,
    QRCode,
    Rule,
    Text,
    checklist_layout,
    clean_text,
    printer_test_layout,
    queue_ticket_layout,
    vietnamese_letters,
)


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


def test_checklist_lists_documents_fee_time_place_and_online_link() -> None:
    layout = checklist_layout(SAMPLE_PROCEDURE, "UBND xã Mê Linh", MOMENT, "vi")
    lines = texts(layout)
    assert lines[:4] == ["UBND xã Mê Linh", "DANH MỤC HỒ SƠ", "Đăng ký khai sinh", "Mã thủ tục: 1.001193"]
    assert "1. Tờ khai đăng ký khai sinh theo mẫu (1 bản chính)" in lines
    assert "4. Văn bản ủy quyền (nếu nộp thay) (1 bản sao)" in lines
    assert any(t.endswith("(1 bản chính, 1 bản sao)") for t in lines)
    assert {"Lệ phí: Miễn phí", "Thời hạn giải quyết: Ngay trong ngày tiếp nhận"} <= set(lines)
    assert "Nơi nộp: Ủy ban nhân dân cấp xã" in lines
    assert [b.data for b in layout.blocks if isinstance(b, QRCode)] == [SAMPLE_PROCEDURE["online_url"]]
    numbered = [b for b in layout.blocks if isinstance(b, Text) and b.text.startswith("1. ")]
    assert numbered[0].indent == 3 and numbered[0].align == "left"


def test_checklist_prefers_the_in_person_channel_and_english_name() -> None:
    procedure = dict(SAMPLE_PROCEDURE)
    procedure["methods"] = [
        {"channel": "truc-tuyen", "fee": "10.000 đồng", "time": "2 ngày"},
        {"channel": "truc-tiep", "fee": "Miễn phí", "time": "Trong ngày"},
    ]
    lines = texts(checklist_layout(procedure, "", MOMENT, "en"))
    assert "Birth registration" in lines and "Fee: Miễn phí" in lines
    assert "Processing time: Trong ngày" in lines


def test_checklist_of_a_bare_procedure_still_prints() -> None:
    bare = {"code": "2.000001", "name": "Thủ tục chưa có giấy tờ", "field": "x", "level": "tinh"}
    layout = checklist_layout(bare, "UBND", MOMENT, "vi")
    assert "Không yêu cầu giấy tờ." in texts(layout)
    assert not [b for b in layout.blocks if isinstance(b, QRCode)]


def test_text_from_settings_cannot_carry_printer_commands() -> None:
    assert clean_text("A\x10\x04\x01B\tC\nD\u200b") == "A B C D"
    assert Text("x\x1b@y").text == "x @y"
    decomposed = unicodedata.normalize("NFD", "Đăng ký")
    assert Text(decomposed).text == "Đăng ký"


def test_vietnamese_letters_are_all_distinct_and_nfc() -> None:
    letters = vietnamese_letters()
    both = letters + [c.upper() for c in letters]
    assert len(set(both)) == 146 and all(unicodedata.is_normalized("NFC", c) for c in both)
    assert {"ặ", "ỗ", "ự", "ỹ", "đ"} <= set(letters)


def test_test_page_names_the_mode_and_every_letter() -> None:
    layout = printer_test_layout("cp1258")
    joined = " ".join(texts(layout))
    assert "Chế độ tiếng Việt: cp1258" in joined
    for letter in vietnamese_letters():
        assert letter in joined and letter.upper() in joined


def test_printer_status_can_print_only_when_ready_or_near_end() -> None:
    printable = {s for s in PrinterState if PrinterStatus(s).can_print}
    assert printable == {PrinterState.ready, PrinterState.paper_near_end}

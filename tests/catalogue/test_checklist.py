"""What the document checklist says, as a layout, independent of any printer."""

from __future__ import annotations

from kiosk.catalogue.checklist import checklist_layout
from kiosk.drivers.layout import QRCode, Text
from kiosk.technician.samples import MOMENT, SAMPLE_PROCEDURE
from tests.queue.test_ticket_layout import texts


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

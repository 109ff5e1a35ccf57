"""What the procedure detail says (kiosk/catalogue/detail.py, no window needed)."""

from __future__ import annotations

from kiosk.catalogue.detail import Block, detail_blocks
from tests.fixtures_catalogue import PROCEDURES, procedure

HO_TICH = {"id": "ho-tich", "name": "Hộ tịch", "name_en": "Civil status"}


def full(**extra: object) -> dict:
    """A procedure with every key, as catalogue_store.get_procedure returns it."""
    base = {
        "name_en": "",
        "agency": "",
        "audience": [],
        "methods": [],
        "documents": [],
        "steps": [],
        "requirements": "",
        "result": "",
        "legal_basis": [],
        "online_url": "",
        "keywords": [],
        "updated_at": "",
    }
    return {**base, **procedure("1.001193", "Đăng ký khai sinh"), **extra}


def test_the_detail_opens_on_what_to_bring_then_time_and_fee_once_then_steps() -> None:
    blocks = detail_blocks({**full(), **PROCEDURES[0]}, HO_TICH, "vi")
    assert blocks[:4] == [
        Block("title", "Đăng ký khai sinh"),
        Block("meta", "Mã 1.001193 · Cấp xã"),
        Block("heading", "Giấy tờ cần mang theo"),
        Block("item", "Tờ khai đăng ký khai sinh\nBản chính: 1", "1."),
    ]
    headings = [b.text for b in blocks if b.style == "heading"]
    assert headings == [
        "Giấy tờ cần mang theo",
        "Trình tự thực hiện",
        "Nơi nộp hồ sơ",
        "Kết quả",
        "Căn cứ pháp lý",
    ]
    texts = [b.text for b in blocks]
    # Both channels take the same time and fee: each is said once, before the steps.
    assert texts.count("Thời hạn giải quyết: Ngay trong ngày tiếp nhận") == 1
    assert texts.count("Phí, lệ phí: Miễn phí") == 1
    assert texts.index("Phí, lệ phí: Miễn phí") < texts.index("Trình tự thực hiện")
    assert Block("meta", "Lĩnh vực: Hộ tịch") in blocks
    assert Block("meta", "Cơ quan thực hiện: Ủy ban nhân dân cấp xã") in blocks
    assert Block("item", "Nhận kết quả", "2.") in blocks
    assert Block("bullet", "Luật Hộ tịch số 60/2014/QH13", "•") in blocks
    assert blocks[-1] == Block("note", "Thông tin cập nhật ngày 01/10/2026")


def test_channels_differing_in_time_and_fee_are_named_once_then_where_to_submit_and_the_qr() -> None:
    methods = [
        {"channel": "buu-chinh", "time": "5 ngày", "fee": "20.000 đồng"},
        {"channel": "truc-tiep", "time": "3 ngày", "fee": "Miễn phí"},
        {"channel": "truc-tuyen", "time": "3 ngày", "fee": ""},
    ]
    blocks = detail_blocks(full(methods=methods, online_url="https://dvc.example/1"), None, "vi")
    assert (
        Block(
            "text",
            "Thời hạn giải quyết: 3 ngày (Nộp trực tiếp); 3 ngày (Nộp trực tuyến); 5 ngày (Qua bưu chính)",
        )
        in blocks
    )
    assert Block("text", "Phí, lệ phí: Miễn phí (Nộp trực tiếp); 20.000 đồng (Qua bưu chính)") in blocks
    channels = [b.text for b in blocks if b.style == "channel"]
    assert channels == ["Nộp trực tiếp", "Nộp trực tuyến", "Qua bưu chính"]
    start = blocks.index(Block("channel", "Qua bưu chính"))
    assert blocks[start + 1 : start + 3] == [
        Block("text", "Gửi hồ sơ qua dịch vụ bưu chính công ích."),
        Block("qr", "https://dvc.example/1"),
    ]


def test_documents_show_originals_and_copies_only_when_asked_for() -> None:
    documents = [
        {"name": "Tờ khai", "originals": 1, "copies": 0},
        {"name": "Sổ hộ khẩu", "originals": 0, "copies": 2},
        {"name": "Giấy chứng sinh", "originals": 1, "copies": 1},
        {"name": "Ảnh 4x6"},
    ]
    items = [b for b in detail_blocks(full(documents=documents), None, "vi") if b.style == "item"]
    assert [(b.number, b.text) for b in items] == [
        ("1.", "Tờ khai\nBản chính: 1"),
        ("2.", "Sổ hộ khẩu\nBản sao: 2"),
        ("3.", "Giấy chứng sinh\nBản chính: 1 · Bản sao: 1"),
        ("4.", "Ảnh 4x6"),
    ]


def test_empty_sections_are_left_out() -> None:
    blocks = detail_blocks(full(requirements="   "), None, "vi")
    assert [b.style for b in blocks] == ["title", "meta"]


def test_english_translates_the_labels_and_keeps_the_catalogue_text() -> None:
    blocks = detail_blocks({**full(), **PROCEDURES[0]}, HO_TICH, "en")
    assert blocks[0] == Block("title", "Birth registration")
    assert Block("meta", "Code 1.001193 · Commune level") in blocks
    assert Block("meta", "Field: Civil status") in blocks
    assert Block("item", "Tờ khai đăng ký khai sinh\nOriginals: 1", "1.") in blocks
    assert Block("text", "Processing time: Ngay trong ngày tiếp nhận") in blocks
    no_english = detail_blocks(full(level="huyen"), {"id": "x", "name": "Đất đai", "name_en": ""}, "en")
    assert no_english[:3] == [
        Block("title", "Đăng ký khai sinh"),
        Block("meta", "Code 1.001193 · District level"),
        Block("meta", "Field: Đất đai"),
    ]


def test_dates_that_are_not_iso_are_shown_as_given() -> None:
    assert detail_blocks(full(updated_at="quý IV/2026"), None, "vi")[-1].text.endswith("quý IV/2026")

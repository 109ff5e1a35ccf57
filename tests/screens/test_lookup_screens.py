"""The procedure lookup, headless, with real touch events: browse → list → detail → print the
checklist; printing failures; the detail's content and QR code."""

from __future__ import annotations

import threading

import pytest

from kiosk.catalogue.folding import vietnamese_sort_key
from kiosk.drivers.ports import PrinterState
from kiosk.errors import PaperOut
from tests.fixtures_catalogue import PROCEDURES, procedure
from tests.fixtures_lookup import RecordingPrinter

pytestmark = pytest.mark.ui


def test_browse_list_detail_then_print_the_checklist(lookup_app) -> None:
    lk = lookup_app()
    lk.open_lookup()
    fields = lk.screen().fields
    assert {f.name: f.count for f in fields}["Hộ tịch"] == 4
    lk.ui.tap(lk.ui.find_text("Hộ tịch"))
    lk.ui.until(lambda: lk.app.sm.current == "lookup_list" and lk.screen().state == "ready")
    assert "4 thủ tục" in lk.screen().count
    lk.ui.tap(lk.row("Đăng ký khai sinh"))
    lk.ui.until(lambda: lk.app.sm.current == "lookup_detail" and lk.screen().state == "ready")
    texts = lk.ui.texts()
    assert "Đăng ký khai sinh" in texts
    assert "Mã 1.001193 · Cấp xã" in texts
    assert "Tờ khai đăng ký khai sinh\nBản chính: 1" in texts
    assert "Thời hạn giải quyết: Ngay trong ngày tiếp nhận" in texts
    assert "Luật Hộ tịch số 60/2014/QH13" in texts

    lk.ui.tap(lk.screen().ids.print_button)
    lk.ui.until(lambda: lk.screen().print_state == "done")
    assert [layout.name for layout in lk.printer.layouts] == ["checklist 1.001193"]
    printed = lk.printer.printed_text()
    assert "Đăng ký khai sinh" in printed
    assert "UBND xã Mê Linh" in printed  # the office from the site settings
    assert any("Tờ khai đăng ký khai sinh" in line for line in printed)
    assert "Đã in xong. Vui lòng nhận phiếu ở máy in." in lk.ui.texts()


def test_back_goes_from_detail_to_the_list_and_from_the_list_to_the_fields(lookup_app) -> None:
    lk = lookup_app()
    lk.open_lookup()
    lk.ui.tap(lk.ui.find_text("Hộ tịch"))
    lk.ui.until(lambda: lk.screen().state == "ready")
    lk.ui.tap(lk.row("Đăng ký kết hôn"))
    lk.ui.until(lambda: lk.app.sm.current == "lookup_detail" and lk.screen().state == "ready")
    lk.ui.tap(lk.ui.find_text("Quay lại"))
    assert lk.app.sm.current == "lookup_list"
    assert "Đăng ký khai tử" in lk.row_titles()  # the list is still there
    lk.ui.tap(lk.ui.find_text("Quay lại"))
    assert lk.app.sm.current == "lookup"
    lk.ui.tap(lk.ui.find_text("Trang chủ"))
    assert lk.app.sm.current == "home"


def test_procedures_of_a_field_are_listed_in_vietnamese_order(lookup_app) -> None:
    lk = lookup_app()
    lk.open_lookup()
    lk.ui.tap(lk.ui.find_text("Hộ tịch"))
    lk.ui.until(lambda: lk.screen().state == "ready")
    titles = lk.row_titles()
    # ê comes before h: "kết hôn" sorts before "khai sinh", which a byte sort gets wrong.
    assert titles == [
        "Đăng ký kết hôn",
        "Đăng ký khai sinh",
        "Đăng ký khai sinh có yếu tố nước ngoài",
        "Đăng ký khai tử",
    ]
    assert titles == sorted(titles, key=vietnamese_sort_key)


def test_failed_print_says_why_and_can_be_tried_again(lookup_app) -> None:
    printer = RecordingPrinter(fail_with=PaperOut("no paper"))
    lk = lookup_app(printer=printer)
    lk.app.sm.go("lookup_detail", code="1.001193")
    lk.ui.until(lambda: lk.screen().state == "ready")
    lk.ui.tap(lk.screen().ids.print_button)
    lk.ui.until(lambda: lk.screen().print_state == "failed")
    assert "Không in được: máy in hết giấy. Vui lòng báo cán bộ." in lk.ui.texts()
    assert printer.layouts == []
    printer.fail_with = None  # staff put paper in
    lk.ui.tap(lk.screen().ids.print_button)
    lk.ui.until(lambda: lk.screen().print_state == "done")
    assert len(printer.layouts) == 1


def test_print_in_progress_keeps_the_screen_and_blocks_a_second_print(lookup_app) -> None:
    hold = threading.Event()
    lk = lookup_app(printer=RecordingPrinter(hold=hold))
    lk.app.sm.go("lookup_detail", code="1.001193")
    lk.ui.until(lambda: lk.screen().state == "ready")
    lk.ui.tap(lk.screen().ids.print_button)
    try:
        assert lk.screen().print_state == "printing"
        assert "Đang in danh mục hồ sơ…" in lk.ui.texts()
        assert lk.screen().ids.print_button.disabled
        lk.ui.tap(lk.screen().ids.print_button)  # a second tap while printing does nothing
        lk.app.last_touch -= lk.app.services.settings.ui.idle_timeout_s + 1
        lk.ui.pump(seconds=1.2)
        assert lk.app.sm.current == "lookup_detail"  # idle timeout waits for the print
    finally:
        hold.set()
    lk.ui.until(lambda: lk.screen().print_state == "done")
    assert len(lk.printer.layouts) == 1


@pytest.mark.parametrize(
    ("state", "reason"),
    [(PrinterState.paper_out, "máy in hết giấy"), (PrinterState.offline, "máy in không phản hồi")],
)
def test_print_button_is_disabled_with_the_reason_when_the_printer_cannot_print(
    lookup_app, state: PrinterState, reason: str
) -> None:
    lk = lookup_app(printer_state=state)
    lk.app.sm.go("lookup_detail", code="1.001193")
    lk.ui.until(lambda: lk.screen().state == "ready")
    button = lk.screen().ids.print_button
    assert button.disabled
    assert f"Tạm thời không in được danh mục hồ sơ: {reason}." in lk.ui.texts()
    lk.ui.tap(button)
    lk.ui.pump(seconds=0.2)
    assert lk.printer.layouts == []
    assert lk.screen().print_state == "idle"


def test_the_qr_code_on_screen_is_the_online_link(lookup_app) -> None:
    import qrcode

    url = "https://dichvucong.gov.vn/p/1.001193"
    birth = dict(PROCEDURES[0], online_url=url)
    lk = lookup_app(procedures=[birth, *PROCEDURES[1:]])
    lk.app.sm.go("lookup_detail", code="1.001193")
    lk.ui.until(lambda: lk.screen().state == "ready")
    (view,) = lk.ui.find(lambda w: type(w).__name__ == "QRCodeView")
    assert view.data == url
    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    pixels = view.texture.pixels  # RGBA, bottom row first
    size = view.texture.width
    assert size == len(matrix)
    shown = [[pixels[((size - 1 - y) * size + x) * 4] == 0 for x in range(size)] for y in range(size)]
    assert shown == matrix  # dark where the code is dark, the finder patterns where they belong
    assert view.width >= 300 * lk.app.u  # large enough to scan from a phone


def test_an_unknown_code_and_markup_in_the_catalogue_are_shown_safely(lookup_app) -> None:
    odd = procedure("9.000001", "Thủ tục [b]thử[/b] nghiệm", result="[color=ff0000]đỏ[/color]")
    lk = lookup_app(procedures=[*PROCEDURES, odd])
    lk.app.sm.go("lookup_detail", code="9.000001")
    lk.ui.until(lambda: lk.screen().state == "ready")
    assert "Thủ tục [b]thử[/b] nghiệm" in lk.ui.texts()  # as text, never interpreted
    assert "[color=ff0000]đỏ[/color]" in lk.ui.texts()
    lk.app.sm.go("lookup_detail", code="0.000000")
    lk.ui.until(lambda: lk.screen().state == "missing")
    assert "Không tìm thấy thủ tục này trong danh mục." in lk.ui.texts()
    assert lk.screen().ids.print_button.disabled


def test_english_shows_english_names_and_labels(lookup_app) -> None:
    lk = lookup_app()
    lk.ui.tap(lk.ui.find_text("English"))
    lk.ui.tap(lk.ui.find_text("Procedures"))
    lk.ui.until(lambda: lk.app.sm.current == "lookup" and lk.screen().state == "ready")
    lk.ui.tap(lk.ui.find_text("Civil status"))
    lk.ui.until(lambda: lk.app.sm.current == "lookup_list" and lk.screen().state == "ready")
    assert "Birth registration" in lk.row_titles()
    lk.ui.tap(lk.row("Birth registration"))
    lk.ui.until(lambda: lk.app.sm.current == "lookup_detail" and lk.screen().state == "ready")
    assert "Documents to bring" in lk.ui.texts()
    lk.ui.tap(lk.ui.find_text("Tiếng Việt"))  # switching language re-renders in place
    assert "Đăng ký khai sinh" in lk.ui.texts()
    assert "Giấy tờ cần mang theo" in lk.ui.texts()


def test_checklist_prints_through_the_real_driver_to_the_virtual_printer(
    app_factory, state_dir, virtual_printer
) -> None:
    """The same flow as above, but with the real ESC/POS driver over a pty (TCVN-3 on the wire)."""
    from kiosk import config, store
    from kiosk.catalogue.store import import_catalogue
    from tests.fixtures_catalogue import catalogue_document
    from tests.fixtures_core import DEMO_CONFIG

    db = store.open_state(state_dir)
    import_catalogue(db, catalogue_document(None))
    db.close()
    settings = config.load(site_file=DEMO_CONFIG, state_dir=state_dir).settings
    ui = app_factory(settings, size="540x960", printer_url=virtual_printer.device)
    ui.until(lambda: ui.app.services.printer_status.can_print)
    ui.app.sm.go("lookup_detail", code="1.001193")
    screen = ui.app.sm.get_screen("lookup_detail")
    ui.until(lambda: screen.state == "ready")
    ui.pump(frames=2)
    ui.tap(screen.ids.print_button)
    ui.until(lambda: screen.print_state == "done", timeout_s=20)
    [ticket] = virtual_printer.wait_for_tickets(1)
    text = "\n".join(ticket.lines)
    assert "Đăng ký khai sinh" in text and "1.001193" in text
    assert "UBND xã Mê Linh" in text

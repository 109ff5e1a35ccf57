"""Every lookup state, portrait 1080×1920 and landscape 1920×1080: touch targets of at least
96 px, text of at least 28 px, no text cut off or running out of its widget or the window."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures_catalogue import PROCEDURES, procedure

pytestmark = pytest.mark.ui

LOOKUP_SCREENS = ("lookup", "lookup_list", "lookup_detail", "lookup_search")
LONG_NAME = (
    "Thủ tục đăng ký khai sinh kết hợp đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới "
    "sáu tuổi theo cơ chế liên thông giữa Ủy ban nhân dân cấp xã, cơ quan công an và cơ quan bảo "
    "hiểm xã hội trên địa bàn tỉnh"
)
LONG = procedure(
    "1.000001",
    LONG_NAME,
    online_url="https://dichvucong.gov.vn/p/1.000001",
    agency="Ủy ban nhân dân cấp xã",
    documents=[
        {"name": f"Giấy tờ số {i}: " + "bản sao giấy tờ tùy thân " * 4, "copies": 1} for i in range(8)
    ],
    steps=["Nộp hồ sơ tại Bộ phận Một cửa; cán bộ kiểm tra, ghi phiếu hẹn trả kết quả"] * 6,
    requirements="Không yêu cầu. " * 30,
    legal_basis=["Nghị định số 104/2022/NĐ-CP sửa đổi, bổ sung một số điều của các nghị định"] * 4,
)


def ancestors(widget: Any) -> list[Any]:
    """The widget and its parents up to the window (whose parent is itself)."""
    chain = [widget]
    while chain[-1].parent is not None and chain[-1].parent is not chain[-1]:
        chain.append(chain[-1].parent)
    return chain


def in_scroll(widget: Any) -> bool:
    from kivy.uix.scrollview import ScrollView

    return any(isinstance(w, ScrollView) for w in ancestors(widget)[1:])


def in_header(widget: Any) -> bool:
    return any(type(w).__name__ == "HeaderBar" for w in ancestors(widget))


def shown(widget: Any) -> bool:
    return all(w.opacity > 0 for w in ancestors(widget))


def problems(ui: Any, state: str) -> list[str]:
    """What is wrong with the current screen, one line per widget."""
    from kivy.uix.behaviors import ButtonBehavior
    from kivy.uix.label import Label  # Kivy is imported once the app has configured it

    u = ui.app.u
    width, height = ui.window.size
    found = []
    for w in ui.find(lambda w: shown(w) and not in_header(w)):
        name = f"{state}: {type(w).__name__} {getattr(w, 'text', '')[:30]!r}"
        tappable = isinstance(w, ButtonBehavior) and not w.disabled
        if tappable and min(w.size) < 96 * u - 0.5:
            found.append(f"{name} is {w.width:.0f}×{w.height:.0f} px, under 96")
        if isinstance(w, Label) and w.text.strip():
            if w.font_size < 28 * u - 0.01:
                found.append(f"{name} font {w.font_size:.0f} px, under 28")
            tw, th = w.texture_size
            if tw > w.width + 1 or th > w.height + 1:
                found.append(f"{name} text {tw:.0f}×{th:.0f} is cut off in {w.width:.0f}×{w.height:.0f}")
        if (
            not in_scroll(w)
            and w.width
            and (w.x < -1 or w.right > width + 1 or w.y < -1 or w.top > height + 1)
        ):
            found.append(f"{name} at {w.x:.0f},{w.y:.0f} {w.width:.0f}×{w.height:.0f} leaves the window")
    return found


@pytest.mark.parametrize("size", ["1080x1920", "1920x1080"])
def test_every_lookup_state_is_readable_and_touchable(lookup_app, size: str) -> None:
    lk = lookup_app(procedures=[*PROCEDURES, LONG], size=size)
    app = lk.app
    found = []
    for screen_name in LOOKUP_SCREENS:
        screen = app.sm.get_screen(screen_name)
        for variant, setup in screen.shots().items():
            app.go_home(reset=True)
            app.sm.go(screen_name)
            setup()
            lk.ui.pump(frames=4)
            found += problems(lk.ui, f"{screen_name}-{variant or 'plain'}")
    # The longest texts: a 200-character name in the list and in full.
    app.go_home(reset=True)
    app.sm.go("lookup_list", field_id="ho-tich")
    lk.ui.until(lambda: lk.screen().state == "ready")
    lk.ui.pump(frames=4)
    found += problems(lk.ui, "long list")
    app.sm.go("lookup_detail", code="1.000001")
    lk.ui.until(lambda: lk.screen().state == "ready")
    for scroll_y in (1.0, 0.5, 0.0):
        lk.screen().ids.scroll.scroll_y = scroll_y
        lk.ui.pump(frames=3)
        found += problems(lk.ui, f"long detail at {scroll_y}")
    assert found == [], "\n".join(found)


def test_a_long_field_scrolls_to_its_last_procedure(lookup_app) -> None:
    from kivy.uix.label import Label

    many = [procedure(f"5.{i:06d}", f"Thủ tục thử số {i:03d} " + "rất dài " * (i % 7)) for i in range(150)]
    lk = lookup_app(procedures=[*PROCEDURES, *many])
    lk.app.sm.go("lookup_list", field_id="ho-tich")
    lk.ui.until(lambda: lk.screen().state == "ready")
    rows = lk.screen().ids.rows
    assert len(rows.data) == 154
    on_screen = lk.ui.find(lambda w: type(w).__name__ == "ListRow")
    assert 3 < len(on_screen) < 40  # only the rows in view exist as widgets
    rows.scroll_y = 0
    lk.ui.pump(frames=4)
    last = lk.row_titles()[-1]
    assert lk.row(last).get_root_window() is not None
    for row in lk.ui.find(lambda w: type(w).__name__ == "ListRow"):
        title, subtitle = (c for c in reversed(row.children) if isinstance(c, Label))
        assert title.texture_size[1] + subtitle.texture_size[1] <= row.height  # nothing cut off

"""Search on the kiosk, headless, by tapping the on-screen keyboard: Telex and the tone keys,
results as the citizen types, no results offering the fields, idle reset."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.ui


def results(lk) -> list[str]:
    return lk.row_titles() if lk.screen().state == "results" else []


def test_khai_sinh_typed_with_telex_keys_finds_birth_registration_and_opens_it(lookup_app) -> None:
    lk = lookup_app()
    lk.open_search()
    lk.type("khai sinh")
    assert lk.screen().query == "khai sinh"
    lk.ui.until(lambda: results(lk)[:1] == ["Đăng ký khai sinh"])
    assert "Đăng ký khai sinh có yếu tố nước ngoài" in results(lk)
    assert "Đăng ký kết hôn" not in results(lk)
    lk.ui.tap(lk.row("Đăng ký khai sinh"))
    lk.ui.until(lambda: lk.app.sm.current == "lookup_detail" and lk.screen().state == "ready")
    assert "Tờ khai đăng ký khai sinh\nBản chính: 1" in lk.ui.texts()
    lk.ui.tap(lk.ui.find_text("Quay lại"))
    assert lk.app.sm.current == "lookup_search"
    assert lk.screen().query == "khai sinh"  # back from a result keeps the search


def test_telex_keys_compose_vietnamese_in_the_box(lookup_app) -> None:
    lk = lookup_app()
    lk.open_search()
    lk.type("ddawng kys khai sinh")
    assert lk.screen().query == "đăng ký khai sinh"
    lk.ui.until(lambda: results(lk)[:1] == ["Đăng ký khai sinh"])
    assert lk.screen().found >= 1


def test_vowel_and_tone_keys_spell_dang_ky_khai_sinh(lookup_app) -> None:
    lk = lookup_app()
    lk.open_search()
    lk.key("telex")  # Telex off: only the keys on the "Chữ có dấu" page add marks
    lk.type("đăng ky")
    lk.tone("sac")
    lk.type(" khai sinh")
    assert lk.screen().query == "đăng ký khai sinh"
    assert lk.screen().keyboard.page == "letters"  # the accents page is a one-shot
    lk.ui.until(lambda: results(lk)[:1] == ["Đăng ký khai sinh"])


def test_results_update_as_the_citizen_types(lookup_app) -> None:
    lk = lookup_app()
    lk.open_search()
    lk.type("dang ky k")
    lk.ui.until(lambda: lk.screen().state == "results" and lk.screen().query == "dang ky k")
    before = results(lk)
    assert set(before) >= {"Đăng ký kết hôn", "Đăng ký khai sinh", "Đăng ký khai tử"}
    lk.type("hai t")
    lk.ui.until(lambda: results(lk)[:1] == ["Đăng ký khai tử"])
    for _ in range(5):
        lk.key("backspace")
    assert lk.screen().query == "dang ky k"
    lk.ui.until(lambda: results(lk) == before)


def test_no_results_offers_the_fields_to_browse(lookup_app) -> None:
    lk = lookup_app()
    lk.open_search()
    lk.type("qqq")
    lk.ui.until(lambda: lk.screen().state == "none")
    texts = lk.ui.texts()
    assert "Không tìm thấy thủ tục nào cho “qqq”." in texts
    assert "Quý khách có thể xem theo lĩnh vực:" in texts
    assert "Chứng thực" in lk.row_titles()
    lk.ui.tap(lk.row("Chứng thực"))
    lk.ui.until(lambda: lk.app.sm.current == "lookup_list" and lk.screen().state == "ready")
    assert lk.row_titles() == ["Chứng thực bản sao từ bản chính giấy tờ, văn bản"]
    lk.ui.tap(lk.ui.find_text("Quay lại"))
    assert lk.app.sm.current == "lookup_search"  # back to where the citizen came from


def test_clear_empties_the_box_and_shows_the_typing_help(lookup_app) -> None:
    lk = lookup_app()
    lk.open_search()
    lk.type("so do")
    lk.ui.until(lambda: lk.screen().state == "results")
    lk.ui.tap(lk.ui.find_text("Xóa hết"))
    assert lk.screen().query == ""
    assert lk.screen().state == "empty"
    assert any(t.startswith("Gõ dấu: chạm “Chữ có dấu”") for t in lk.ui.texts())


def test_idle_timeout_clears_the_search_and_goes_home(lookup_app) -> None:
    lk = lookup_app()
    lk.open_search()
    lk.type("khai")
    lk.key("telex")
    lk.key("page", "tones")
    lk.ui.until(lambda: lk.screen().state == "results")
    search = lk.screen()
    lk.app.last_touch -= lk.app.services.settings.ui.idle_timeout_s + 1
    lk.ui.until(lambda: lk.app.sm.current == "home")
    assert search.query == ""
    assert search.state == "empty"
    assert search.keyboard.telex is True
    assert search.keyboard.page == "letters"
    # Opening search again starts empty: nothing of the last citizen is left.
    lk.open_search()
    assert lk.screen().query == ""
    assert not any(r.get("kind") == "procedure" for r in lk.screen().ids.rows.rows)

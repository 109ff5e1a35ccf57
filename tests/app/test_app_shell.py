"""The app shell, headless with real touch events: start, language, idle timeout, lock-down."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.ui


def test_app_starts_on_home_with_office_name_and_vietnamese_clock(app_factory) -> None:
    ui = app_factory()
    assert ui.app.sm.current == "home"
    texts = ui.texts()
    assert "UBND xã Mê Linh" in texts
    assert "BỘ PHẬN MỘT CỬA" in texts
    assert any(t.startswith(("Thứ ", "Chủ Nhật")) for t in texts), texts


def test_language_toggle_by_touch_switches_every_string(app_factory) -> None:
    ui = app_factory()
    ui.tap(ui.find_text("English"))
    assert ui.app.lang == "en"
    assert "Welcome" in ui.texts()
    assert "Xin kính chào quý khách" not in ui.texts()
    ui.tap(ui.find_text("Tiếng Việt"))
    assert ui.app.lang == "vi"
    assert "Xin kính chào quý khách" in ui.texts()


def test_idle_timeout_returns_home_in_default_language(app_factory) -> None:
    ui = app_factory()
    ui.tap(ui.find_text("English"))
    assert ui.app.lang == "en"
    ui.app.last_touch -= ui.app.services.settings.ui.idle_timeout_s + 1
    ui.until(lambda: ui.app.sm.current == "home" and ui.app.lang == "vi")


def test_touch_resets_the_idle_clock(app_factory) -> None:
    ui = app_factory()
    ui.tap(ui.find_text("English"))
    ui.app.last_touch -= ui.app.services.settings.ui.idle_timeout_s - 5
    ui.tap_at(10, 10)
    ui.pump(seconds=1.2)
    assert ui.app.lang == "en"


def test_escape_is_swallowed_and_close_requests_refused(app_factory) -> None:
    ui = app_factory()
    assert ui.key(27) is True
    refused = ui.window.dispatch("on_request_close")
    assert refused is True
    ui.pump(frames=3)
    assert ui.app.root.get_root_window() is ui.window
    assert ui.app.open_settings() is False


def test_ui_reports_started_healthy_and_busy_for_the_updater(app_factory) -> None:
    from kiosk.device import health

    ui = app_factory()
    db = ui.app.services.db
    ui.pump(frames=3)
    ui.until(lambda: health.read_ui_health(db).healthy_at is not None)
    assert health.busy_reason(db) is None
    ui.app.sm.go("queue")
    ui.until(lambda: health.busy_reason(db) == "screen queue")
    ui.app.go_home()
    ui.until(lambda: health.busy_reason(db) is None)


def test_pushed_settings_make_the_ui_restart_at_rest(app_factory, state_dir) -> None:
    import json

    from kiosk import config

    ui = app_factory()
    assert ui.app.restart_reason() is None
    (state_dir / config.SERVER_SETTINGS_FILE).write_text(
        json.dumps({"version": 8, "settings": {"ui": {"notices": ["Mới"]}}}), encoding="utf-8"
    )
    assert ui.app.restart_reason() == "the server pushed new settings"


def test_settings_rewritten_to_the_same_effect_do_not_restart_the_ui(app_factory, state_dir) -> None:
    import json

    from kiosk import config

    ui = app_factory()
    # The agent's first pass on a new kiosk writes the server's (empty) settings after the UI
    # started: the same settings, so no restart (in `make run` a restart ended the demo).
    (state_dir / config.SERVER_SETTINGS_FILE).write_text(
        json.dumps({"version": 0, "settings": {}}), encoding="utf-8"
    )
    assert ui.app.restart_reason() is None
    (state_dir / config.SERVER_SETTINGS_FILE).write_text(
        json.dumps({"version": 1, "settings": {"ui": {"idle_timeout_s": 90}}}), encoding="utf-8"
    )
    assert ui.app.restart_reason() == "the server pushed new settings"

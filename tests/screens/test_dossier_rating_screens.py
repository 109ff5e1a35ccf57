"""Dossier status and rating through the real app: keypad touches, the real central server on
loopback for the lookup, the outbox for the rating."""

from __future__ import annotations

import pytest

from kiosk import outbox
from tests.central.api.test_central_dossiers import RECORD

pytestmark = pytest.mark.ui


def key(ui, text: str):
    hits = ui.find(lambda w: getattr(w, "text", None) == text and hasattr(w, "state"))
    assert hits, f"no key {text!r}"
    return hits[0]


def type_code(ui, code: str) -> None:
    screen = ui.app.sm.get_screen("dossier")
    ui.pump(frames=2)  # let a screen just switched to lay itself out
    for char in code:
        wants_letters = char.isalpha()
        if wants_letters != screen.letters:
            ui.tap(key(ui, "ABC" if wants_letters else "123"))
        ui.tap(key(ui, char))


def test_dossier_typed_on_the_keypad_shows_the_masked_answer_and_idle_clears_it(app_factory, kiosk) -> None:
    kiosk.server.admin("POST", "/dossiers", {"dossiers": [RECORD]})
    ui = app_factory()
    ui.tap(ui.find(lambda w: getattr(w, "title", None) == "Tra cứu hồ sơ")[0])
    assert ui.app.sm.current == "dossier"
    screen = ui.app.sm.get_screen("dossier")
    type_code(ui, "000.00.06.H56-231027-0361")
    assert screen.code == "000.00.06.H56-231027-0361"
    ui.tap(key(ui, "Tra cứu"))
    ui.until(lambda: screen.state == "found")
    texts = ui.texts()
    assert RECORD["procedure"] in texts
    assert "Nguyễn V*** A" in texts or any("***" in t for t in texts)
    assert RECORD["applicant"] not in texts  # the server masks; the kiosk never shows more
    ui.app.last_touch -= ui.app.services.settings.ui.idle_timeout_s + 1
    ui.until(lambda: ui.app.sm.current == "home")
    assert (screen.code, dict(screen.result)) == ("", {})


def test_unknown_code_and_server_down_each_say_so(app_factory, kiosk) -> None:
    ui = app_factory()
    ui.app.sm.go("dossier")
    screen = ui.app.sm.get_screen("dossier")
    type_code(ui, "123-456")
    ui.tap(key(ui, "Tra cứu"))
    ui.until(lambda: screen.state == "failed")
    assert screen.failure_key == "dossier.unknown"
    kiosk.server.stop()
    ui.tap(key(ui, "9"))
    ui.tap(key(ui, "Tra cứu"))
    ui.until(lambda: screen.state == "failed" and screen.code == "123-4569", timeout_s=30)
    assert screen.failure_key == "dossier.offline"
    assert any("Chưa kết nối được hệ thống tra cứu" in t for t in ui.texts())


def test_not_enrolled_kiosk_says_so_without_asking_anyone(app_factory) -> None:
    ui = app_factory()
    ui.app.sm.go("dossier")
    screen = ui.app.sm.get_screen("dossier")
    type_code(ui, "42")
    ui.tap(key(ui, "Tra cứu"))
    ui.until(lambda: screen.state == "failed")
    assert screen.failure_key == "dossier.not_enrolled"


def test_scanned_code_is_looked_up_at_once(app_factory, kiosk) -> None:
    kiosk.server.admin("POST", "/dossiers", {"dossiers": [RECORD]})
    ui = app_factory()
    ui.app.scanned("000.00.06.H56-231027-0361")
    screen = ui.app.sm.get_screen("dossier")
    assert ui.app.sm.current == "dossier"
    ui.until(lambda: screen.state == "found")


def test_rating_with_a_counter_goes_to_the_outbox_and_thanks(app_factory, state_dir) -> None:
    from kiosk import config
    from tests.fixtures_core import DEMO_CONFIG

    ui = app_factory(
        config.load(site_file=DEMO_CONFIG, state_dir=state_dir, overrides={"ui.done_return_s": 2}).settings
    )
    ui.tap(ui.find(lambda w: getattr(w, "title", None) == "Đánh giá")[0])
    assert ui.app.sm.current == "rating"
    ui.tap(key(ui, "Quầy 3"))
    ui.tap(ui.find(lambda w: getattr(w, "title", None) == "Rất hài lòng")[0])
    screen = ui.app.sm.get_screen("rating")
    ui.until(lambda: screen.state == "thanks")
    [event] = [e for e in outbox.pending(ui.app.services.db) if e.type == "rating.submitted"]
    assert event.data == {"score": 3, "service": "B", "counter": "3"}
    assert "Cảm ơn quý khách đã đánh giá!" in ui.texts()
    ui.until(lambda: ui.app.sm.current == "home", timeout_s=15)


def test_rating_without_a_counter(app_factory) -> None:
    ui = app_factory()
    ui.app.sm.go("rating")
    ui.pump(frames=2)
    ui.tap(ui.find(lambda w: getattr(w, "title", None) == "Không hài lòng")[0])
    screen = ui.app.sm.get_screen("rating")
    ui.until(lambda: screen.state == "thanks")
    [event] = [e for e in outbox.pending(ui.app.services.db) if e.type == "rating.submitted"]
    assert event.data == {"score": 1, "service": None, "counter": None}

"""Fewer taps to a checklist (issue 16), counted by touch on the headless app with the demo
catalogue: a popular procedure's checklist printed in at most 3 taps from home, any procedure's
in at most 8 taps plus typing its first word."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest

from bench.search_quality import DEMO_CATALOGUE, import_demo
from kiosk import store
from kiosk.catalogue.folding import fold_vietnamese
from kiosk.catalogue.search import search
from kiosk.screens.lookup_search import MIN_QUERY_CHARS

# Result rows a citizen sees above the keyboard without scrolling (portrait, the tightest).
VISIBLE_ROWS = 4


def demo() -> dict[str, Any]:
    return json.loads(DEMO_CATALOGUE.read_text(encoding="utf-8"))


class Counted:
    """Counts the taps a test makes (key taps counted apart: they are the typing)."""

    def __init__(self, lk: Any) -> None:
        self.lk, self.taps = lk, 0

    def tap(self, widget: Any) -> None:
        self.taps += 1
        self.lk.ui.tap(widget)


@pytest.mark.ui
def test_a_popular_checklist_is_printed_in_three_taps_from_home(lookup_app) -> None:
    lk = lookup_app(document=demo(), size="540x960")
    taps = Counted(lk)
    lk.ui.pump(frames=2)
    taps.tap(lk.ui.find_text("Tra cứu thủ tục"))
    lk.ui.until(lambda: lk.app.sm.current == "lookup" and lk.screen().popular_count > 0)
    assert lk.ui.find_text("Thủ tục hay dùng")
    taps.tap(lk.ui.find_text("Đăng ký khai sinh"))  # first in the demo catalogue's order
    lk.ui.until(lambda: lk.app.sm.current == "lookup_detail" and lk.screen().state == "ready")
    taps.tap(lk.screen().ids.print_button)
    lk.ui.until(lambda: lk.screen().print_state == "done")
    assert [layout.name for layout in lk.printer.layouts] == ["checklist 1.001193"]
    assert taps.taps == 3


@pytest.mark.ui
def test_the_strip_follows_what_is_looked_up_on_this_kiosk(lookup_app) -> None:
    lk = lookup_app(document=demo())
    lk.open_search()
    lk.type("giam ho")
    lk.ui.until(lambda: "Đăng ký giám hộ" in lk.row_titles()[:VISIBLE_ROWS])
    lk.ui.tap(lk.row("Đăng ký giám hộ"))
    lk.ui.until(lambda: lk.app.sm.current == "lookup_detail" and lk.screen().state == "ready")
    views = "SELECT count(*) FROM lookup_views WHERE code = ?"
    code = lk.screen().read.procedure["code"]
    db = lk.screen().services.db
    lk.ui.until(lambda: db.execute(views, [code]).fetchone()[0] == 1)  # counted on the worker
    lk.ui.tap(lk.ui.find_text("Trang chủ"))
    lk.open_lookup()
    lk.ui.until(lambda: lk.screen().popular_count > 0)
    assert lk.screen().popular[0].name == "Đăng ký giám hộ"


@pytest.mark.ui
def test_a_procedure_by_its_first_word_in_four_taps(lookup_app) -> None:
    lk = lookup_app(document=demo())
    taps = Counted(lk)
    lk.ui.pump(frames=2)
    taps.tap(lk.ui.find_text("Tra cứu thủ tục"))
    lk.ui.until(lambda: lk.app.sm.current == "lookup" and lk.screen().state == "ready")
    taps.tap(lk.ui.find_text("Tìm thủ tục"))
    lk.type("tach")  # the first word of "Tách hộ" (marks are optional); typing is not counted
    lk.ui.until(lambda: "Tách hộ" in lk.row_titles()[:VISIBLE_ROWS])
    taps.tap(lk.row("Tách hộ"))
    lk.ui.until(lambda: lk.app.sm.current == "lookup_detail" and lk.screen().state == "ready")
    taps.tap(lk.screen().ids.print_button)
    lk.ui.until(lambda: lk.screen().print_state == "done")
    assert taps.taps == 4


@pytest.mark.ui
def test_results_come_from_two_letters(lookup_app) -> None:
    lk = lookup_app(document=demo())
    lk.open_search()
    lk.type("k")
    lk.ui.pump(seconds=0.4)
    assert lk.screen().state == "empty"  # one letter says nothing yet
    lk.type("h")
    lk.ui.until(lambda: lk.screen().state == "results")
    assert MIN_QUERY_CHARS == 2


def taps_to(db: Any, code: str, name: str) -> int:
    """Taps from home to this procedure's printed checklist by search: the lookup tile, the
    search tile, then after any word of its name (typed, not counted) each further key until
    it is among the visible rows, then its row and "In danh mục hồ sơ"."""
    words = fold_vietnamese(name).split()
    best = 99
    for start in range(len(words)):
        typed = " ".join(words[start:])
        first = max(len(words[start]), MIN_QUERY_CHARS)
        for end in range(first, len(typed) + 1):
            if code in [h.code for h in search(db, typed[:end], 50)][:VISIBLE_ROWS]:
                best = min(best, 2 + (end - len(words[start])) + 2)
                break
    return best


def test_every_demo_procedure_is_at_most_eight_taps_plus_its_first_word() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = store.connect(Path(tmp) / store.DB_NAME)
        import_demo(db)
        counts = {
            code: taps_to(db, code, name)
            for code, name in db.execute("SELECT code, name FROM catalogue_procedure")
        }
        db.close()
    assert max(counts.values()) <= 8, sorted(counts.items(), key=lambda item: -item[1])[:5]

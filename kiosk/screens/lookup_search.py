"""Procedure lookup: search with the on-screen Vietnamese keyboard, results as the citizen types.

Each key edits the text through kiosk/catalogue/telex.py; the search itself
(kiosk/catalogue/search.py, an FTS query of a few milliseconds that never raises) runs on the UI
thread once typing pauses for DEBOUNCE_S, so a fast typist does not pay for a search per key.
No results offers the fields to browse."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import NumericProperty, OptionProperty, StringProperty

from kiosk.catalogue import telex
from kiosk.catalogue.search import SearchHit, search
from kiosk.catalogue.store import FieldCount, fields_with_counts
from kiosk.screens import KioskScreen
from kiosk.screens.lookup_keyboard import VietnameseKeyboard
from kiosk.screens.lookup_widgets import Loader, count_text, current_language, tr

DEBOUNCE_S = 0.25
RESULT_LIMIT = 50
# Results from two letters on: one letter matches half the catalogue and says nothing yet.
MIN_QUERY_CHARS = 2
# Longer than any procedure name a citizen would type; keeps the box at two lines at most.
MAX_QUERY_CHARS = 60


def hit_rows(
    hits: list[SearchHit], owner: Any, english: bool, field_names: dict[str, str]
) -> list[dict[str, Any]]:
    """RecycleView data for search hits: name, then code and field (named in the current
    language when the fields are loaded)."""
    return [
        {
            "viewclass": "ListRow",
            "title": (hit.name_en or hit.name) if english else hit.name,
            "subtitle": tr(
                "lookup.code_field", code=hit.code, field=field_names.get(hit.field, hit.field_name)
            ),
            "value": hit.code,
            "kind": "procedure",
            "owner": owner,
        }
        for hit in hits
    ]


def no_result_rows(query: str, fields: list[FieldCount], owner: Any) -> list[dict[str, Any]]:
    """The message, then every field as a row to browse instead."""
    rows: list[dict[str, Any]] = [
        {"viewclass": "LookupNote", "text": tr("lookup.search.none", query=query.strip()), "strong": True},
    ]
    if fields:
        rows.append({"viewclass": "LookupNote", "text": tr("lookup.search.browse"), "strong": False})
    rows += [
        {
            "viewclass": "ListRow",
            "title": field.name,
            "subtitle": count_text(field.count),
            "value": field.id,
            "kind": "field",
            "owner": owner,
        }
        for field in fields
    ]
    return rows


def hint_rows() -> list[dict[str, Any]]:
    return [
        {"viewclass": "LookupNote", "text": tr("lookup.search.hint"), "strong": False},
        {"viewclass": "LookupNote", "text": tr("lookup.search.telex_help"), "strong": False},
    ]


class LookupSearchScreen(KioskScreen):
    lang = StringProperty("vi")
    query = StringProperty("")
    state = OptionProperty("empty", options=["empty", "results", "none"])
    found = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.loader = Loader(self.services)
        self.fields: list[FieldCount] = []
        self.hits: list[SearchHit] = []
        self._pending: Any = None

    def prepare(self, fresh: bool = True) -> None:
        """Open the search; `fresh` starts with an empty box (coming back from a result keeps it)."""
        if fresh:
            self.clear()

    def on_pre_enter(self, *_args: Any) -> None:
        self.load_fields()
        if not self.query:
            self.show()

    def on_lang(self, *_args: Any) -> None:
        if not self.constructed:
            return  # a screen built after the language switched: its own prepare() renders it
        self.load_fields()
        self.show()

    def load_fields(self) -> None:
        """The fields for "no results", read on the worker thread."""
        language = current_language()
        self.loader.load(lambda db: fields_with_counts(db, language), self._fields_loaded)

    def _fields_loaded(self, fields: list[FieldCount] | None, _error: BaseException | None) -> None:
        self.fields = list(fields or [])
        if self.state != "empty":
            self.show()

    # --- typing ----------------------------------------------------------------------------
    @property
    def keyboard(self) -> VietnameseKeyboard:
        keyboard: VietnameseKeyboard = self.ids.keyboard
        return keyboard

    def on_key(self, kind: str, value: str) -> None:
        """A key of the on-screen keyboard (kind: letter, tone, space, backspace)."""
        if kind == "backspace":
            self.query = telex.backspace(self.query)
        elif kind == "tone":
            self.query = telex.set_tone(self.query, telex.Tone[value])
        elif len(self.query) >= MAX_QUERY_CHARS:
            return
        elif kind == "letter":
            self.query = telex.type_key(self.query, value, self.keyboard.telex)
        elif kind == "space":
            self.query = telex.add_space(self.query)

    def on_query(self, *_args: Any) -> None:
        if self._pending is not None:
            self._pending.cancel()
        self._pending = Clock.schedule_once(lambda _dt: self.run_search(), DEBOUNCE_S)

    def run_search(self) -> None:
        self._pending = None
        language = current_language()
        typed = len(self.query.strip()) >= MIN_QUERY_CHARS
        self.hits = search(self.services.db, self.query, RESULT_LIMIT, language=language) if typed else []
        self.show()

    def show(self) -> None:
        """Fill the list for the current state (UI thread)."""
        rows = self.ids.rows
        if len(self.query.strip()) < MIN_QUERY_CHARS:
            self.state, self.found = "empty", 0
            rows.rows = hint_rows()
        elif self.hits:
            self.state, self.found = "results", len(self.hits)
            names = {field.id: field.name for field in self.fields}
            rows.rows = hit_rows(self.hits, self, current_language() == "en", names)
        else:
            self.state, self.found = "none", 0
            rows.rows = no_result_rows(self.query, self.fields, self)

    def choose(self, kind: str, value: str) -> None:
        if self.manager is None:
            return
        if kind == "field":
            self.manager.go("lookup_list", field_id=value, back=self.name)
        else:
            self.manager.go("lookup_detail", code=value, back=self.name)

    def go_back(self) -> None:
        if self.manager is not None:
            self.manager.go("lookup")

    # --- clearing --------------------------------------------------------------------------
    def clear(self) -> None:
        self.query = ""
        self.hits = []
        if self._pending is not None:  # a search scheduled for the old text: nothing to do now
            self._pending.cancel()
            self._pending = None
        self.show()

    def reset(self) -> None:
        self.loader.cancel()
        self.clear()
        self.keyboard.reset()

    def shutdown(self) -> None:
        if self._pending is not None:
            self._pending.cancel()

    def shots(self) -> dict[str, Any]:
        def typed(text: str, page: str = "letters") -> Any:
            def setup() -> None:
                self.loader.cancel()
                self.fields = fields_with_counts(self.services.db, current_language())
                self.query = text
                self.run_search()
                self.keyboard.page = page

            return setup

        return {
            "": typed(""),
            "results": typed("khai sinh"),
            "none": typed("xyz qwv"),
            "tones": typed("đăng k", page="tones"),
        }

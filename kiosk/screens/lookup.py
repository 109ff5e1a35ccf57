"""Procedure lookup, first screen: search, or browse the fields (lĩnh vực) with their counts.

The screens of the lookup, each a .py + .kv: lookup (this one) → lookup_list (the procedures of
a field) → lookup_detail (one procedure, print its checklist); lookup_search (the on-screen
keyboard, results as the citizen types). Reads run on the worker thread (Loader)."""

from __future__ import annotations

from typing import Any

from kivy.factory import Factory
from kivy.properties import NumericProperty, OptionProperty, StringProperty

from kiosk.catalogue.popular import popular_procedures
from kiosk.catalogue.store import FieldCount, ProcedureSummary, fields_with_counts
from kiosk.screens import KioskScreen
from kiosk.screens.lookup_widgets import Loader, count_text, current_language

# A tile of the strip shows about two lines; the detail shows the whole name.
POPULAR_NAME_CHARS = 44


def short_name(name: str, limit: int = POPULAR_NAME_CHARS) -> str:
    """The name cut at a word before `limit` characters, with "…" when cut."""
    if len(name) <= limit:
        return name
    cut = name[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:(")
    return cut + "…"


class LookupScreen(KioskScreen):
    """The field grid and the way into search."""

    lang = StringProperty("vi")
    state = OptionProperty("loading", options=["loading", "ready", "empty", "failed"])
    popular_count = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.loader = Loader(self.services)
        self.fields: list[FieldCount] = []
        self.popular: list[ProcedureSummary] = []

    def on_pre_enter(self, *_args: Any) -> None:
        self.refresh()

    def on_lang(self, *_args: Any) -> None:
        if not self.constructed:
            return  # a screen built after the language switched: its own prepare() renders it
        if self.manager is not None and self.manager.current == self.name:
            self.refresh()

    def refresh(self) -> None:
        """Read the fields again (the catalogue may have been synced since)."""
        language = current_language()
        if not self.fields:
            self.state = "loading"
        # One read for both, so the strip and the fields appear together (no tile moves after
        # the screen says it is ready).
        self.loader.load(lambda db: (fields_with_counts(db, language), popular_procedures(db)), self._loaded)

    def _loaded(
        self, read: tuple[list[FieldCount], list[ProcedureSummary]] | None, error: BaseException | None
    ) -> None:
        fields, popular = read if read is not None else ([], [])
        self.show_popular(popular, error)
        self.show(fields, error)

    def show_popular(self, popular: list[ProcedureSummary] | None, _error: BaseException | None) -> None:
        """The "Thủ tục hay dùng" strip: one tap to a procedure's checklist (UI thread)."""
        strip = self.ids.popular
        strip.clear_widgets()
        self.popular = list(popular or [])
        self.popular_count = len(self.popular)
        english = current_language() == "en"
        for procedure in self.popular:
            name = (procedure.name_en or procedure.name) if english else procedure.name
            tile = Factory.PopularTile(title=short_name(name))
            tile.bind(on_release=lambda _tile, code=procedure.code: self.open_procedure(code))
            strip.add_widget(tile)

    def open_procedure(self, code: str) -> None:
        if self.manager is not None:
            self.manager.go("lookup_detail", code=code, back=self.name)

    def show(self, fields: list[FieldCount] | None, error: BaseException | None) -> None:
        """Put the fields on screen (UI thread)."""
        grid = self.ids.fields
        grid.clear_widgets()
        self.fields = list(fields or [])
        if error is not None:
            self.state = "failed"
            return
        self.state = "ready" if self.fields else "empty"
        for field in self.fields:
            tile = Factory.FieldTile(title=field.name, subtitle=count_text(field.count))
            tile.bind(on_release=lambda _tile, field_id=field.id: self.open_field(field_id))
            grid.add_widget(tile)

    def open_field(self, field_id: str) -> None:
        if self.manager is not None:
            self.manager.go("lookup_list", field_id=field_id, back=self.name)

    def open_search(self) -> None:
        if self.manager is not None:
            self.manager.go("lookup_search", fresh=True)

    def reset(self) -> None:
        self.loader.cancel()
        self.ids.scroll.scroll_y = 1

    def shots(self) -> dict[str, Any]:
        def browse() -> None:
            self.loader.cancel()
            self.show(fields_with_counts(self.services.db, current_language()), None)
            self.show_popular(popular_procedures(self.services.db), None)

        return {"": browse}

"""Procedure lookup: the procedures of one field, in Vietnamese order, in a RecycleView (a field
may hold hundreds; only the rows on screen exist as widgets)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from kivy.properties import OptionProperty, StringProperty

from kiosk.catalogue.store import ProcedureSummary, get_field, procedures_in_field
from kiosk.screens import KioskScreen
from kiosk.screens.lookup_widgets import Loader, count_text, current_language, tr


@dataclass(frozen=True)
class FieldListing:
    """A field and its procedures, as read on the worker thread."""

    field: dict[str, str] | None
    procedures: list[ProcedureSummary]


def read_field(db: sqlite3.Connection, field_id: str) -> FieldListing:
    return FieldListing(get_field(db, field_id), procedures_in_field(db, field_id))


def procedure_rows(procedures: list[ProcedureSummary], owner: Any, english: bool) -> list[dict[str, Any]]:
    """RecycleView data for a list of procedures: name, then code and level."""
    return [
        {
            "viewclass": "ListRow",
            "title": (p.name_en or p.name) if english else p.name,
            "subtitle": tr(
                "lookup.code_level", code=p.code, level=tr(f"lookup.level.{p.level.replace('-', '_')}")
            ),
            "value": p.code,
            "kind": "procedure",
            "owner": owner,
        }
        for p in procedures
    ]


class LookupListScreen(KioskScreen):
    lang = StringProperty("vi")
    field_id = StringProperty("")
    field_name = StringProperty("")
    count = StringProperty("")
    state = OptionProperty("loading", options=["loading", "ready", "missing", "failed"])

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.loader = Loader(self.services)
        self.back = "lookup"
        self.listing: FieldListing | None = None

    def prepare(self, field_id: str, back: str = "lookup") -> None:
        """Show the procedures of `field_id`; "Quay lại" goes to `back`."""
        self.back = back
        self.field_id = field_id
        self.field_name = self.count = ""
        self.listing = None
        self.ids.rows.rows = []
        self.state = "loading"
        self.loader.load(lambda db: read_field(db, field_id), self.show)

    def on_lang(self, *_args: Any) -> None:
        if not self.constructed:
            return  # a screen built after the language switched: its own prepare() renders it
        if self.listing is not None:
            self.show(self.listing, None)

    def show(self, listing: FieldListing | None, error: BaseException | None) -> None:
        """Put the list on screen (UI thread)."""
        self.listing = listing
        if error is not None or listing is None:
            self.state = "failed"
            return
        if listing.field is None:
            self.state = "missing"
            self.ids.rows.rows = []
            return
        english = current_language() == "en"
        field = listing.field
        self.field_name = (field["name_en"] or field["name"]) if english else field["name"]
        self.count = count_text(len(listing.procedures))
        self.ids.rows.rows = procedure_rows(listing.procedures, self, english)
        self.state = "ready"

    def choose(self, kind: str, code: str) -> None:
        if self.manager is not None:
            self.manager.go("lookup_detail", code=code, back=self.name)

    def go_back(self) -> None:
        if self.manager is not None:
            self.manager.go(self.back)

    def reset(self) -> None:
        self.loader.cancel()
        self.listing = None
        self.field_id = self.field_name = self.count = ""
        self.ids.rows.rows = []

    def shots(self) -> dict[str, Any]:
        def listing() -> None:
            self.loader.cancel()
            first = self.services.db.execute(
                "SELECT field FROM catalogue_procedure GROUP BY field ORDER BY count(*) DESC LIMIT 1"
            ).fetchone()
            self.field_id = first[0] if first else ""
            self.show(read_field(self.services.db, self.field_id), None)

        return {"": listing}

"""Pieces the procedure-lookup screens share: reads on the worker thread, list rows, the QR code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import qrcode
from kivy.app import App
from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.recycleview import RecycleView
from kivy.uix.recycleview.views import RecycleDataViewBehavior
from kivy.uix.widget import Widget

from kiosk.i18n import translate

T = TypeVar("T")


def current_language() -> str:
    """The language the citizen chose ("vi" or "en")."""
    app = App.get_running_app()
    return str(app.lang) if app is not None else "vi"


def tr(key: str, **values: Any) -> str:
    """A UI string in the current language (for text built in Python)."""
    return translate(current_language(), key, **values)


def count_text(count: int) -> str:
    """ "16 thủ tục" / "16 procedures" ("1 procedure")."""
    return tr("lookup.count_one" if count == 1 else "lookup.count", count=count)


class Loader:
    """Reads on the worker thread (its own database connection) and shows the answer on the UI
    thread. Only the answer to the latest request is shown: a citizen who taps on before a read
    finished never sees an older answer replace a newer one."""

    def __init__(self, services: Any) -> None:
        self._services = services
        self._generation = 0

    def load(
        self,
        job: Callable[[Any], T],
        show: Callable[[T | None, BaseException | None], None],
    ) -> None:
        self._generation += 1
        generation = self._generation

        def done(result: T | None, error: BaseException | None) -> None:
            Clock.schedule_once(lambda _dt: self._deliver(generation, show, result, error), 0)

        worker = self._services.worker
        if worker is None:  # services built for a tool without a worker: read here
            try:
                show(job(self._services.db), None)
            except Exception as exc:  # same contract as the worker: the screen shows the error
                show(None, exc)
            return
        worker.submit(job, done)

    def _deliver(
        self,
        generation: int,
        show: Callable[[T | None, BaseException | None], None],
        result: T | None,
        error: BaseException | None,
    ) -> None:
        if generation == self._generation:
            show(result, error)

    def cancel(self) -> None:
        """Drop the answer of any read still running."""
        self._generation += 1


# Sizes of list rows at a 1080-px short side (× app.u); lookup_widgets.kv uses the same.
ROW = {"title": 36, "subtitle": 30, "pad_x": 32, "pad_y": 24, "gap": 8, "min": 120}
NOTE = {"strong": 40, "plain": 32, "pad_x": 8, "pad_y": 18}


class TextMeasure:
    """Heights of wrapped text, from Kivy's own text layout without rendering a texture (the
    same layout a Label uses, so a row is exactly as tall as its text). Cached: lists repeat."""

    def __init__(self) -> None:
        self._labels: dict[tuple[float, bool], CoreLabel] = {}
        self._heights: dict[tuple[str, float, bool, float], float] = {}

    def height(self, text: str, font_size: float, bold: bool, width: float) -> float:
        key = (text, font_size, bold, width)
        if key not in self._heights:
            label = self._labels.get((font_size, bold))
            if label is None:
                label = self._labels[(font_size, bold)] = CoreLabel(font_size=font_size, bold=bold)
                label.resolve_font_name()
            label.text_size = (width, None)
            label.text = text
            self._heights[key] = float(label.render()[1])
        return self._heights[key]


MEASURE = TextMeasure()


def row_height(row: dict[str, Any], width: float, u: float) -> float:
    """The height a ListRow or LookupNote needs at this width (its text wraps, never cut off)."""
    if row.get("viewclass") == "LookupNote":
        size = NOTE["strong"] if row.get("strong") else NOTE["plain"]
        inner = width - 2 * NOTE["pad_x"] * u
        return MEASURE.height(row["text"], size * u, bool(row.get("strong")), inner) + 2 * NOTE["pad_y"] * u
    inner = width - 2 * ROW["pad_x"] * u
    height = 2 * ROW["pad_y"] * u + MEASURE.height(row["title"], ROW["title"] * u, True, inner)
    if row.get("subtitle"):
        height += ROW["gap"] * u + MEASURE.height(row["subtitle"], ROW["subtitle"] * u, False, inner)
    return max(height, ROW["min"] * u)


class LookupList(RecycleView):
    """A RecycleView of ListRow and LookupNote rows: set `rows` (dicts of their properties with
    a "viewclass"); the heights are measured here for the current width."""

    rows = ListProperty([])
    gutter = NumericProperty(0)  # room on the right for the scroll bar

    def on_rows(self, *_args: Any) -> None:
        self._fill()

    def on_width(self, *_args: Any) -> None:
        self._fill()

    def _fill(self) -> None:
        app = App.get_running_app()
        u = float(app.u) if app is not None else 1.0
        width = self.width - self.gutter
        if width < 200 * u:  # not laid out yet; the real width comes with on_width
            self.data = []
            return
        self.data = [dict(row, height=row_height(row, width, u)) for row in self.rows]
        self.scroll_y = 1


class ListRow(RecycleDataViewBehavior, ButtonBehavior, BoxLayout):
    """One line of a LookupList (a procedure or a field): a title and a line below it."""

    title = StringProperty("")
    subtitle = StringProperty("")
    value = StringProperty("")
    kind = StringProperty("procedure")
    owner: Any = None

    def on_release(self) -> None:
        if self.owner is not None:
            self.owner.choose(self.kind, self.value)


class LookupNote(RecycleDataViewBehavior, BoxLayout):
    """A message inside a list (no results, the fields to browse instead)."""

    text = StringProperty("")
    strong = BooleanProperty(False)


def qr_texture(data: str) -> Texture:
    """The QR code of `data` as a texture, one texel per module with the quiet zone; drawn with
    nearest filtering it stays sharp at any size. Made here, no network involved."""
    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    dark, light = b"\x00\x00\x00\xff", b"\xff\xff\xff\xff"
    # Kivy's texture rows run from the bottom up; RGBA keeps every row 4-byte aligned.
    pixels = b"".join(dark if cell else light for row in reversed(matrix) for cell in row)
    texture = Texture.create(size=(size, size), colorfmt="rgba")
    texture.blit_buffer(pixels, colorfmt="rgba", bufferfmt="ubyte")
    texture.mag_filter = "nearest"
    texture.min_filter = "nearest"
    return texture


class QRCodeView(Widget):
    """A square QR code of `data`, as large as the widget allows in whole texels."""

    data = StringProperty("")
    texture = ObjectProperty(None, allownone=True)
    modules = NumericProperty(0)

    def on_data(self, _widget: Any, data: str) -> None:
        self.texture = qr_texture(data) if data else None
        self.modules = self.texture.width if self.texture is not None else 0

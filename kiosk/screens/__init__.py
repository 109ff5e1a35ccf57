"""The kiosk's screens: one screen = one .py + one .kv. Screens get the services handed in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager

HERE = Path(__file__).parent
_loaded: set[str] = set()


def load_kv(name: str) -> None:
    """Load screens/NAME.kv once per process."""
    if name not in _loaded:
        Builder.load_file(str(HERE / f"{name}.kv"))
        _loaded.add(name)


class KioskScreen(Screen):
    """Base of every screen: holds the services; `reset` clears every input (idle timeout)."""

    def __init__(self, services: Any, **kwargs: Any) -> None:
        self.services = services
        self.constructed = False  # kv rules run inside __init__: handlers may fire before we are whole
        super().__init__(**kwargs)
        self.constructed = True
        if kwargs.get("name") in SCROLLING_BODIES:
            scroll_when_short(self)

    def reset(self) -> None:
        """Forget everything a citizen typed or chose on this screen."""

    def busy(self) -> bool:
        """True while the screen must not be left by the idle timeout (e.g. printing)."""
        return False

    def shutdown(self) -> None:
        """Stop this screen's clock events and threads."""

    def printer_changed(self) -> None:
        """The printer's status changed (screens showing it override this)."""

    def shots(self) -> dict[str, Any]:
        """Representative states for `kiosk screenshot`: variant name → function putting this
        screen in that state ("" is the plain screen)."""
        return {"": lambda: None}


# Screens whose body scrolls on a display too small for it (docs/accessibility.md). The others
# keep their own layout for now: the dossier keypad and the lookup screens have scrolling parts
# of their own and want a short layout of their own.
SCROLLING_BODIES = frozenset({"home", "priority", "ticket", "rating"})


def scroll_when_short(screen: Screen) -> None:
    """Put the body of a screen (what lies between its HeaderBar and its bottom bar) in a
    ScreenBody once it does not fit: it then keeps its own height and scrolls, on a display too
    small for it or with larger text (kiosk/screens/metrics.py). Done here, once for every
    screen, so each screen's .kv stays as it is; a body that has a scrolling list of its own is
    left alone (one scroll inside another fights over the finger).

    Only once it does not fit: a ScrollView draws through a stencil, and under Mesa's llvmpipe a
    stencilled window costs about 80 MB more (bench/bench_startup.py); where the body fits,
    which is every screen on a 21-inch display, there is nothing to scroll and nothing to pay."""
    from kivy.clock import Clock
    from kivy.uix.scrollview import ScrollView

    if not screen.children:
        return
    paper = screen.children[0]
    kids = list(reversed(paper.children))
    headers = [i for i, w in enumerate(kids) if type(w).__name__ == "HeaderBar"]
    if not headers or headers[0] + 1 >= len(kids):
        return
    body = kids[headers[0] + 1]
    if any(isinstance(w, ScrollView) for w in body.walk()):
        return
    wrap = Clock.create_trigger(lambda _dt: _wrap_in_scroll(paper, body))

    def check(*_args: Any) -> None:
        if body.parent is paper and body.minimum_height > body.height + 1:
            wrap()  # after this layout pass: the tree is not changed in the middle of one

    body.bind(minimum_height=check, height=check)


def _wrap_in_scroll(paper: Any, body: Any) -> None:
    from kivy.factory import Factory

    if body.parent is not paper or body.minimum_height <= body.height + 1:
        return
    index = paper.children.index(body)
    paper.remove_widget(body)
    scroll = Factory.ScreenBody()
    body.size_hint_y = None

    def fit(*_args: Any) -> None:
        body.height = max(body.minimum_height, scroll.height)

    body.bind(minimum_height=fit)
    scroll.bind(height=fit)
    scroll.add_widget(body)
    paper.add_widget(scroll, index=index)
    fit()


# (screen name, feature that enables it or None, module, class, kv files it needs first).
# Technician screens have no feature: always available, opened only by the gesture and the PIN.
SCREENS: tuple[tuple[str, str | None, str, str, tuple[str, ...]], ...] = (
    ("home", None, "home", "HomeScreen", ()),
    ("queue", "queue", "queue", "QueueScreen", ()),
    ("priority", "queue", "priority", "PriorityScreen", ()),
    ("ticket", "queue", "ticket", "TicketScreen", ()),
    ("lookup", "lookup", "lookup", "LookupScreen", ("lookup_widgets",)),
    ("lookup_list", "lookup", "lookup_list", "LookupListScreen", ("lookup_widgets",)),
    ("lookup_detail", "lookup", "lookup_detail", "LookupDetailScreen", ("lookup_widgets",)),
    ("lookup_search", "lookup", "lookup_search", "LookupSearchScreen", ("lookup_widgets", "lookup_keyboard")),
    ("dossier", "dossier", "dossier", "DossierScreen", ()),
    ("rating", "rating", "rating", "RatingScreen", ()),
    ("tech_pin", None, "tech_pin", "TechPinScreen", ("tech_widgets",)),
    ("tech_status", None, "tech_status", "TechStatusScreen", ("tech_widgets",)),
    ("tech_printer", None, "tech_printer", "TechPrinterScreen", ("tech_widgets",)),
    ("tech_server", None, "tech_server", "TechServerScreen", ("tech_widgets",)),
    ("tech_tickets", None, "tech_tickets", "TechTicketsScreen", ("tech_widgets",)),
    ("tech_log", None, "tech_log", "TechLogScreen", ("tech_widgets",)),
)


def screen_class(name: str) -> type:
    """Import a screen's module and load its kv rules (and those it needs) on first use."""
    import importlib

    _name, _feature, module, cls, needs = next(entry for entry in SCREENS if entry[0] == name)
    for kv in needs:
        load_kv(kv)
    screen_type: type = getattr(importlib.import_module(f"kiosk.screens.{module}"), cls)
    load_kv(name)
    return screen_type


def load_screens() -> None:
    """The rules every screen uses; each screen's own are loaded when it is first built."""
    load_kv("widgets")


class KioskScreenManager(ScreenManager):
    """Knows the screens of the enabled features and moves between them. A screen is built the
    first time it is needed: start-up draws home sooner and holds less memory (the lookup
    keyboard and the technician screens are many widgets a citizen may never open)."""

    def __init__(self, services: Any, **kwargs: Any) -> None:
        super().__init__(transition=NoTransition(), **kwargs)
        self.services = services
        self._names = [
            name for name, feature, *_rest in SCREENS if feature is None or services.feature_enabled(feature)
        ]
        self.current = "home"
        self.get_screen("home").refresh()

    def get_screen(self, name: str) -> Any:
        if name in self._names and not self.has_screen(name):
            self.add_widget(screen_class(name)(services=self.services, name=name))
        return super().get_screen(name)

    def build_all(self) -> None:
        """Build every screen now (screenshots render each one)."""
        for name in self._names:
            self.get_screen(name)

    def available(self, name: str) -> bool:
        return name in self._names

    def go(self, name: str, **kwargs: Any) -> None:
        screen = self.get_screen(name)
        enter = getattr(screen, "prepare", None)
        if kwargs and callable(enter):
            enter(**kwargs)
        self.current = name

    def reset_all(self) -> None:
        for screen in self.screens:
            screen.reset()

    def busy(self) -> bool:
        return any(screen.busy() for screen in self.screens)

    def printer_changed(self) -> None:
        """The printer's status changed: screens that show it update themselves."""
        for screen in self.screens:
            screen.printer_changed()

    def shutdown(self) -> None:
        for screen in self.screens:
            screen.shutdown()

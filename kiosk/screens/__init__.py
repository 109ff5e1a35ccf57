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
        super().__init__(**kwargs)

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


def screen_classes() -> list[tuple[str, str | None, type]]:
    """(screen name, feature that enables it or None, class), in the order they are built."""
    from kiosk.screens.dossier import DossierScreen
    from kiosk.screens.home import HomeScreen
    from kiosk.screens.lookup import LookupScreen
    from kiosk.screens.lookup_detail import LookupDetailScreen
    from kiosk.screens.lookup_list import LookupListScreen
    from kiosk.screens.lookup_search import LookupSearchScreen
    from kiosk.screens.priority import PriorityScreen
    from kiosk.screens.queue import QueueScreen
    from kiosk.screens.rating import RatingScreen
    from kiosk.screens.tech_log import TechLogScreen
    from kiosk.screens.tech_pin import TechPinScreen
    from kiosk.screens.tech_printer import TechPrinterScreen
    from kiosk.screens.tech_server import TechServerScreen
    from kiosk.screens.tech_status import TechStatusScreen
    from kiosk.screens.tech_tickets import TechTicketsScreen
    from kiosk.screens.ticket import TicketScreen

    return [
        ("home", None, HomeScreen),
        ("queue", "queue", QueueScreen),
        ("priority", "queue", PriorityScreen),
        ("ticket", "queue", TicketScreen),
        ("lookup", "lookup", LookupScreen),
        ("lookup_list", "lookup", LookupListScreen),
        ("lookup_detail", "lookup", LookupDetailScreen),
        ("lookup_search", "lookup", LookupSearchScreen),
        ("dossier", "dossier", DossierScreen),
        ("rating", "rating", RatingScreen),
        # Technician mode: always built, opened only by the corner gesture and the PIN.
        ("tech_pin", None, TechPinScreen),
        ("tech_status", None, TechStatusScreen),
        ("tech_printer", None, TechPrinterScreen),
        ("tech_server", None, TechServerScreen),
        ("tech_tickets", None, TechTicketsScreen),
        ("tech_log", None, TechLogScreen),
    ]


# Widgets several screens use, loaded before the screens' own rules.
SHARED_KV = ("widgets", "lookup_widgets", "lookup_keyboard", "tech_widgets")


def load_screens() -> None:
    for name in SHARED_KV:
        load_kv(name)
    for name, _feature, _cls in screen_classes():
        load_kv(name)


class KioskScreenManager(ScreenManager):
    """Builds the screens of the enabled features and moves between them."""

    def __init__(self, services: Any, **kwargs: Any) -> None:
        super().__init__(transition=NoTransition(), **kwargs)
        self.services = services
        for name, feature, cls in screen_classes():
            if feature is None or services.feature_enabled(feature):
                self.add_widget(cls(services=services, name=name))
        self.current = "home"
        self.get_screen("home").refresh()

    def available(self, name: str) -> bool:
        return self.has_screen(name)

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

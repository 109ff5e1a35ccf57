"""Home: the citizen actions, each shown only when its feature is built and enabled."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.screens import KioskScreen
from kiosk.screens.widgets import BLUE, WHITE, ActionTile


@dataclass(frozen=True)
class Action:
    feature: str
    screen: str
    primary: bool = False


ACTIONS = (
    Action("queue", "queue", primary=True),
    Action("lookup", "lookup"),
    Action("dossier", "dossier"),
    Action("rating", "rating"),
)


class HomeScreen(KioskScreen):
    """The first screen; idle timeout comes back here."""

    def on_pre_enter(self, *_args: Any) -> None:
        self.refresh()

    def printer_changed(self) -> None:
        self.refresh()

    def on_kv_post(self, _base: Any) -> None:
        self.refresh()

    def actions(self) -> list[Action]:
        manager = self.manager
        return [
            a
            for a in ACTIONS
            if self.services.feature_enabled(a.feature)
            and manager is not None
            and manager.available(a.screen)
        ]

    def refresh(self) -> None:
        """Rebuild the tiles: which features exist, and whether taking a number is possible."""
        if "primary" not in self.ids:
            return
        primary, others = self.ids.primary, self.ids.others
        primary.clear_widgets()
        others.clear_widgets()
        actions = self.actions()
        self.ids.empty.opacity = 0 if actions else 1
        for action in actions:
            reason = self.blocked_reason(action)
            tile = ActionTile(
                primary=action.primary,
                title_key=f"home.{action.feature}.title",
                subtitle_key=f"home.{action.feature}.subtitle",
                note_key=f"home.{action.feature}.unavailable" if reason else "",
                reason_key=reason or "",
                disabled=reason is not None,
            )
            tile.bind(on_release=lambda _t, a=action: self.open(a))
            if action.primary:
                tile.background, tile.foreground = BLUE, WHITE
                primary.add_widget(tile)
            else:
                others.add_widget(tile)

    def blocked_reason(self, action: Action) -> str | None:
        """An i18n key saying why an action cannot be used now, or None."""
        if action.feature == "queue":
            return self.services.queue_blocked()
        return None

    def open(self, action: Action) -> None:
        if self.manager is not None:
            self.manager.go(action.screen)

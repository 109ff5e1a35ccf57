"""The errors the protocol raises: the root of the kiosk's exception tree (`KioskError`), a
catalogue that breaks the format (`CatalogueError`) and a release that fails verification
(`UpdateError`). kiosk/errors.py imports these three and builds the rest of the tree on them, so
there is one tree; central/ catches them without importing anything else of kiosk/."""

from __future__ import annotations


class KioskError(Exception):
    """Base of every error the kiosk raises on purpose."""


class CatalogueError(KioskError):
    """A catalogue document broke a rule; `errors` lists every (json path, problem)."""

    def __init__(self, message: str, errors: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


class UpdateError(KioskError):
    """A release failed verification, install, self-test or health.

    `stage` is the stage reported in update.result (download, verify, install, selftest, health).
    A `transient` failure (network, disk space, a file that fails its hash: nothing wrong with the
    signed release) is tried again later, with backoff; any other is final for that signed
    manifest."""

    def __init__(self, message: str, stage: str = "verify", transient: bool = False) -> None:
        super().__init__(message)
        self.stage = stage
        self.transient = transient

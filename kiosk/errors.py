"""The kiosk's small exception tree. Catch broadly only at thread and loop boundaries.

Its root `KioskError` and the two errors the protocol raises (`CatalogueError`, `UpdateError`)
live in kiosk/protocol/errors.py, which central/ shares; they are imported here so the tree is
one, and every kiosk module keeps importing its errors from this module."""

from kiosk.protocol.errors import CatalogueError, KioskError, UpdateError

__all__ = [
    "BadAnswer",
    "CatalogueError",
    "ConfigError",
    "CoverOpen",
    "KioskError",
    "NotEnrolled",
    "PaperOut",
    "PrinterError",
    "PrinterOffline",
    "PrintUnconfirmed",
    "QueueError",
    "StoreError",
    "SyncError",
    "UpdateError",
]


class ConfigError(KioskError):
    """A setting is unknown, of the wrong type or out of range. The message is one line."""


class StoreError(KioskError):
    """The state database cannot be opened or migrated."""


class QueueError(KioskError):
    """A ticket cannot be issued or found; `reason` is a code the screens translate
    (closed, daily_limit, series_exhausted, clock_wrong, unknown_service, unknown_ticket, …)."""

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason or "error"


class PrinterError(KioskError):
    """The ticket printer could not print."""


class PrinterOffline(PrinterError):
    """The printer does not answer or the port cannot be written."""


class PaperOut(PrinterError):
    """The printer reports no paper."""


class CoverOpen(PrinterError):
    """The printer reports its cover open."""


class PrintUnconfirmed(PrinterError):
    """Bytes of the job went out but the printer never confirmed it printed them: the ticket may
    be out, or may come out later, or never. Neither "printed" nor "not printed" can be said;
    `reason` is what was last known (offline, paper_out, cover_open, error, no_confirmation)."""

    def __init__(self, message: str, reason: str = "no_confirmation") -> None:
        super().__init__(message)
        self.reason = reason


class SyncError(KioskError):
    """A call to the central server failed; `retry_after_s` is set when the server asked."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class NotEnrolled(SyncError):
    """The device has no token, or the server answered 401."""


class BadAnswer(SyncError):
    """The server answered, but not what the protocol says: invalid JSON, the wrong shape, an
    unexpected status or a body over the size cap. Nothing is applied from such an answer."""

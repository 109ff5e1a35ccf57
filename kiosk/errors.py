"""The kiosk's small exception tree. Catch broadly only at thread and loop boundaries."""


class KioskError(Exception):
    """Base of every error the kiosk raises on purpose."""


class ConfigError(KioskError):
    """A setting is unknown, of the wrong type or out of range. The message is one line."""


class StoreError(KioskError):
    """The state database cannot be opened or migrated."""


class CatalogueError(KioskError):
    """A catalogue document broke a rule; `errors` lists every (json path, problem)."""

    def __init__(self, message: str, errors: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


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

"""What every check of `kiosk doctor` returns, and the options the checks share."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.update.install import ReleaseLayout

UNITS = ("kiosk.service", "kiosk-agent.service")


@dataclass(frozen=True)
class Check:
    """One finding: `ok` or not, what was seen (`detail`, one line) and, when not ok, the fix in
    one line. A `skipped` check could not or need not run here (no scanner configured, not under
    systemd); it is not a failure."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    skipped: bool = False

    @property
    def failed(self) -> bool:
        return not self.ok and not self.skipped

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "ok": self.ok,
            "skipped": self.skipped,
            "detail": self.detail,
            "fix": self.fix,
        }


def passed(name: str, detail: str) -> Check:
    return Check(name, True, detail)


def failed(name: str, detail: str, fix: str) -> Check:
    return Check(name, False, detail, fix)


def skipped(name: str, detail: str) -> Check:
    return Check(name, True, detail, skipped=True)


@dataclass(frozen=True)
class DoctorOptions:
    """Thresholds and places. The defaults are a kiosk's; tests and technicians change them."""

    # Below this much free space the updater cannot install a release (it needs about four
    # times the download plus a reserve) and the database risks a full disk.
    min_free_mb: int = 500
    # The queue corrects its clock with the server's offset, but event times, TLS and the
    # technician's logs use the local clock.
    max_clock_offset_s: float = 60.0
    units: tuple[str, ...] = UNITS
    layout: ReleaseLayout = field(default_factory=ReleaseLayout.default)
    systemd_dir: Path = Path("/run/systemd/system")
    # One try, short waits: a technician is looking at the screen.
    server_connect_s: float = 5.0
    server_read_s: float = 10.0
    server_deadline_s: float = 15.0
    # How long the scanner gets to open.
    scanner_wait_s: float = 3.0

"""Checks of the installation: the systemd units and the releases (current and previous)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from kiosk.doctor.base import Check, DoctorOptions, failed, passed, skipped
from kiosk.update import gate
from kiosk.update.install import ReleaseLayout, installed_envelope

REINSTALL_FIX = "run systemd/install.sh --bundle BUNDLE with a signed release (see docs/operations.md)"


def check_units(options: DoctorOptions) -> list[Check]:
    """Each unit loaded and active (`systemctl show`); skipped when systemd does not run here."""
    systemctl = shutil.which("systemctl")
    if systemctl is None:
        return [skipped(f"unit {unit}", "not under systemd (no systemctl)") for unit in options.units]
    return [_unit(systemctl, unit, options) for unit in options.units]


def _unit(systemctl: str, unit: str, options: DoctorOptions) -> Check:
    name = f"unit {unit}"
    argv = [systemctl, "show", "--property=LoadState,ActiveState,SubState,NRestarts", unit]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError) as exc:
        return failed(name, f"systemctl failed: {exc}", "run `systemctl status` to see what is wrong")
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()[:1] or ["no output"]
        if not options.systemd_dir.is_dir():
            return skipped(name, f"not under systemd ({said[0]})")
        return failed(name, f"systemctl failed: {said[0]}", "run `systemctl status` to see what is wrong")
    props = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    if props.get("LoadState") == "not-found":
        if options.layout.current_target() is None:
            return skipped(name, "not installed (a development machine)")
        return failed(name, "not installed", REINSTALL_FIX)
    state = f"{props.get('ActiveState', '?')} ({props.get('SubState', '?')})"
    restarts = props.get("NRestarts", "0")
    detail = f"{state}, restarted {restarts} time(s)" if restarts not in ("", "0") else state
    if props.get("ActiveState") == "active":
        return passed(name, detail)
    return failed(name, detail, f"sudo systemctl restart {unit}; see why with journalctl -u {unit} -b")


def check_releases(layout: ReleaseLayout, db: sqlite3.Connection | None) -> list[Check]:
    """`current` is a complete installed release; `previous` (the rollback) is one too."""
    if not layout.current.is_symlink():
        if not layout.root.exists():
            reason = f"no releases at {layout.root}: a development install"
            return [skipped("current release", reason), skipped("previous release", reason)]
        return [
            failed("current release", f"{layout.current} does not exist", REINSTALL_FIX),
            skipped("previous release", "no current release"),
        ]
    current = _release("current release", layout.current, REINSTALL_FIX)
    on_probation = gate.load_json(db, gate.SWITCH_KEY) if db is not None else {}
    if current.ok and on_probation.get("to"):
        current = passed(current.name, f"{current.detail}; update to {on_probation['to']} on probation")
    if not layout.previous.is_symlink():
        return [current, passed("previous release", "none yet (nothing to roll back to)")]
    fix = "the rollback target is gone: install the previous bundle again with systemd/install.sh"
    return [current, _release("previous release", layout.previous, fix)]


def _release(name: str, link: Path, fix: str) -> Check:
    target = link.resolve()
    envelope = installed_envelope(target)
    if envelope is None:
        return failed(name, f"{link} → {target} is not an installed release", fix)
    version = envelope.get("manifest", {}).get("version", "?")
    if not (target / "venv" / "bin" / "python").exists():
        return failed(name, f"{version} at {target} has no venv", fix)
    return passed(name, f"{version} ({target})")

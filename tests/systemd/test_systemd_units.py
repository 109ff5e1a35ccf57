"""The systemd units (the kiosk's, and the lobby display's for the Pi or mini-PC behind a TV),
udev rule and tmpfiles of systemd/: `systemd-analyze verify` with every warning an error, the
`systemd-analyze security` exposure printed (goal ≤ 5.0), and the files the units name made in a
temporary root as install.sh makes them on a device."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.fixtures_core import REPO

UNITS_DIR = REPO / "systemd"
# The kiosk's units, and the central server's: its migrations and one instance of its template
# (kiosk-central@.service, one instance per port).
UNITS = (
    "kiosk.service",
    "kiosk-agent.service",
    "kiosk-rollback.service",
    "kiosk-display.service",
    "kiosk-central-migrate.service",
    "kiosk-central@8081.service",
)
TEMPLATES = {"kiosk-central@8081.service": "kiosk-central@.service"}
EXPOSURE_GOAL = 5.0
_EXEC = re.compile(r"^Exec\w+=[-+@!:]*(/\S+)", re.M)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found: install Debian's `systemd` package (.ci/run does)")
    return path


@pytest.fixture(scope="module")
def device_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A root with the system's unit library, our units, and every program they start."""
    root = tmp_path_factory.mktemp("root")
    (root / "usr/lib/systemd").mkdir(parents=True)
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    units = root / "etc/systemd/system"
    units.mkdir(parents=True)
    for name in UNITS:
        text = (UNITS_DIR / TEMPLATES.get(name, name)).read_text(encoding="utf-8")
        (units / name).write_text(text, encoding="utf-8")
        for program in _EXEC.findall(text):
            exe = root / program.lstrip("/")
            exe.parent.mkdir(parents=True, exist_ok=True)
            exe.write_text("#!/bin/sh\n")
            exe.chmod(0o755)
    return root


@pytest.mark.parametrize("unit", UNITS)
def test_unit_verifies_without_any_warning(device_root: Path, unit: str) -> None:
    done = subprocess.run(
        [
            _tool("systemd-analyze"),
            "verify",
            "--recursive-errors=yes",
            "--man=no",
            f"--root={device_root}",
            str(device_root / "etc/systemd/system" / unit),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and not (done.stdout + done.stderr).strip(), done.stdout + done.stderr


@pytest.mark.parametrize("unit", UNITS)
def test_unit_exposure_is_printed_and_within_the_goal(
    device_root: Path, unit: str, capsys: pytest.CaptureFixture[str]
) -> None:
    done = subprocess.run(
        [
            _tool("systemd-analyze"),
            "security",
            "--offline=true",
            f"--root={device_root}",
            "--no-pager",
            str(device_root / "etc/systemd/system" / unit),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", done.stdout)
    assert match, done.stdout + done.stderr
    with capsys.disabled():
        print(f"\nsystemd-analyze security: {unit} exposure {match.group(1)} (goal ≤ {EXPOSURE_GOAL})")
    assert float(match.group(1)) <= EXPOSURE_GOAL


def test_tmpfiles_make_the_directories_for_the_kiosk_user(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/passwd").write_text("root:x:0:0::/root:/bin/sh\nkiosk:x:990:990::/:/bin/false\n")
    (tmp_path / "etc/group").write_text("root:x:0:\nkiosk:x:990:\n")
    done = subprocess.run(
        [
            _tool("systemd-tmpfiles"),
            "--create",
            f"--root={tmp_path}",
            str(UNITS_DIR / "kiosk.tmpfiles.conf"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    for path, mode in [
        ("opt/kiosk/releases", 0o755),
        ("opt/kiosk/downloads", 0o750),
        ("var/lib/kiosk/backups", 0o750),
        ("etc/kiosk/release-keys", 0o755),
    ]:
        made = tmp_path / path
        assert made.is_dir() and made.stat().st_mode & 0o777 == mode, path
    assert (tmp_path / "opt/kiosk").stat().st_uid == 990
    assert (tmp_path / "etc/kiosk/release-keys").stat().st_uid == 0  # keys are root's to change


def test_printer_rule_names_every_match_kiosk_printer_in_dialout() -> None:
    rules = [
        line
        for line in (UNITS_DIR / "99-kiosk-printer.rules").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert rules
    pair = re.compile(r'^[A-Z]+(\{\w+\})?(==|\+=|=)"[^"]*"$')
    for rule in rules:
        parts = [p.strip() for p in rule.split(",")]
        assert all(pair.match(p) for p in parts), rule
        assert 'SYMLINK+="kiosk-printer"' in parts and 'GROUP="dialout"' in parts, rule
        assert 'MODE="0660"' in parts, rule


def test_ui_unit_reaches_the_printer_the_rule_names() -> None:
    ui = (UNITS_DIR / "kiosk.service").read_text()
    assert "DeviceAllow=/dev/kiosk-printer rw" in ui
    assert re.search(r"^SupplementaryGroups=.*\bdialout\b", ui, re.M)
    assert re.search(r"^SupplementaryGroups=.*\bsystemd-journal\b", ui, re.M)  # the technician log
    agent = (UNITS_DIR / "kiosk-agent.service").read_text()
    assert re.search(r"^SupplementaryGroups=.*\bsystemd-journal\b", agent, re.M)  # upload_logs
    assert "printer.url" in (UNITS_DIR / "99-kiosk-printer.rules").read_text()


def _directives(unit: str) -> dict[str, list[str]]:
    text = (UNITS_DIR / unit).read_text(encoding="utf-8").replace("\\\n", " ")
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key.strip(), []).append(" ".join(value.split()))
    return found


def test_display_unit_runs_chromium_in_kiosk_mode_on_the_display_page() -> None:
    unit = _directives("kiosk-display.service")
    command = unit["ExecStart"][0].split()
    assert command[:2] == ["/usr/bin/cage", "-d"] and "/usr/bin/chromium" in command
    assert {"--kiosk", "--noerrdialogs", "--autoplay-policy=no-user-gesture-required"} <= set(command)
    assert command[-1] == "${KIOSK_DISPLAY_URL}"  # one word, whatever the address holds
    assert unit["EnvironmentFile"] == ["/etc/kiosk/display.env"]
    assert unit["Restart"] == ["always"] and unit["StartLimitIntervalSec"] == ["0"]
    assert "$$KIOSK_DISPLAY_URL" in unit["ExecStartPre"][0]  # the shell reads it, not systemd
    guide = (REPO / "docs" / "calling.md").read_text(encoding="utf-8")
    assert "KIOSK_DISPLAY_URL=http://" in guide and "kiosk-display.service" in guide

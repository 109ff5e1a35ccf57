"""`kiosk doctor` on a healthy kiosk and on each broken part: the virtual printer on a real pty,
a scanner on another pty, the real central server on loopback with an enrolled kiosk, a release
layout on a temporary root. systemd does not run in the test machine, so `systemctl` is a
stand-in script on PATH answering `show` for the units the way systemd does."""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from central.fleet.bundles import read_envelope, sign_bundle, write_manifest
from kiosk.cli import main
from kiosk.drivers.virtual.printer import VirtualPrinter
from kiosk.update.install import INSTALLED_MARK, ReleaseLayout, switch_current
from tests.fixtures_central import FaultyServer, Kiosk
from tests.fixtures_updates import Keys

EVERY_CHECK = [
    "config",
    "state dir",
    "database",
    "printer",
    "scanner",
    "server",
    "token",
    "clock",
    "disk",
    "unit kiosk.service",
    "unit kiosk-agent.service",
    "current release",
    "previous release",
]
SYSTEMCTL = """#!{python}
# systemctl stand-in: `systemctl show --property=... UNIT` from $STAND_IN_UNITS ({{unit: state}}).
import json, os, sys
states = json.loads(os.environ.get("STAND_IN_UNITS", "{{}}"))
active = states.get(sys.argv[-1])
if active is None:
    print("LoadState=not-found\\nActiveState=inactive\\nSubState=dead\\nNRestarts=0")
else:
    sub = "running" if active == "active" else "failed"
    print(f"NRestarts=0\\nLoadState=loaded\\nActiveState={{active}}\\nSubState={{sub}}")
"""


@dataclass
class Site:
    """One kiosk's files and parts: what `kiosk doctor` looks at."""

    kiosk: Kiosk
    site_file: Path
    releases: ReleaseLayout
    printer: VirtualPrinter
    scanner_path: str

    def settings(self, extra: str = "", server_url: str | None = None) -> None:
        url = self.kiosk.server.url if server_url is None else server_url
        self.site_file.write_text(
            f'[printer]\nurl = "{self.printer.device}"\n\n'
            f'[scanner]\nurl = "{self.scanner_path}"\n\n'
            f'[server]\nurl = "{url}"\nconnect_timeout_s = 1.0\n{extra}',
            encoding="utf-8",
        )

    def doctor(self, capsys: pytest.CaptureFixture[str], *more: str) -> tuple[int, dict[str, dict[str, Any]]]:
        """`kiosk doctor --json`: the exit code and each check by name."""
        code, out = self.run(capsys, "--json", *more)
        checks = json.loads(out)["checks"]
        return code, {c["name"]: c for c in checks}

    def run(self, capsys: pytest.CaptureFixture[str], *more: str) -> tuple[int, str]:
        capsys.readouterr()
        argv = ["--config", str(self.site_file), "--state-dir", str(self.kiosk.state_dir), "doctor"]
        code = main([*argv, "--releases-root", str(self.releases.root), *more])
        return code, capsys.readouterr().out


def install_fake_release(layout: ReleaseLayout, version: str, keys: Keys, bundles: Path) -> Path:
    """A release directory as install_release leaves it (release.json: the signed envelope, and
    a venv) without running pip: the doctor only reads the layout. The bundle's "wheel" is a few
    bytes; its manifest and signature are real."""
    bundle = bundles / version
    bundle.mkdir(parents=True)
    (bundle / f"kiosk-{version}-py3-none-any.whl").write_bytes(b"not installed by this test")
    write_manifest(bundle, version=version, platform="any")
    sign_bundle(bundle, keys.signing)
    target = layout.release_dir(version)
    (target / "venv" / "bin").mkdir(parents=True)
    (target / "venv" / "bin" / "python").symlink_to(sys.executable)
    (target / INSTALLED_MARK).write_text(json.dumps(read_envelope(bundle)), encoding="utf-8")
    return target


def stand_in_systemctl(directory: Path, monkeypatch: pytest.MonkeyPatch, **states: str) -> None:
    directory.mkdir(exist_ok=True)
    script = directory / "systemctl"
    script.write_text(SYSTEMCTL.format(python=sys.executable), encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{directory}{os.pathsep}{os.environ['PATH']}")
    units = {name.replace("_", "-") + ".service": state for name, state in states.items()}
    monkeypatch.setenv("STAND_IN_UNITS", json.dumps(units))


def make_site(
    kiosk: Kiosk, printer: VirtualPrinter, keys: Keys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Site]:
    layout = ReleaseLayout(tmp_path / "opt-kiosk")
    for version in ("1.0.0", "1.1.0"):
        switch_current(layout, install_fake_release(layout, version, keys, tmp_path / "bundles"))
    stand_in_systemctl(tmp_path / "bin", monkeypatch, kiosk="active", kiosk_agent="active")
    master, slave = os.openpty()  # the scanner's serial cable
    try:
        site = Site(kiosk, tmp_path / "kiosk.toml", layout, printer, os.ttyname(slave))
        site.settings()
        yield site
    finally:
        os.close(master)
        os.close(slave)


@pytest.fixture
def site(
    kiosk: Kiosk, virtual_printer: VirtualPrinter, keys: Keys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Site]:
    yield from make_site(kiosk, virtual_printer, keys, tmp_path, monkeypatch)


def test_healthy_kiosk_gets_every_check_ticked_and_exit_0(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    code, checks = site.doctor(capsys)

    assert list(checks) == EVERY_CHECK
    assert code == 0
    assert [name for name, c in checks.items() if not c["ok"] or c["skipped"]] == []
    assert checks["printer"]["detail"].startswith("ready")
    assert "answered" in checks["server"]["detail"] and site.kiosk.device_id in checks["token"]["detail"]
    assert checks["current release"]["detail"].startswith("1.1.0")
    assert checks["previous release"]["detail"].startswith("1.0.0")

    code, text = site.run(capsys)
    lines = text.splitlines()
    assert code == 0 and lines[-1] == "all good"
    assert [line[0] for line in lines[:-1]] == ["✔"] * len(EVERY_CHECK)


def test_bad_config_is_named_with_its_fix_and_the_checks_that_need_it_are_skipped(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    site.settings(extra='read_timeout_s = "slow"\n')

    code, checks = site.doctor(capsys)

    assert code == 1
    assert not checks["config"]["ok"] and "server.read_timeout_s" in checks["config"]["detail"]
    assert str(site.site_file) in checks["config"]["fix"]
    needs_settings = ["printer", "scanner", "server", "token", "clock"]
    assert all(checks[name]["skipped"] for name in needs_settings)
    assert checks["database"]["ok"] and checks["disk"]["ok"]  # the rest is still looked at
    code, text = site.run(capsys)
    assert "✖ config" in text and "fix: edit" in text and text.splitlines()[-1] == "1 problem(s)"


def test_printer_gone_is_offline_with_the_fix(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    site.printer.pull_cable()  # the pty is closed: its path is gone

    code, checks = site.doctor(capsys)

    assert code == 1
    printer = checks["printer"]
    assert (printer["ok"], printer["detail"].split(":")[0]) == (False, "offline")
    assert "ls -l" in printer["fix"] and "kiosk printer detect" in printer["fix"]
    assert [name for name, c in checks.items() if not c["ok"]] == ["printer"]


def test_printer_out_of_paper_says_so(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    site.printer.set_state("paper_out")

    code, checks = site.doctor(capsys)

    assert code == 1 and checks["printer"]["detail"].startswith("paper_out")
    assert checks["printer"]["fix"] == "load a new paper roll"


def test_scanner_missing_is_reported(site: Site, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    site.scanner_path = str(tmp_path / "no-scanner")
    site.settings()

    code, checks = site.doctor(capsys)

    assert code == 1 and not checks["scanner"]["ok"]
    assert "no-scanner" in checks["scanner"]["detail"] and "ls -l" in checks["scanner"]["fix"]


def test_bad_token_after_revocation(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    answer = site.kiosk.server.admin("POST", f"/devices/{site.kiosk.device_id}/revoke")
    assert answer.status_code == 200, answer.text

    code, checks = site.doctor(capsys)

    assert code == 1
    assert checks["server"]["ok"] and not checks["token"]["ok"]
    assert "refused the token" in checks["token"]["detail"]
    assert "kiosk enroll CODE" in checks["token"]["fix"]


def test_disk_below_the_threshold(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    # No full filesystem without root: the threshold is set above the real free space.
    code, checks = site.doctor(capsys, "--min-free-mb", str(2**40))

    assert code == 1
    assert not checks["disk"]["ok"] and "less than" in checks["disk"]["detail"]
    assert "journalctl --vacuum-size" in checks["disk"]["fix"]


def test_a_unit_that_is_not_active(
    site: Site, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_in_systemctl(tmp_path / "bin", monkeypatch, kiosk="failed", kiosk_agent="active")

    code, checks = site.doctor(capsys)

    assert code == 1 and checks["unit kiosk.service"]["detail"] == "failed (failed)"
    assert checks["unit kiosk.service"]["fix"].startswith("sudo systemctl restart kiosk.service")
    assert checks["unit kiosk-agent.service"]["ok"]


def test_current_release_pointing_at_nothing(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    current = site.releases.current.resolve()
    os.rename(current, current.with_name("moved-away"))

    code, checks = site.doctor(capsys)

    assert code == 1 and not checks["current release"]["ok"]
    assert "systemd/install.sh" in checks["current release"]["fix"]
    assert checks["previous release"]["ok"]


@pytest.fixture
def site_behind_link(
    flaky_kiosk: Kiosk,
    virtual_printer: VirtualPrinter,
    keys: Keys,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Site]:
    """The kiosk enrolled through a link that can go down."""
    yield from make_site(flaky_kiosk, virtual_printer, keys, tmp_path, monkeypatch)


def test_server_down(
    site_behind_link: Site, faulty: FaultyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    faulty.down()

    code, checks = site_behind_link.doctor(capsys)

    assert code == 1
    server = checks["server"]
    assert not server["ok"] and faulty.url in server["detail"] and "cannot reach" in server["detail"]
    assert "curl" in server["fix"]
    assert checks["token"]["skipped"] and checks["clock"]["skipped"]

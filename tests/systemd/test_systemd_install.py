"""systemd/install.sh on a temporary prefix (--no-system): a real venv from a real signed
bundle, run twice, then an upgrade, and a bundle that does not verify."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.fixtures_core import REPO
from tests.fixtures_updates import DEV_SITE, V1, V2, Keys, make_bundle

SCRIPT = REPO / "systemd" / "install.sh"


def install(
    bundle: Path, keys: Path, prefix: Path, config: Path | None = None
) -> subprocess.CompletedProcess[str]:
    argv = [
        "bash",
        str(SCRIPT),
        "--bundle",
        str(bundle),
        "--keys",
        str(keys),
        "--prefix",
        str(prefix),
        "--no-system",
        "--python",
        sys.executable,
        "--extra-site",
        str(DEV_SITE[0]),
    ]
    if config is not None:
        argv += ["--config", str(config)]
    env = {k: v for k, v in os.environ.items() if k not in ("KIOSK_STATE_DIR", "KIOSK_CONFIG")}
    return subprocess.run(argv, capture_output=True, text=True, timeout=300, env=env)


def test_install_twice_then_upgrade(tmp_path: Path, keys: Keys, release_wheels: dict[str, Path]) -> None:
    prefix, config = tmp_path / "root", tmp_path / "site.toml"
    config.write_text('[site]\nname = "UBND xã Mê Linh"\n', encoding="utf-8")
    v1 = make_bundle(tmp_path / "v1", release_wheels[V1], V1, keys.signing)
    opt = prefix / "opt/kiosk"

    first = install(v1, keys.dir, prefix, config)
    assert first.returncode == 0, first.stderr
    assert os.readlink(opt / "current") == f"releases/{V1}"
    version = subprocess.run([str(opt / "current/venv/bin/kiosk"), "version"], capture_output=True, text=True)
    assert version.stdout.startswith(f"kiosk {V1}")
    assert sorted(p.name for p in (prefix / "etc/kiosk/release-keys").iterdir()) == ["release.pub"]
    assert (prefix / "etc/kiosk/kiosk.toml").read_text(encoding="utf-8") == config.read_text(encoding="utf-8")
    for path in (
        "etc/systemd/system/kiosk.service",
        "etc/systemd/system/kiosk-agent.service",
        "etc/udev/rules.d/99-kiosk-printer.rules",
        "usr/lib/tmpfiles.d/kiosk.conf",
    ):
        assert (prefix / path).is_file(), path

    config.write_text('[site]\nname = "changed"\n', encoding="utf-8")
    again = install(v1, keys.dir, prefix, config)
    assert again.returncode == 0, again.stderr
    assert f"release {V1} already installed" in again.stdout
    assert "keeping the existing" in again.stdout  # a technician's edits survive
    assert os.readlink(opt / "current") == f"releases/{V1}" and not (opt / "previous").exists()

    upgrade = install(make_bundle(tmp_path / "v2", release_wheels[V2], V2, keys.signing), keys.dir, prefix)
    assert upgrade.returncode == 0, upgrade.stderr
    assert os.readlink(opt / "current") == f"releases/{V2}"
    assert os.readlink(opt / "previous") == f"releases/{V1}"


def test_bundle_that_does_not_verify_is_not_installed(
    tmp_path: Path, keys: Keys, release_wheels: dict[str, Path]
) -> None:
    stranger = make_bundle(tmp_path / "v1", release_wheels[V1], V1, keys.other_signing)

    done = install(stranger, keys.dir, tmp_path / "root")

    assert done.returncode != 0
    assert "does not verify" in done.stderr
    assert not (tmp_path / "root/opt/kiosk/releases" / V1).exists()
    assert not (tmp_path / "root/opt/kiosk/current").exists()

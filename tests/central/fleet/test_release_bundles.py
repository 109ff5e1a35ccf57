"""Operator side of releases: keygen, `release build|sign|verify|publish` through the
kiosk-central command, on a real wheel of this repository."""

from __future__ import annotations

import json
import shutil
import stat
import zipfile
from pathlib import Path

import pytest

from central.cli import main
from central.fleet.bundles import (
    ReleaseError,
    publish,
    published_envelope,
    sign_bundle,
    write_manifest,
)
from kiosk.errors import UpdateError
from kiosk.protocol.release_manifest import KeySet
from tests.fixtures_core import REPO
from tests.fixtures_updates import V1, Keys, make_bundle


def test_keygen_writes_private_key_0600_and_prints_its_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keygen", "--out", str(tmp_path), "--name", "ops-2026"]) == 0

    private = tmp_path / "ops-2026.key"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    [kid] = KeySet.from_dir(tmp_path).ids()
    assert f"key id {kid}" in capsys.readouterr().out
    assert main(["keygen", "--out", str(tmp_path), "--name", "ops-2026"]) == 1  # never overwrites


def test_build_sign_verify_publish_with_the_command(
    tmp_path: Path, keys: Keys, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle, data = tmp_path / "bundle", tmp_path / "data"
    assert (
        main(
            [
                "release",
                "build",
                "--version",
                "2.3.4",
                "--platform",
                "linux_aarch64",
                "--out",
                str(bundle),
                "--source",
                str(REPO),
                "--no-deps",
                "--min-agent",
                "1.0.0",
            ]
        )
        == 0
    )
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    [entry] = manifest["files"]
    assert entry["name"] == "kiosk-2.3.4-py3-none-any.whl"
    assert entry["size"] == (bundle / entry["name"]).stat().st_size
    with zipfile.ZipFile(bundle / entry["name"]) as wheel:
        assert "Version: 2.3.4" in wheel.read("kiosk-2.3.4.dist-info/METADATA").decode()
        assert '__version__ = "2.3.4"' in wheel.read("kiosk/__init__.py").decode()
    assert (manifest["version"], manifest["platform"], manifest["rollback"]) == (
        "2.3.4",
        "linux_aarch64",
        False,
    )
    # Installed by pip for the kiosks' platform at build time, bytecode included.
    assert manifest["installed_size"] > 3 * entry["size"]

    assert main(["release", "sign", str(bundle), "--key", str(keys.signing)]) == 0
    assert main(["release", "verify", str(bundle), "--keys", str(keys.dir)]) == 0
    assert (
        main(
            [
                "release",
                "publish",
                str(bundle),
                "--keys",
                str(keys.dir),
                "--db",
                str(data / "central.db"),
            ]
        )
        == 0
    )

    envelope = published_envelope(data / "releases", "2.3.4")
    assert envelope is not None and envelope["manifest"] == manifest
    assert (data / "releases" / "2.3.4" / entry["name"]).read_bytes() == (bundle / entry["name"]).read_bytes()
    assert "published 2.3.4" in capsys.readouterr().out

    db = str(data / "central.db")
    assert main(["rollout", "--db", db, "start", "2.3.4", "--stages", "20,100"]) == 0
    capsys.readouterr()
    assert main(["rollout", "--db", db, "pause", "1"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["version"], shown["state"], shown["percent"]) == ("2.3.4", "paused", 20)
    assert main(["rollout", "--db", db, "rollback", "1", "--to", "2.3.4"]) == 1  # not rollback-signed


def test_sign_refuses_a_bundle_whose_file_changed_since_the_build(
    tmp_path: Path, keys: Keys, release_wheels: dict[str, Path]
) -> None:
    bundle = make_bundle(tmp_path / "b", release_wheels[V1], V1, keys.signing)
    wheel = next(bundle.glob("*.whl"))
    wheel.write_bytes(wheel.read_bytes() + b"x")

    with pytest.raises(UpdateError, match="size"):
        sign_bundle(bundle, keys.signing)


def test_publish_refuses_tampered_files_and_unknown_keys(
    tmp_path: Path, keys: Keys, release_wheels: dict[str, Path]
) -> None:
    releases = tmp_path / "releases"
    tampered = make_bundle(tmp_path / "t", release_wheels[V1], V1, keys.signing)
    wheel = next(tampered.glob("*.whl"))
    data = bytearray(wheel.read_bytes())
    data[100] ^= 1
    wheel.write_bytes(bytes(data))
    with pytest.raises(UpdateError, match="SHA-256"):
        publish(tampered, releases, keys.pinned)

    stranger = make_bundle(tmp_path / "s", release_wheels[V1], V1, keys.other_signing)
    with pytest.raises(UpdateError, match="not pinned"):
        publish(stranger, releases, keys.pinned)
    assert not (releases / V1).exists()


def test_republishing_a_version_needs_the_same_files(
    tmp_path: Path, keys: Keys, release_wheels: dict[str, Path]
) -> None:
    releases = tmp_path / "releases"
    publish(make_bundle(tmp_path / "a", release_wheels[V1], V1, keys.signing), releases, keys.pinned)

    # The same files signed again as a rollback: allowed, and the envelope says so.
    again = make_bundle(tmp_path / "b", release_wheels[V1], V1, keys.signing, rollback=True)
    publish(again, releases, keys.pinned)
    envelope = published_envelope(releases, V1)
    assert envelope is not None and envelope["manifest"]["rollback"] is True

    other = tmp_path / "c"
    other.mkdir()
    shutil.copyfile(release_wheels["crash"], other / "kiosk-1.0.0-py3-none-any.whl")
    write_manifest(other, version=V1, platform="any")
    sign_bundle(other, keys.signing)
    with pytest.raises(ReleaseError, match="already published with other files"):
        publish(other, releases, keys.pinned)


def test_build_refuses_a_version_kiosks_cannot_compare(tmp_path: Path) -> None:
    assert (
        main(
            [
                "release",
                "build",
                "--version",
                "latest",
                "--platform",
                "linux_aarch64",
                "--out",
                str(tmp_path / "b"),
                "--source",
                str(REPO),
                "--no-deps",
            ]
        )
        == 1
    )

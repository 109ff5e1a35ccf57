"""The signed release format both sides check: canonical JSON, Ed25519 over it, key rotation,
and every malformed manifest named clearly."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.errors import UpdateError
from kiosk.protocol.release_manifest import (
    KeySet,
    canonical_json,
    key_id,
    public_key_pem,
    sign_manifest,
    verify_envelope,
    version_key,
)

SHA = "ab" * 32


def manifest(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "version": "1.4.3",
        "created": "2026-11-28T08:00:00+00:00",
        "platform": "linux_aarch64",
        "python": ">=3.11",
        "min_agent": "1.2.0",
        "rollback": False,
        "files": [{"name": "kiosk-1.4.3-py3-none-any.whl", "sha256": SHA, "size": 123}],
    }
    base.update(changes)
    return base


def test_canonical_json_sorts_keys_drops_spaces_and_keeps_utf8() -> None:
    assert canonical_json({"b": 1, "a": ["Đăng ký", 2]}) == '{"a":["Đăng ký",2],"b":1}'.encode()


def test_signed_manifest_verifies_with_the_pinned_key() -> None:
    key = Ed25519PrivateKey.generate()
    envelope = sign_manifest(manifest(), key)

    assert envelope["key_id"] == key_id(key.public_key())
    assert verify_envelope(envelope, KeySet.of([key.public_key()])) == manifest()


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.update(version="1.4.4"),
        lambda m: m.update(rollback=True),
        lambda m: m["files"][0].update(sha256="cd" * 32),
        lambda m: m["files"][0].update(size=124),
        lambda m: m["files"].append({"name": "evil.whl", "sha256": SHA, "size": 1}),
    ],
    ids=["version", "rollback", "sha256", "size", "extra file"],
)
def test_any_change_after_signing_breaks_the_signature(change: Any) -> None:
    key = Ed25519PrivateKey.generate()
    envelope = sign_manifest(manifest(), key)
    change(envelope["manifest"])

    with pytest.raises(UpdateError, match="does not verify"):
        verify_envelope(envelope, KeySet.of([key.public_key()]))


def test_key_that_is_not_pinned_is_refused_by_name() -> None:
    pinned, stranger = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    envelope = sign_manifest(manifest(), stranger)

    with pytest.raises(UpdateError, match=f"key '{key_id(stranger.public_key())}', which is not pinned"):
        verify_envelope(envelope, KeySet.of([pinned.public_key()]))


def test_claiming_a_pinned_key_id_with_another_key_does_not_verify() -> None:
    pinned, stranger = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    envelope = sign_manifest(manifest(), stranger)
    envelope["key_id"] = key_id(pinned.public_key())

    with pytest.raises(UpdateError, match="does not verify"):
        verify_envelope(envelope, KeySet.of([pinned.public_key()]))


def test_rotation_old_and_new_keys_both_verify_while_pinned(tmp_path: Path) -> None:
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    (tmp_path / "2025.pub").write_bytes(public_key_pem(old.public_key()))
    (tmp_path / "2026.pub").write_bytes(public_key_pem(new.public_key()))
    keys = KeySet.from_dir(tmp_path)

    for key in (old, new):
        assert verify_envelope(sign_manifest(manifest(), key), keys)["version"] == "1.4.3"
    assert keys.ids() == sorted([key_id(old.public_key()), key_id(new.public_key())])


def test_empty_key_directory_is_an_error_not_an_open_door(tmp_path: Path) -> None:
    with pytest.raises(UpdateError, match="no release keys"):
        KeySet.from_dir(tmp_path)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"version": "1.4"}, None),
        ({"version": "latest"}, "version 'latest' is not of the form"),
        ({"rollback": "no"}, "rollback must be true or false"),
        ({"files": []}, "files must be a non-empty list"),
        ({"files": [{"name": "../x.whl", "sha256": SHA, "size": 1}]}, "not a plain file name"),
        ({"files": [{"name": ".hidden", "sha256": SHA, "size": 1}]}, "not a plain file name"),
        ({"files": [{"name": "a.whl", "sha256": "AB" * 32, "size": 1}]}, "64 lower-case hex"),
        ({"files": [{"name": "a.whl", "sha256": SHA, "size": -1}]}, "whole number of bytes"),
        ({"files": [{"name": "a.whl", "sha256": SHA, "size": 1}] * 2}, "listed twice"),
        ({"min_agent": 7}, "min_agent 7 is not a version"),
        ({"installed_size": 5_349_376}, None),
        ({"installed_size": -1}, "installed_size must be a whole number of bytes"),
        ({"installed_size": "5 MB"}, "installed_size must be a whole number of bytes"),
    ],
)
def test_malformed_manifest_is_refused_before_signing(change: dict[str, Any], problem: str | None) -> None:
    key = Ed25519PrivateKey.generate()
    broken = manifest(**copy.deepcopy(change))
    if problem is None:
        sign_manifest(broken, key)
        return
    with pytest.raises(UpdateError, match=problem):
        sign_manifest(broken, key)


@pytest.mark.parametrize(
    ("older", "newer"),
    [("1.4.9", "1.4.10"), ("1.5.0rc1", "1.5.0"), ("1.5.0a2", "1.5.0b1"), ("1.9", "2.0.0")],
)
def test_version_order(older: str, newer: str) -> None:
    assert version_key(older) < version_key(newer)


@settings(max_examples=50)
@given(st.lists(st.integers(0, 999), min_size=1, max_size=4))
def test_trailing_zeros_do_not_make_a_version_newer(parts: list[int]) -> None:
    version = ".".join(map(str, parts))
    assert version_key(version) == version_key(version + ".0")

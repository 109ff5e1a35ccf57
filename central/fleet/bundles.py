"""Release bundles on the operator's side: signing keys, manifests, signatures, publishing.

A bundle directory, as `kiosk-central release build` writes it and `release sign` completes it:

    BUNDLE/kiosk-1.4.3-py3-none-any.whl …   the project wheel and its dependency wheels
    BUNDLE/manifest.json                     the manifest (unsigned; PROTOCOL.md, Releases)
    BUNDLE/signature.json                    {"key_id": …, "signature": …} over its canonical JSON

`publish` copies a verified bundle into the server's releases directory in the layout the
release endpoints serve: RELEASES_DIR/VERSION/manifest.json holds the signed *envelope*
{"manifest", "key_id", "signature"}, the files lie beside it. The envelope is written last and
atomically, so a half-copied release is never offered.

The format itself (canonical JSON, key ids, verification) is kiosk/protocol/release_manifest.py, shared
with the kiosk's updater so that both sides check exactly the same thing.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.protocol.errors import UpdateError
from kiosk.protocol.release_manifest import (
    MANIFEST_FILE,
    SIGNATURE_FILE,
    KeySet,
    check_files,
    check_manifest,
    file_sha256,
    key_id,
    load_private_key,
    public_key_pem,
    sign_manifest,
    verify_envelope,
    version_key,
)

ENVELOPE_FILE = "manifest.json"  # in the server's releases directory: the signed envelope


class ReleaseError(UpdateError):
    """An operator action on a release cannot be done; the message says why and what to do."""


def generate_key(directory: Path, name: str) -> tuple[str, Path, Path]:
    """A new Ed25519 signing key: NAME.key (PEM, mode 0600, never committed or copied to a
    kiosk) and NAME.pub (to pin on kiosks). Returns (key id, private path, public path)."""
    directory.mkdir(parents=True, exist_ok=True)
    private_path, public_path = directory / f"{name}.key", directory / f"{name}.pub"
    if private_path.exists() or public_path.exists():
        raise ReleaseError(f"{private_path} or {public_path} exists; choose another --name")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # Created 0600 from the start: never a moment where the key is readable by others.
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    public_path.write_bytes(public_key_pem(key.public_key()))
    return key_id(key.public_key()), private_path, public_path


def write_manifest(
    bundle: Path,
    *,
    version: str,
    platform: str,
    min_agent: str | None = None,
    rollback: bool = False,
    python: str = ">=3.11",
    created: datetime | None = None,
    installed_size: int | None = None,
) -> dict[str, Any]:
    """Describe every file of `bundle` (name, SHA-256, size) in bundle/manifest.json, and the
    disk the installed release takes when it was measured (release_build.measure_installed_size)."""
    version_key(version)  # a version the kiosks can compare, or an error now
    names = sorted(
        p.name for p in bundle.iterdir() if p.is_file() and p.name not in (MANIFEST_FILE, SIGNATURE_FILE)
    )
    if not any(n.endswith(".whl") for n in names):
        raise ReleaseError(f"{bundle}: no wheel to release")
    manifest: dict[str, Any] = {
        "version": version,
        "created": (created or datetime.now(UTC)).isoformat(timespec="seconds"),
        "platform": platform,
        "python": python,
        "rollback": rollback,
        "files": [
            {"name": n, "sha256": file_sha256(bundle / n), "size": (bundle / n).stat().st_size} for n in names
        ],
    }
    if min_agent:
        manifest["min_agent"] = min_agent
    if installed_size is not None:
        manifest["installed_size"] = installed_size
    check_manifest(manifest)
    _write_json(bundle / MANIFEST_FILE, manifest)
    return manifest


def read_manifest(bundle: Path) -> dict[str, Any]:
    return check_manifest(_read_json(bundle / MANIFEST_FILE))


def set_rollback(bundle: Path, rollback: bool) -> dict[str, Any]:
    """Mark a built bundle as allowed (or not) to replace a newer release; sign it again after."""
    manifest = read_manifest(bundle)
    manifest["rollback"] = rollback
    _write_json(bundle / MANIFEST_FILE, manifest)
    (bundle / SIGNATURE_FILE).unlink(missing_ok=True)
    return manifest


def sign_bundle(bundle: Path, private_key_path: Path) -> dict[str, Any]:
    """Sign bundle/manifest.json after checking every file against it (nothing changed since
    the build); writes bundle/signature.json and returns the envelope."""
    manifest = read_manifest(bundle)
    check_files(manifest, bundle)
    envelope = sign_manifest(manifest, load_private_key(private_key_path))
    _write_json(bundle / SIGNATURE_FILE, {"key_id": envelope["key_id"], "signature": envelope["signature"]})
    return envelope


def read_envelope(bundle: Path) -> dict[str, Any]:
    signature = _read_json(bundle / SIGNATURE_FILE)
    if not isinstance(signature, dict):
        raise ReleaseError(f"{bundle / SIGNATURE_FILE}: not a JSON object")
    return {"manifest": _read_json(bundle / MANIFEST_FILE), **signature}


def verify_bundle(bundle: Path, keys: KeySet) -> dict[str, Any]:
    """The manifest of a bundle whose signature verifies with `keys` and whose every file has
    the signed size and SHA-256."""
    manifest = verify_envelope(read_envelope(bundle), keys)
    check_files(manifest, bundle)
    return manifest


def publish(bundle: Path, releases_dir: Path, keys: KeySet) -> dict[str, Any]:
    """Copy a verified bundle into the server's releases directory. Publishing a version again
    is allowed only with the same files (e.g. re-signed with rollback: true)."""
    manifest = verify_bundle(bundle, keys)
    envelope = read_envelope(bundle)
    target = releases_dir / manifest["version"]
    existing = published_envelope(releases_dir, manifest["version"])
    if existing is not None and existing["manifest"].get("files") != manifest["files"]:
        raise ReleaseError(
            f"version {manifest['version']} is already published with other files; "
            "build a new version instead"
        )
    target.mkdir(parents=True, exist_ok=True)
    for entry in manifest["files"]:
        dest = target / entry["name"]
        if not (dest.is_file() and file_sha256(dest) == entry["sha256"]):
            tmp = target / f".{entry['name']}.tmp"
            shutil.copyfile(bundle / entry["name"], tmp)
            os.replace(tmp, dest)
    _write_json(target / ENVELOPE_FILE, envelope)
    return manifest


def published_envelope(releases_dir: Path, version: str) -> dict[str, Any] | None:
    path = releases_dir / version / ENVELOPE_FILE
    if not path.is_file():
        return None
    value = _read_json(path)
    return value if isinstance(value, dict) and "manifest" in value else None


def published_versions(releases_dir: Path) -> list[str]:
    if not releases_dir.is_dir():
        return []
    found = [p.name for p in releases_dir.iterdir() if (p / ENVELOPE_FILE).is_file()]
    return sorted(found, key=version_key)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReleaseError(f"{path}: missing") from None
    except (OSError, ValueError) as exc:
        raise ReleaseError(f"{path}: not readable JSON: {exc}") from None


def _write_json(path: Path, value: Any) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)

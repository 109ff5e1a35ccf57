"""The release format shared by the kiosk updater and the central server (PROTOCOL.md, Releases).

A release is a manifest (version, platform, files with SHA-256 and size, `rollback`) signed with
Ed25519 over its canonical JSON (sorted keys, no spaces, UTF-8). The signed envelope is
`{"manifest": {...}, "key_id": "...", "signature": "base64"}`. A key id is the first 16 hex digits
of the SHA-256 of the raw 32-byte public key, so an id can never name a different key.

The kiosk trusts a pinned key *set* (several keys, for rotation): a directory of PEM public keys,
`/etc/kiosk/release-keys/*.pub` on a device. This module has no Kivy, no HTTP and no FastAPI, so
central/ may import it as a shared format.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.protocol.errors import UpdateError

PINNED_KEYS_DIR = Path("/etc/kiosk/release-keys")
MANIFEST_FILE = "manifest.json"
SIGNATURE_FILE = "signature.json"

# A version is N(.N)* with an optional pre-release tag: the subset of PEP 440 that wheels of this
# project use. Anything else is refused rather than compared wrongly.
_VERSION = re.compile(r"^(\d+(?:\.\d+)*)(?:(a|b|rc)(\d+))?$")
_PRE_ORDER = {"a": 0, "b": 1, "rc": 2}
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def canonical_json(value: Any) -> bytes:
    """The bytes that are signed: sorted keys, no spaces, UTF-8 (not ASCII-escaped)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def version_key(version: str) -> tuple[tuple[int, ...], tuple[int, int]]:
    """A sortable key for a release version; 1.4.10 > 1.4.9 and 1.5.0rc1 < 1.5.0."""
    match = _VERSION.match(version)
    if not match:
        raise UpdateError(f"version {version!r} is not of the form 1.4.2 or 1.5.0rc1", "verify")
    numbers = tuple(int(n) for n in match.group(1).split("."))
    # Trailing zeros do not make a version newer: 1.4 == 1.4.0.
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers = numbers[:-1]
    pre = (_PRE_ORDER[match.group(2)], int(match.group(3))) if match.group(2) else (3, 0)
    return numbers, pre


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_pem(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_public_key(pem: bytes, source: str) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError as exc:
        raise UpdateError(f"{source}: not a PEM public key: {exc}", "verify") from None
    if not isinstance(key, Ed25519PublicKey):
        raise UpdateError(f"{source}: not an Ed25519 public key", "verify")
    return key


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise UpdateError(f"{path}: cannot read the signing key: {exc}", "verify") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise UpdateError(f"{path}: not an Ed25519 private key", "verify")
    return key


@dataclass(frozen=True)
class KeySet:
    """The public keys a kiosk (or the server) accepts release signatures from, by key id."""

    keys: Mapping[str, Ed25519PublicKey]

    @classmethod
    def of(cls, keys: Iterable[Ed25519PublicKey]) -> KeySet:
        return cls({key_id(k): k for k in keys})

    @classmethod
    def from_dir(cls, directory: Path) -> KeySet:
        """Every `*.pub` PEM file in `directory`; an empty or missing directory is an error,
        because a kiosk without a pinned key could never accept (or would blindly accept)."""
        files = sorted(directory.glob("*.pub")) if directory.is_dir() else []
        if not files:
            raise UpdateError(f"{directory}: no release keys (*.pub) are pinned", "verify")
        return cls.of(load_public_key(f.read_bytes(), str(f)) for f in files)

    def ids(self) -> list[str]:
        return sorted(self.keys)


def sign_manifest(manifest: Mapping[str, Any], private_key: Ed25519PrivateKey) -> dict[str, Any]:
    """The signed envelope for `manifest` (checked first, so nothing malformed gets signed)."""
    check_manifest(manifest)
    signature = private_key.sign(canonical_json(manifest))
    return {
        "manifest": dict(manifest),
        "key_id": key_id(private_key.public_key()),
        "signature": base64.b64encode(signature).decode("ascii"),
    }


def verify_envelope(envelope: Any, keys: KeySet) -> dict[str, Any]:
    """The manifest of a signed envelope, after checking its signature against `keys` and its
    fields. Raises UpdateError(stage="verify") naming what is wrong."""
    if not isinstance(envelope, Mapping):
        raise UpdateError("release envelope is not a JSON object", "verify")
    missing = [k for k in ("manifest", "key_id", "signature") if k not in envelope]
    if missing:
        raise UpdateError(f"release envelope lacks {', '.join(missing)}", "verify")
    kid = envelope["key_id"]
    public_key = keys.keys.get(kid) if isinstance(kid, str) else None
    if public_key is None:
        raise UpdateError(
            f"release signed with key {kid!r}, which is not pinned (pinned: {', '.join(keys.ids())})",
            "verify",
        )
    try:
        signature = base64.b64decode(envelope["signature"], validate=True)
        public_key.verify(signature, canonical_json(envelope["manifest"]))
    except (InvalidSignature, binascii.Error, TypeError, ValueError):
        raise UpdateError(f"release signature does not verify with key {kid}", "verify") from None
    return check_manifest(envelope["manifest"])


def check_manifest(manifest: Any) -> dict[str, Any]:
    """`manifest` as a dict if every field is well-formed; else UpdateError listing problems."""
    problems = _manifest_problems(manifest)
    if problems:
        raise UpdateError("bad release manifest: " + "; ".join(problems), "verify")
    return dict(manifest)


def _manifest_problems(m: Any) -> list[str]:
    if not isinstance(m, Mapping):
        return ["manifest is not a JSON object"]
    problems = [f"{k} is missing" for k in ("version", "platform", "files", "rollback") if k not in m]
    if problems:
        return problems
    if not isinstance(m["version"], str) or not _VERSION.match(m["version"]):
        problems.append(f"version {m['version']!r} is not of the form 1.4.2")
    if not isinstance(m["rollback"], bool):
        problems.append("rollback must be true or false")
    if "min_agent" in m and (not isinstance(m["min_agent"], str) or not _VERSION.match(m["min_agent"])):
        problems.append(f"min_agent {m['min_agent']!r} is not a version")
    # Optional (manifests built before it have none): the disk the installed release takes.
    if "installed_size" in m and not _whole_bytes(m["installed_size"]):
        problems.append("installed_size must be a whole number of bytes")
    files = m["files"]
    if not isinstance(files, list) or not files:
        return [*problems, "files must be a non-empty list"]
    names: set[str] = set()
    for i, f in enumerate(files):
        problems.extend(f"files[{i}]: {p}" for p in _file_problems(f, names))
    return problems


def _file_problems(f: Any, seen: set[str]) -> list[str]:
    if not isinstance(f, Mapping):
        return ["not an object"]
    name, sha, size = f.get("name"), f.get("sha256"), f.get("size")
    problems = []
    # Names become file names on the kiosk: no directories, no dot-files, no `..`.
    if not isinstance(name, str) or not _SAFE_NAME.match(name) or ".." in name:
        problems.append(f"name {name!r} is not a plain file name")
    elif name in seen:
        problems.append(f"name {name!r} is listed twice")
    else:
        seen.add(name)
    if not isinstance(sha, str) or not _SHA256.match(sha):
        problems.append("sha256 must be 64 lower-case hex digits")
    if not _whole_bytes(size):
        problems.append("size must be a whole number of bytes")
    return problems


def _whole_bytes(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_files(manifest: Mapping[str, Any], directory: Path) -> None:
    """Every file of the manifest is in `directory` with its size and SHA-256. A file that does
    not match is a fault of the copy, not of the signed release: the error is transient (a kiosk
    fetches the file again later; it installs once the server has the signed file again)."""
    for entry in manifest["files"]:
        path = directory / entry["name"]
        if not path.is_file():
            raise UpdateError(f"{entry['name']}: file is missing", "verify", transient=True)
        size = path.stat().st_size
        if size != entry["size"]:
            raise UpdateError(
                f"{entry['name']}: size {size} differs from the signed {entry['size']}",
                "verify",
                transient=True,
            )
        if file_sha256(path) != entry["sha256"]:
            raise UpdateError(
                f"{entry['name']}: SHA-256 differs from the signed manifest", "verify", transient=True
            )


def manifest_digest(manifest: Mapping[str, Any]) -> str:
    """Identifies one signed manifest (a version re-signed as a rollback gets a new digest)."""
    return hashlib.sha256(canonical_json(manifest)).hexdigest()[:16]

"""The release directories on a device and the steps that change them.

```
/opt/kiosk/                    releases root (KIOSK_RELEASES_ROOT)
  releases/1.4.2/venv/         one virtualenv per release, never changed once installed
  releases/1.4.2/release.json  the signed envelope it was installed from
  downloads/1.4.3/             files being downloaded, verified before install
  current  -> releases/1.4.2   what systemd runs; replaced atomically (rename of a symlink)
  previous -> releases/1.4.1   what a rollback goes back to
```
The venv is made `--without-pip` and the bundle's wheels are installed into it by the running
release's pip (`pip --python NEW install --no-index --no-deps WHEELS`): the bundle holds the
whole resolved dependency set, so nothing is resolved or downloaded on the kiosk.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.errors import UpdateError
from kiosk.update.retry import is_disk_full
from kiosk.update.selftest_report import failure_detail, parse_report

RELEASES_ROOT = Path("/opt/kiosk")
INSTALLED_MARK = "release.json"
PIP_TIMEOUT_S = 900.0
# A manifest built before `installed_size` was measured: what wheels unpack to, bytecode
# included, as a multiple of their size (the project wheel: 1.1 MB → 5.1 MB, 4.6×).
INSTALLED_PER_WHEEL_BYTE = 5
VENV_BYTES = 64 * 1024  # the venv itself (interpreter links, pyvenv.cfg), without pip
# The running release's pip; a list so that tests can put a stand-in (a pip that meets a full
# disk) in its place.
PIP_COMMAND = [sys.executable, "-m", "pip"]


@dataclass(frozen=True)
class ReleaseLayout:
    root: Path

    @classmethod
    def default(cls) -> ReleaseLayout:
        return cls(Path(os.environ.get("KIOSK_RELEASES_ROOT", str(RELEASES_ROOT))))

    @property
    def releases(self) -> Path:
        return self.root / "releases"

    @property
    def current(self) -> Path:
        return self.root / "current"

    @property
    def previous(self) -> Path:
        return self.root / "previous"

    def release_dir(self, version: str) -> Path:
        return self.releases / version

    def downloads(self, version: str) -> Path:
        return self.root / "downloads" / version

    def python(self, release_dir: Path) -> Path:
        return release_dir / "venv" / "bin" / "python"

    def current_target(self) -> Path | None:
        """The release directory `current` points to, or None before the first install."""
        return self.current.resolve() if self.current.is_symlink() else None


def free_bytes(path: Path) -> int:
    while not path.exists():
        path = path.parent
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def installed_estimate(manifest: Mapping[str, Any]) -> int:
    """The disk the installed release will take: the `installed_size` measured when the release
    was built, else the wheels' size times INSTALLED_PER_WHEEL_BYTE."""
    measured = manifest.get("installed_size")
    if isinstance(measured, int) and not isinstance(measured, bool) and measured >= 0:
        return measured + VENV_BYTES
    wheels = sum(int(f["size"]) for f in manifest["files"] if str(f["name"]).endswith(".whl"))
    return wheels * INSTALLED_PER_WHEEL_BYTE + VENV_BYTES


def check_free_disk(layout: ReleaseLayout, manifest: Mapping[str, Any], reserve_bytes: int) -> None:
    """Room for the download, its install (installed_estimate) and a reserve the database and
    logs keep; else a transient UpdateError before anything is fetched."""
    download_bytes = sum(int(f["size"]) for f in manifest["files"])
    needed = download_bytes + installed_estimate(manifest) + reserve_bytes
    free = free_bytes(layout.root)
    if free < needed:
        raise UpdateError(
            f"not enough disk: {free // 2**20} MiB free at {layout.root}, {needed // 2**20} MiB needed",
            "download",
            transient=True,
        )


def installed_envelope(release_dir: Path) -> dict[str, Any] | None:
    try:
        value = json.loads((release_dir / INSTALLED_MARK).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def install_release(
    layout: ReleaseLayout,
    envelope: Mapping[str, Any],
    files_dir: Path,
    *,
    extra_site_packages: Sequence[Path] = (),
) -> Path:
    """Install the verified bundle in `files_dir` into releases/VERSION/venv and return that
    directory. A directory left by an earlier attempt is replaced; one that already holds the same
    files (a version re-signed for rollback) is reused. `extra_site_packages` are appended to the
    venv's path (tests and development, whose dependencies live in the dev venv)."""
    manifest = envelope["manifest"]
    target = layout.release_dir(manifest["version"])
    if target == layout.current_target():
        raise UpdateError(f"{target} is the running release", "install")
    old = installed_envelope(target)
    if old is not None and old.get("manifest", {}).get("files") == manifest["files"]:
        _write_mark(target, envelope)
        return target
    if target.exists():
        shutil.rmtree(target)
    try:
        target.mkdir(parents=True)
        _make_venv(target / "venv", extra_site_packages)
        wheels = [files_dir / f["name"] for f in manifest["files"] if f["name"].endswith(".whl")]
        _pip_install(layout.python(target), wheels)
        _write_mark(target, envelope)
    except OSError as exc:
        shutil.rmtree(target, ignore_errors=True)
        if not is_disk_full(exc):
            raise
        raise UpdateError(f"installing {target.name}: {exc}", "install", transient=True) from None
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return target


def _pip_install(python: Path, wheels: Sequence[Path]) -> None:
    """The running release's pip installs into the new venv (`--python`): the bundle is the
    complete, resolved dependency set, so no index and no resolution."""
    argv = [
        *PIP_COMMAND,
        "--python",
        str(python),
        "install",
        "--no-index",
        "--no-deps",
        "--disable-pip-version-check",
        *map(str, wheels),
    ]
    _run(argv, "install", PIP_TIMEOUT_S)


def _make_venv(venv: Path, extra_site_packages: Sequence[Path]) -> None:
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], "install", 120)
    if extra_site_packages:
        site = next((venv / "lib").glob("python3*/site-packages"))
        lines = "".join(f"{p}\n" for p in extra_site_packages)
        (site / "zz_kiosk_extra_site.pth").write_text(lines, encoding="utf-8")


def _write_mark(target: Path, envelope: Mapping[str, Any]) -> None:
    tmp = target / (INSTALLED_MARK + ".tmp")
    tmp.write_text(json.dumps(envelope, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, target / INSTALLED_MARK)


def _run(argv: list[str], stage: str, timeout_s: float, env: Mapping[str, str] | None = None) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s, env=env, check=False)
    except subprocess.TimeoutExpired:
        raise UpdateError(f"{Path(argv[0]).name} took longer than {timeout_s:.0f} s", stage) from None
    if done.returncode != 0:
        output = (done.stderr or done.stdout).strip()
        # A full disk is no fault of the release: the updater tries again once there is room.
        raise UpdateError(
            f"{' '.join(argv[:4])}… failed ({done.returncode}): {output[-800:]}",
            stage,
            transient=is_disk_full(output),
        )
    return done.stdout


def run_selftest(
    layout: ReleaseLayout, release_dir: Path, state_dir: Path, timeout_s: float = 300.0
) -> dict[str, Any]:
    """Run `kiosk selftest --json` with the new release's interpreter and code; its report, or an
    UpdateError(stage="selftest") carrying the failed checks."""
    argv = [
        str(layout.python(release_dir)),
        "-I",  # isolated: the release's own code only, never a `kiosk` in the working directory
        "-m",
        "kiosk",
        "--state-dir",
        str(state_dir),
        "selftest",
        "--json",
    ]
    env = {**os.environ, "KIVY_NO_ARGS": "1", "KIVY_NO_CONSOLELOG": "1"}
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s, env=env)
    except subprocess.TimeoutExpired:
        raise UpdateError(f"self-test took longer than {timeout_s:.0f} s", "selftest") from None
    report = parse_report(done.stdout)
    if done.returncode != 0 or report is None:
        detail = failure_detail(report, done.returncode, done.stderr or done.stdout)
        raise UpdateError(detail, "selftest")
    return report


def point_link(link: Path, target: Path) -> None:
    """Make `link` point to `target` atomically: a new symlink renamed over the old one, so a
    power cut leaves either the old or the new target, never none."""
    tmp = link.with_name(f".{link.name}.new")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(os.path.relpath(target, link.parent), tmp)
    os.replace(tmp, link)
    dir_fd = os.open(link.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def switch_current(layout: ReleaseLayout, release_dir: Path) -> Path | None:
    """`current` → `release_dir`, `previous` → what `current` was. Returns the old target."""
    old = layout.current_target()
    if old is not None:
        point_link(layout.previous, old)
    point_link(layout.current, release_dir)
    return old


def remove_old_releases(layout: ReleaseLayout, keep: Sequence[Path]) -> list[str]:
    """Delete release and download directories other than `keep` (current and previous)."""
    removed = []
    kept = {p.resolve() for p in keep}
    for parent in (layout.releases, layout.root / "downloads"):
        if not parent.is_dir():
            continue
        for entry in parent.iterdir():
            if entry.resolve() not in kept:
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(str(entry))
    return removed

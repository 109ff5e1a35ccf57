"""Build a release bundle from a source tree: the project's wheel at a chosen version and, for a
real release, every dependency wheel for the kiosks' platform (fetched by pip at build time, on
the operator's machine; a kiosk never resolves or downloads anything but the bundle).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from central.fleet.bundles import ReleaseError

# Wheel platform tags pip may take for each kiosk platform. Raspberry Pi OS Bookworm has
# glibc 2.36, so manylinux wheels up to 2_36 run there.
_GLIBC_MINORS = range(17, 37)
PIP_PLATFORMS = {
    "linux_aarch64": [f"manylinux_2_{m}_aarch64" for m in _GLIBC_MINORS]
    + ["manylinux2014_aarch64", "linux_aarch64"],
    "linux_armv7l": [f"manylinux_2_{m}_armv7l" for m in _GLIBC_MINORS]
    + ["manylinux2014_armv7l", "linux_armv7l"],
    "linux_x86_64": [f"manylinux_2_{m}_x86_64" for m in _GLIBC_MINORS]
    + ["manylinux2014_x86_64", "linux_x86_64"],
}
_SKIP = shutil.ignore_patterns(
    ".git",
    ".venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".hypothesis",
    "state",
    "var",
    "tests",
    "bench",
    "docs",
)


def _run(argv: list[str], what: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip()[-1500:]
        raise ReleaseError(f"{what} failed ({done.returncode}):\n{tail}")


def set_version(tree: Path, version: str) -> None:
    """Write `version` into pyproject.toml and kiosk/__init__.py of a copied tree."""
    for path, pattern, line in (
        (tree / "pyproject.toml", r'(?m)^version = "[^"]*"$', f'version = "{version}"'),
        (
            tree / "kiosk" / "__init__.py",
            r'(?m)^__version__ = "[^"]*"$',
            f'__version__ = "{version}"',
        ),
    ):
        text, n = re.subn(pattern, line, path.read_text(encoding="utf-8"), count=1)
        if n != 1:
            raise ReleaseError(f"{path}: no version line to set")
        path.write_text(text, encoding="utf-8")


def build_project_wheel(source: Path, version: str, out: Path) -> Path:
    """The project's wheel at `version`, built from a copy of `source` (left untouched) without
    build isolation: setuptools comes from the running environment, nothing is downloaded."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kiosk-build-") as tmp:
        tree = Path(tmp) / "src"
        shutil.copytree(source, tree, symlinks=True, ignore=_SKIP)
        set_version(tree, version)
        wheels = Path(tmp) / "wheels"
        _run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "--no-build-isolation",
                "--disable-pip-version-check",
                "-q",
                "-w",
                str(wheels),
                str(tree),
            ],
            "building the project wheel",
        )
        built = sorted(wheels.glob("*.whl"))
        if len(built) != 1:
            raise ReleaseError(f"expected one wheel, pip built {[p.name for p in built]}")
        dest = out / built[0].name
        shutil.copyfile(built[0], dest)
    return dest


def download_dependencies(project_wheel: Path, platform: str, out: Path, python: str = "3.11") -> list[Path]:
    """Every dependency wheel of `project_wheel` for `platform` (and pip itself, which installs
    the next release), resolved by pip for that platform and Python version."""
    if platform not in PIP_PLATFORMS:
        raise ReleaseError(f"unknown platform {platform!r}; use one of {', '.join(PIP_PLATFORMS)}")
    before = {p.name for p in out.glob("*.whl")}
    argv = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--only-binary=:all:",
        "--python-version",
        python,
        "--implementation",
        "cp",
        "--disable-pip-version-check",
        "-q",
        "-d",
        str(out),
    ]
    for tag in PIP_PLATFORMS[platform]:
        argv += ["--platform", tag]
    _run([*argv, str(project_wheel), "pip"], f"downloading the dependencies for {platform}")
    return sorted(p for p in out.glob("*.whl") if p.name not in before)


def measure_installed_size(wheels: list[Path], platform: str, python: str = "3.11") -> int:
    """The disk (allocated blocks, as `du` counts) the wheels take once installed, compiled
    bytecode included: pip installs them here into a scratch directory for `platform`, the way
    the kiosk's pip will. The manifest carries it (`installed_size`) for the kiosk's free-disk
    check, which otherwise has to guess from the download size."""
    if platform != "any" and platform not in PIP_PLATFORMS:
        raise ReleaseError(f"unknown platform {platform!r}; use one of {', '.join(PIP_PLATFORMS)}")
    tags = PIP_PLATFORMS.get(platform, [])
    with tempfile.TemporaryDirectory(prefix="kiosk-measure-") as tmp:
        argv = [sys.executable, "-m", "pip", "install", "--no-index", "--no-deps", "-q"]
        argv += ["--disable-pip-version-check", "--no-warn-script-location", "--target", tmp]
        if tags:
            argv += ["--only-binary=:all:", "--python-version", python, "--implementation", "cp"]
            argv += [arg for tag in tags for arg in ("--platform", tag)]
        _run([*argv, *map(str, wheels)], "measuring the installed size")
        return disk_usage(Path(tmp))


def disk_usage(root: Path) -> int:
    """Bytes of the blocks allocated to every file and directory under `root` (like `du -sB1`)."""
    total = root.lstat().st_blocks * 512
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            total += (Path(folder) / name).lstat().st_blocks * 512
    return total

"""python-escpos's printer database is parsed once per version and kept in our cache directory
(kiosk/drivers/escpos/library.py): real imports in fresh processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = (
    "import os, kiosk.drivers.escpos.library as lib; "
    "print(os.environ.get('ESCPOS_CAPABILITIES_PICKLE_DIR', '-')); "
    "print(len(lib.CAPABILITIES['profiles']))"
)


def _import(tmp_path: Path) -> tuple[str, int]:
    scratch = tmp_path / "tmp"
    scratch.mkdir(exist_ok=True)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "TMPDIR": str(scratch)}
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    env.pop("CACHE_DIRECTORY", None)
    result = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert list(scratch.iterdir()) == []  # python-escpos's temporary folder is gone
    used, profiles = result.stdout.split()
    return used, int(profiles)


def _pickles(tmp_path: Path) -> list[Path]:
    return list((tmp_path / "cache" / "kiosk").glob("escpos-*/*.capabilities.pickle"))


def test_first_start_fills_the_cache_and_the_next_one_uses_it(tmp_path: Path) -> None:
    used, profiles = _import(tmp_path)
    assert used == "-" and profiles > 10  # parsed, then kept
    [pickle] = _pickles(tmp_path)
    assert pickle.parent.stat().st_mode & 0o777 == 0o700
    used, again = _import(tmp_path)
    assert used == str(pickle.parent) and again == profiles


def test_a_damaged_cache_is_parsed_again_not_a_crash(tmp_path: Path) -> None:
    _import(tmp_path)
    [pickle] = _pickles(tmp_path)
    pickle.write_bytes(pickle.read_bytes()[:100])  # a power cut, a bad sector
    used, profiles = _import(tmp_path)
    assert used == "-" and profiles > 10
    [repaired] = _pickles(tmp_path)
    assert _import(tmp_path)[0] == str(repaired.parent)


def test_a_cache_folder_others_can_write_is_not_trusted(tmp_path: Path) -> None:
    _import(tmp_path)
    [pickle] = _pickles(tmp_path)
    pickle.parent.chmod(0o777)
    used, profiles = _import(tmp_path)
    assert used == "-" and profiles > 10


def test_a_cache_older_than_the_installed_database_is_made_again(tmp_path: Path) -> None:
    _import(tmp_path)
    [pickle] = _pickles(tmp_path)
    os.utime(pickle, (1_000_000_000, 1_000_000_000))  # 2001: older than any python-escpos
    used, profiles = _import(tmp_path)
    assert used == "-" and profiles > 10, "parsed again"
    [renewed] = _pickles(tmp_path)
    assert renewed.stat().st_mtime > 1_000_000_000
    assert _import(tmp_path)[0] == str(renewed.parent)

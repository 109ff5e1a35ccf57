"""python-escpos, imported in one place so that its printer database is parsed once per version,
not at every start.

At import python-escpos parses its printer database (a 400 kB file, through the YAML parser):
0.2 s here, about a second on a Pi. It pickles the result to speed up the next start, but into a
new temporary directory each time, so the cache never helps and /tmp gains a directory per start.
We keep the pickle in our cache directory (systemd's CacheDirectory=, else the user's cache), in
a folder per python-escpos version, written whole with a rename: the UI, the agent and the CLI
start at the same time, and python-escpos writes its own pickle in place. A pickle is code, so
the folder is used only when it belongs to us and nobody else can write it.
"""

from __future__ import annotations

import os
import pickle
import platform
import shutil
import tempfile
from pathlib import Path

import escpos  # the package alone: its version, nothing parsed yet

_ENV = "ESCPOS_CAPABILITIES_PICKLE_DIR"


def _cache_dir() -> Path | None:
    base = os.environ.get("CACHE_DIRECTORY", "").split(":")[0]  # set by systemd's CacheDirectory=
    try:
        user_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        root = Path(base) if base else user_cache / "kiosk"
        path = root / f"escpos-{escpos.__version__}"
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.stat()
    except (OSError, RuntimeError):  # RuntimeError: no home directory
        return None
    if info.st_uid != os.getuid() or info.st_mode & 0o022:
        return None
    return path


_PICKLE = f"{platform.python_version()}.capabilities.pickle"


def _whole(path: Path) -> bool:
    """The cached pickle is newer than the database it came from (a reinstall of the same
    version brings a newer file, which python-escpos would re-parse and rewrite in place) and
    loads (python-escpos would crash on a damaged one at every start)."""
    source = Path(escpos.__file__).with_name("capabilities.json")
    try:
        if source.exists() and path.stat().st_mtime < source.stat().st_mtime:
            return False
    except FileNotFoundError:
        return False
    try:
        with path.open("rb") as file:
            return isinstance(pickle.load(file), dict)
    except FileNotFoundError:
        return False
    except Exception:  # noqa: BLE001 - any damage: parse again
        path.unlink(missing_ok=True)
        return False


_fill: Path | None = None
if _ENV not in os.environ:
    _cache = _cache_dir()
    if _cache is not None and _whole(_cache / _PICKLE):
        os.environ[_ENV] = str(_cache)
    else:
        _fill = _cache

# python-escpos's mkdtemp() lands in a folder of ours, removed below.
_scratch = tempfile.mkdtemp(prefix="kiosk-escpos-")
_saved, tempfile.tempdir = tempfile.tempdir, _scratch
try:
    from escpos import capabilities
finally:
    tempfile.tempdir = _saved
from escpos.capabilities import CAPABILITIES, get_profile  # noqa: E402
from escpos.constants import QR_ECLEVEL_M  # noqa: E402
from escpos.printer import Dummy  # noqa: E402

if _fill is not None:
    # python-escpos just parsed its database and pickled it into the scratch folder: keep it.
    partial = _fill / f".{_PICKLE}.{os.getpid()}"
    try:
        shutil.copyfile(capabilities.pickle_path, partial)
        with partial.open("rb") as file:
            os.fsync(file.fileno())
        os.replace(partial, _fill / _PICKLE)
    except OSError:
        partial.unlink(missing_ok=True)
shutil.rmtree(_scratch, ignore_errors=True)

__all__ = ["CAPABILITIES", "QR_ECLEVEL_M", "Dummy", "get_profile"]

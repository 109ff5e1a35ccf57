"""Cold start of `kiosk run` to its first frame, and resident memory once started.

Each run is a new process on the demo site with a fresh state directory (offscreen window at
1080x1920) and the virtual printer on a pty, as `make run` and a device have it (the printer
driver and python-escpos are part of the UI's memory), timed from spawn to the app's "first frame
drawn" log line; memory is VmRSS read from /proc one second later. The median of RUNS runs is
printed, with the share of the memory that is the GL driver (on CI Mesa's llvmpipe, a software
renderer whose LLVM alone is about 50 MB; a Pi draws with its GPU driver instead).

The memory goal is judged against a bare one-label Kivy app (bench/bare_app.py) drawn at the same
size in the same run: what counts is the kiosk's own share, the difference (goal ≤ 30 MB)."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import Figure, median
from kiosk.drivers.virtual.printer import VirtualPrinter

REPO = Path(__file__).resolve().parent.parent
RUNS = 5
SIZE = "1080x1920"  # the demo site's window, as config/demo/kiosk.toml has it


GL_DRIVER = ("libLLVM", "_dri.so", "libgallium", "libGLX_mesa", "libEGL_mesa")


def _rss_mb(pid: int) -> tuple[float, float]:
    """(resident memory, the part of it in the GL driver's libraries) in MB, from smaps."""
    total = driver = 0
    mapping = ""
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        fields = line.split()
        if fields[0].endswith(":"):
            if fields[0] == "Rss:":
                total += int(fields[1])
                driver += int(fields[1]) if any(name in mapping for name in GL_DRIVER) else 0
        else:
            mapping = fields[5] if len(fields) > 5 else ""
    return total / 1024, driver / 1024


def one_run() -> tuple[float, float, float]:
    """(seconds to the first frame, resident MB, of which GL driver MB) of `kiosk run`."""
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        printer = VirtualPrinter(Path(tmp) / "printed")
        url = printer.start_pty()
        command = [
            sys.executable,
            "-m",
            "kiosk",
            "--config",
            str(REPO / "config/demo/kiosk.toml"),
            "--state-dir",
            tmp,
            "run",
            "--printer",
            url,
            "--exit-after",
            "30",
        ]
        try:
            return _measure(command)
        finally:
            printer.stop()


def bare_run() -> tuple[float, float, float]:
    """The same figures for the bare one-label app at the same size."""
    with tempfile.TemporaryDirectory(prefix="bare-bench-") as tmp:
        env_home = {"KIVY_HOME": tmp}
        return _measure([sys.executable, "-m", "bench.bare_app", SIZE], env_home)


def _measure(command: list[str], extra_env: dict[str, str] | None = None) -> tuple[float, float, float]:
    env = {**os.environ, "KIOSK_LOG_LEVEL": "INFO", **(extra_env or {})}
    env.pop("SDL_VIDEODRIVER", None)
    started = time.perf_counter()
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env, cwd=REPO)
    assert proc.stderr is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stderr, selectors.EVENT_READ)
    buffer = b""
    first_frame = None
    while first_frame is None and time.perf_counter() - started < 60:
        if selector.select(timeout=1):
            chunk = os.read(proc.stderr.fileno(), 65536)
            if not chunk:
                break
            buffer += chunk
            if b"first frame drawn" in buffer:
                first_frame = time.perf_counter() - started
    if first_frame is None:
        proc.kill()
        raise RuntimeError(f"no first frame: {buffer.decode(errors='replace')[-2000:]}")
    time.sleep(1.0)
    rss, driver = _rss_mb(proc.pid)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    return first_frame, rss, driver


def run() -> list[Figure]:
    one_run()  # warm the page cache: "cold" here means a new process, not an empty disk cache
    bare_run()
    kiosk, bare = [], []
    for _ in range(RUNS):  # interleaved, so drift on a shared machine touches both alike
        kiosk.append(one_run())
        bare.append(bare_run())
    kiosk_mb, bare_mb = median([r[1] for r in kiosk]), median([r[1] for r in bare])
    return [
        Figure("cold start to first frame (median of 5)", median([r[0] for r in kiosk]), "s", "≤ 2.5"),
        Figure("  bare one-label Kivy app, same size", median([r[0] for r in bare]), "s", ""),
        Figure("resident memory after start (median of 5)", kiosk_mb, "MB", ""),
        Figure("  of which the GL driver's libraries", median([r[2] for r in kiosk]), "MB", ""),
        Figure("  bare one-label Kivy app, same size", bare_mb, "MB", ""),
        Figure("  the kiosk's own share (kiosk − bare)", kiosk_mb - bare_mb, "MB", "≤ 30"),
    ]

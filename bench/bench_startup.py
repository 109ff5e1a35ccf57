"""Cold start of `kiosk run` to its first frame, and resident memory once started.

Each run is a new process on the demo site with a fresh state directory (offscreen window at
1080x1920), timed from spawn to the app's "first frame drawn" log line; memory is VmRSS read from
/proc one second later. The median of RUNS runs is printed."""

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

REPO = Path(__file__).resolve().parent.parent
RUNS = 5


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def one_run() -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        env = {**os.environ, "KIOSK_LOG_LEVEL": "INFO"}
        env.pop("SDL_VIDEODRIVER", None)
        command = [
            sys.executable,
            "-m",
            "kiosk",
            "--config",
            str(REPO / "config/demo/kiosk.toml"),
            "--state-dir",
            tmp,
            "run",
            "--exit-after",
            "30",
        ]
        started = time.perf_counter()
        proc = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env)
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
        rss = _rss_mb(proc.pid)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        return first_frame, rss


def run() -> list[Figure]:
    one_run()  # warm the page cache: "cold" here means a new process, not an empty disk cache
    results = [one_run() for _ in range(RUNS)]
    return [
        Figure("cold start to first frame (median of 5)", median([r[0] for r in results]), "s", "≤ 2.5"),
        Figure("resident memory after start (median of 5)", median([r[1] for r in results]), "MB", "≤ 150"),
    ]

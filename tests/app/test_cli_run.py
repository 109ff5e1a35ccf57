"""`kiosk run` and `kiosk screenshot` as processes, the way systemd and a developer start them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures_core import DEMO_CONFIG

pytestmark = pytest.mark.ui


def kiosk_command(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[list[str], dict[str, str]]:
    """`kiosk` on the demo site with its own state dir, and a clean environment for it."""
    full_env = {**os.environ, **(env or {})}
    for leaked in ("SDL_VIDEODRIVER", "KIVY_HOME"):  # set by in-process UI tests of this session
        full_env.pop(leaked, None)
    state = str(tmp_path / "state")
    return [
        sys.executable,
        "-m",
        "kiosk",
        "--config",
        str(DEMO_CONFIG),
        "--state-dir",
        state,
        *args,
    ], full_env


def kiosk(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None, timeout: int = 90
) -> subprocess.CompletedProcess[str]:
    command, full_env = kiosk_command(tmp_path, *args, env=env)
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=full_env)


def test_run_tells_systemd_ready_then_watchdog_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    import signal
    import time

    address = str(tmp_path / "notify.sock")
    command, env = kiosk_command(
        tmp_path, "run", "--exit-after", "120", env={"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "1000000"}
    )
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(address)
        sock.settimeout(1.0)
        proc = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        messages: list[str] = []
        deadline = time.monotonic() + 90
        try:
            while messages.count("WATCHDOG=1") < 2 and time.monotonic() < deadline and proc.poll() is None:
                try:
                    messages.append(sock.recv(256).decode())
                except TimeoutError:
                    continue
        finally:
            proc.send_signal(signal.SIGTERM)  # what `systemctl stop` sends
            _out, err = proc.communicate(timeout=60)
    assert messages[:1] == ["READY=1"], (messages, err[-2000:])
    assert messages.count("WATCHDOG=1") >= 2
    assert proc.returncode == 0, err[-2000:]


def test_version_names_software_and_schema(tmp_path: Path) -> None:
    result = kiosk(tmp_path, "version")
    assert result.returncode == 0
    assert result.stdout.startswith("kiosk 0.1.0 (database schema ")


def test_screenshot_renders_home_in_both_languages(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "screenshot",
            "--screen",
            "home",
            "--lang",
            "vi",
            "--lang",
            "en",
            "--size",
            "1920x1080",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    from PIL import Image

    for lang in ("vi", "en"):
        image = Image.open(tmp_path / f"home-{lang}-landscape.png")
        assert image.size == (1920, 1080)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
        assert colours is not None and len(colours) > 50  # drawn, not a blank frame


def test_screenshot_of_unknown_screen_names_the_known_ones(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "screenshot", "--screen", "nope", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode != 0
    assert "no such screen: nope; known: home" in result.stderr


def test_ui_exits_cleanly_at_an_idle_moment_when_the_agent_asks(tmp_path: Path) -> None:
    import threading
    import time

    from kiosk import store
    from kiosk.device import health

    state = tmp_path / "state"

    def ask_when_healthy() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if (state / store.DB_NAME).exists():
                db = store.open_state(state)
                if health.read_ui_health(db).healthy_at is not None:
                    health.request_ui_exit(db, "update to 9.9.9")
                    return
                db.close()
            time.sleep(0.2)

    asker = threading.Thread(target=ask_when_healthy)
    asker.start()
    result = kiosk(tmp_path, "run", "--exit-after", "60", env={"KIOSK_LOG_LEVEL": "INFO"})
    asker.join()
    assert result.returncode == 0, result.stderr[-2000:]
    assert "exiting at an idle moment (as the agent asked: update to 9.9.9)" in result.stderr


@pytest.mark.parametrize("with_printer", [False, True])
def test_the_printer_driver_is_loaded_only_for_a_printer(
    tmp_path: Path, with_printer: bool, virtual_printer
) -> None:
    # A lookup-only kiosk keeps python-escpos and the driver out of its memory (about 6 MB).
    command, env = kiosk_command(tmp_path, "run", "--exit-after", "1")
    if with_printer:
        command[-2:-2] = ["--printer", virtual_printer.device]
    probe = (
        "import sys; from kiosk.cli import main; code = main(sys.argv[1:]); "
        "print('escpos:', 'escpos' in sys.modules); sys.exit(code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, *command[3:]], capture_output=True, text=True, timeout=90, env=env
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"escpos: {with_printer}" in result.stdout

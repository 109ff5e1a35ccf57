"""`kiosk-central serve --voice-pack DIR`: the real command, in its own process, announces calls
with the pack it was given; a directory that is not there stops it before it starts."""

from __future__ import annotations

import math
import shutil
import struct
import subprocess
import sys
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from central import cli
from central.calling.voice.builder import announcement
from central.calling.voice.pack import DEFAULT_PACK, render, segment
from tests.fixtures_central import free_socket


def _office_pack(root: Path) -> Path:
    """The default pack with the office's own chime: a 660 Hz tone instead of the gong."""
    pack = root / "pack"
    shutil.copytree(DEFAULT_PACK, pack)
    rate = segment(DEFAULT_PACK, "chime").rate
    tone = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 660 * n / rate))) for n in range(rate // 2)
    )
    with wave.open(str(pack / "chime.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(tone)
    return pack


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    pack = _office_pack(tmp_path)
    with free_socket() as probe:
        port = probe.getsockname()[1]
    argv = ["--db", str(tmp_path / "central.db"), "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(
        [sys.executable, "-m", "central", "serve", *argv, "--voice-pack", str(pack)],
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{url}/api/v1/health", timeout=2)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("kiosk-central serve did not start") from None
                time.sleep(0.1)
        yield url, pack
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_serve_announces_with_the_pack_it_was_given(served: tuple[str, Path]) -> None:
    url, pack = served
    answer = requests.get(
        f"{url}/calling/voice/announce.wav", params={"ticket": "A012", "counter": "3"}, timeout=30
    )
    assert answer.status_code == 200
    names = announcement("A012", "3")
    assert answer.content == render(pack, names)
    assert answer.content != render(DEFAULT_PACK, names)  # the office's chime, not the gong


def test_serve_refuses_a_voice_pack_that_is_not_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["serve", "--db", str(tmp_path / "central.db"), "--voice-pack", str(tmp_path / "nope")])
    assert code == 1
    assert "--voice-pack" in capsys.readouterr().err
    assert not (tmp_path / "central.db").exists()  # refused before anything was opened


def test_a_pack_with_problems_is_served_and_its_problems_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from central.commands.serve import _voice_pack

    pack = _office_pack(tmp_path)
    (pack / "digits" / "7.wav").unlink()
    assert _voice_pack(str(pack)) == pack  # the counters keep working; the displays go quiet
    err = capsys.readouterr().err
    assert "digits/7.wav: missing" in err and "will not announce" in err

"""Make the default voice pack offline: espeak-ng's Vietnamese voice (Debian package
`espeak-ng`) speaks each segment, sox (package `sox`) trims its silences, resamples it to 16 kHz
mono 16-bit and synthesises the chime. Run at build or setup time, never while serving:

    kiosk-central voice build --out central/calling/voice/vi-espeak
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from central.calling.voice import builder
from central.calling.voice.texts import SPOKEN

RATE = 16_000
VOICE = "vi"  # Vietnamese (Northern)
SPEED_WPM = 140
_FORMAT = ["-r", str(RATE), "-c", "1", "-b", "16", "-e", "signed-integer"]
# Cut leading and trailing silence (sox's reverse trick), keep a little air at the end.
_TRIM = [
    "silence",
    "1",
    "0.02",
    "0.5%",
    "reverse",
    "silence",
    "1",
    "0.02",
    "0.5%",
    "reverse",
    "pad",
    "0",
    "0.03",
    "gain",
    "-n",
    "-1",
]


class ToolMissing(RuntimeError):
    """espeak-ng or sox is not installed."""


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ToolMissing(f"{name} is not installed (apt-get install espeak-ng sox)")
    return found


def _speak(text: str, out: Path, scratch: Path) -> None:
    raw = scratch / "raw.wav"
    subprocess.run(
        [_tool("espeak-ng"), "-v", VOICE, "-s", str(SPEED_WPM), "-w", str(raw), text], check=True, timeout=60
    )
    subprocess.run([_tool("sox"), str(raw), *_FORMAT, str(out), *_TRIM], check=True, timeout=60)


def _chime(out: Path) -> None:
    """Two soft bell tones (E6 then C6), each fading out."""
    sox = _tool("sox")
    subprocess.run(
        [
            sox,
            "-n",
            *_FORMAT,
            str(out),
            "synth",
            "0.9",
            "sine",
            "1319",
            "sine",
            "1047",
            "remix",
            "1,2",
            "fade",
            "q",
            "0.01",
            "0.9",
            "0.85",
            "vol",
            "0.5",
            "pad",
            "0",
            "0.15",
        ],
        check=True,
        timeout=60,
    )


def build_pack(out: Path) -> list[Path]:
    """Write every segment of builder.every_segment() under `out`; the files written."""
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in builder.every_segment():
            target = out / f"{name}.wav"
            target.parent.mkdir(parents=True, exist_ok=True)
            if name == builder.CHIME:
                _chime(target)
            else:
                _speak(SPOKEN[name], target, Path(tmp))
            written.append(target)
    return written

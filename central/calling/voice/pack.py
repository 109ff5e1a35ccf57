"""A voice pack: a directory of WAV files, one per segment, named as builder.py names them:

    chime.wav                      the gong before each call
    phrases/call.wav               "Mời công dân có số thứ tự"
    phrases/call_priority.wav      "Mời công dân ưu tiên có số thứ tự"
    phrases/to_counter.wav         "đến quầy số"
    digits/0.wav … digits/9.wav    "không" … "chín"
    words/muoi.wav, muoi_tens.wav, mot.wav, lam.wav, tu.wav   "mười", "mươi", "mốt", "lăm", "tư"
    letters/A.wav … letters/Z.wav  "a", "bê", "xê", …

Every file is PCM WAV, mono, 16-bit, and all share one sample rate (the default pack: 16 kHz),
so an announcement is the segments joined with short pauses, without decoding anything. An
office records its own voice into the same names (`kiosk-central voice check DIR` says what is
missing or in another format) and starts the server with `--voice-pack DIR`."""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from central.calling.voice.builder import every_segment

DEFAULT_PACK = Path(__file__).resolve().parent / "vi-espeak"
GAP_S = 0.08  # between segments: a human reader's breath, not a robot's run-on


class VoicePackError(Exception):
    """A segment missing or in another format than the rest of the pack."""


@dataclass(frozen=True)
class Segment:
    name: str
    rate: int
    frames: bytes

    @property
    def duration_s(self) -> float:
        return len(self.frames) / 2 / self.rate


def read_segment(root: Path, name: str) -> Segment:
    path = root / f"{name}.wav"
    try:
        with wave.open(str(path), "rb") as w:
            if w.getnchannels() != 1 or w.getsampwidth() != 2:
                raise VoicePackError(f"{path}: not mono 16-bit PCM")
            return Segment(name, w.getframerate(), w.readframes(w.getnframes()))
    except FileNotFoundError:
        raise VoicePackError(f"{path}: missing") from None
    except (wave.Error, EOFError) as exc:
        raise VoicePackError(f"{path}: not a WAV file ({exc})") from None


def check_pack(root: Path) -> list[str]:
    """Every problem of the pack at `root`; [] when it can say every call."""
    problems: list[str] = []
    rates: set[int] = set()
    for name in every_segment():
        try:
            segment = read_segment(root, name)
        except VoicePackError as exc:
            problems.append(str(exc))
            continue
        rates.add(segment.rate)
        if segment.duration_s < 0.05:
            problems.append(f"{root / name}.wav: silent or empty")
    if len(rates) > 1:
        problems.append(f"{root}: segments have different sample rates {sorted(rates)}")
    return problems


@lru_cache(maxsize=512)
def _cached(root: Path, name: str, mtime_ns: int) -> Segment:
    return read_segment(root, name)


def segment(root: Path, name: str) -> Segment:
    path = root / f"{name}.wav"
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise VoicePackError(f"{path}: missing") from None
    return _cached(root, name, mtime)


def render(root: Path, names: list[str]) -> bytes:
    """One WAV of the segments in order, with a short pause between them."""
    parts = [segment(root, n) for n in names]
    rate = parts[0].rate
    if any(p.rate != rate for p in parts):
        raise VoicePackError(f"{root}: segments have different sample rates")
    gap = bytes(2 * int(rate * GAP_S))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(gap.join(p.frames for p in parts))
    return out.getvalue()


def silence(root: Path, seconds: float = 0.25) -> bytes:
    """A short silent WAV in the pack's format (its chime's sample rate; 16 kHz without one): the
    display plays it on opening to learn whether it can play sound at all, before any call."""
    try:
        rate = segment(root, "chime").rate
    except VoicePackError:
        rate = 16_000
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(2 * int(rate * seconds)))
    return out.getvalue()

"""The announcement builder and the default voice pack: the segments of a call, every segment
present and valid audio (measured with the stdlib `wave`), one WAV per call from the server."""

from __future__ import annotations

import io
import wave

import pytest
import requests

from central.calling.voice.builder import announcement, every_segment, number
from central.calling.voice.pack import DEFAULT_PACK, check_pack, render, segment
from central.calling.voice.texts import SPOKEN
from tests.fixtures_central import RunningServer

CALL = ["chime", "phrases/call"]
TO = "phrases/to_counter"


@pytest.mark.parametrize(
    ("ticket", "counter", "priority", "expected"),
    [
        ("A001", "3", False, [*CALL, "letters/A", "digits/0", "digits/0", "digits/1", TO, "digits/3"]),
        ("A012", "3", False, [*CALL, "letters/A", "digits/0", "digits/1", "digits/2", TO, "digits/3"]),
        ("B120", "1", False, [*CALL, "letters/B", "digits/1", "digits/2", "digits/0", TO, "digits/1"]),
        (
            "A004",
            "2",
            True,
            [
                "chime",
                "phrases/call_priority",
                "letters/A",
                "digits/0",
                "digits/0",
                "digits/4",
                TO,
                "digits/2",
            ],
        ),
        ("C007", "10", False, [*CALL, "letters/C", "digits/0", "digits/0", "digits/7", TO, "words/muoi"]),
    ],
)
def test_announcement_segments(ticket: str, counter: str, priority: bool, expected: list[str]) -> None:
    assert announcement(ticket, counter, priority) == expected


@pytest.mark.parametrize(
    ("n", "spoken"),
    [
        (10, "mười"),
        (11, "mười một"),
        (15, "mười lăm"),
        (20, "hai mươi"),
        (21, "hai mươi mốt"),
        (24, "hai mươi tư"),
        (25, "hai mươi lăm"),
        (99, "chín mươi chín"),
        (105, "một không năm"),
    ],
)
def test_counter_numbers_are_read_as_vietnamese_says_them(n: int, spoken: str) -> None:
    assert " ".join(SPOKEN[s] for s in number(n)) == spoken


def test_every_segment_of_the_default_pack_is_valid_audio() -> None:
    assert check_pack(DEFAULT_PACK) == []
    rates = set()
    for name in every_segment():
        with wave.open(str(DEFAULT_PACK / f"{name}.wav"), "rb") as w:
            duration = w.getnframes() / w.getframerate()
            rates.add(w.getframerate())
            assert w.getnchannels() == 1 and w.getsampwidth() == 2
        assert 0.1 <= duration <= 4.0, name
    assert rates == {16_000}


def test_a_pack_missing_a_segment_says_which(tmp_path: object) -> None:
    from pathlib import Path

    pack = Path(str(tmp_path))
    (pack / "digits").mkdir()
    (pack / "digits" / "0.wav").write_bytes(b"not audio")
    problems = check_pack(pack)
    assert any("digits/0.wav: not a WAV file" in p for p in problems)
    assert any("phrases/call.wav: missing" in p for p in problems)


def test_one_call_is_one_wav_of_its_segments_in_order() -> None:
    names = announcement("A012", "3")
    audio = render(DEFAULT_PACK, names)
    with wave.open(io.BytesIO(audio), "rb") as w:
        frames = w.getnframes()
    assert frames >= sum(len(segment(DEFAULT_PACK, n).frames) // 2 for n in names)


def test_the_server_serves_the_announcement(central_server: RunningServer) -> None:
    answer = requests.get(
        f"{central_server.url}/calling/voice/announce.wav",
        params={"ticket": "A012", "counter": "3"},
        timeout=10,
    )
    assert answer.status_code == 200 and answer.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(answer.content), "rb") as w:
        assert w.getnframes() / w.getframerate() > 2.0
    bad = requests.get(
        f"{central_server.url}/calling/voice/announce.wav",
        params={"ticket": "../x", "counter": "3"},
        timeout=10,
    )
    assert bad.status_code == 422


def test_the_sound_check_is_silence_in_the_packs_format(central_server: RunningServer) -> None:
    answer = requests.get(f"{central_server.url}/calling/voice/check.wav", timeout=10)
    assert answer.status_code == 200 and answer.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(answer.content), "rb") as w:
        assert w.getframerate() == segment(DEFAULT_PACK, "chime").rate
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        frames = w.readframes(w.getnframes())
    assert frames and not any(frames)

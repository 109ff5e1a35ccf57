"""The serial scanner driver on a real pty pair (os.openpty) as the cable."""

from __future__ import annotations

import contextlib
import os
import queue
import time
from collections.abc import Iterator

import pytest
import serial

from kiosk.drivers.scanner import LineSplitter, Scanner, clean_code


@pytest.fixture
def cable() -> Iterator[tuple[int, str]]:
    """(the scanner's end to write to, the kiosk's end as a serial URL)."""
    scanner_end, kiosk_end = os.openpty()
    path = os.ttyname(kiosk_end)
    yield scanner_end, path
    for fd in (scanner_end, kiosk_end):
        with contextlib.suppress(OSError):  # a test may have pulled the cable already
            os.close(fd)


def next_code(codes: queue.Queue[str]) -> str:
    return codes.get(timeout=10)


def started(scanner: Scanner) -> Scanner:
    """Start and wait until the port is open: pyserial flushes what arrived before that."""
    scanner.start()
    give_up = time.monotonic() + 10
    while not scanner.status().online:
        assert time.monotonic() < give_up, scanner.status().detail
        time.sleep(0.01)
    return scanner


def test_codes_arrive_line_by_line(cable: tuple[int, str]) -> None:
    scanner_end, url = cable
    codes: queue.Queue[str] = queue.Queue()
    scanner = started(Scanner(url, codes.put))
    try:
        os.write(scanner_end, b"000.00.06.H56-231027-0361\r\n")
        assert next_code(codes) == "000.00.06.H56-231027-0361"
        os.write(scanner_end, b"H56-")  # a line may come in pieces
        os.write(scanner_end, b"2\rH56-3\n\n")
        assert [next_code(codes), next_code(codes)] == ["H56-2", "H56-3"]
        os.write(scanner_end, "Mã hồ sơ: 123\r".encode())
        assert next_code(codes) == "Mã hồ sơ: 123"
        assert scanner.status().online
    finally:
        scanner.stop()
    assert not scanner.status().online


def test_a_failing_handler_does_not_stop_the_scanner(cable: tuple[int, str]) -> None:
    scanner_end, url = cable
    codes: queue.Queue[str] = queue.Queue()

    def handler(code: str) -> None:
        if code == "BOOM":
            raise RuntimeError("screen went away")
        codes.put(code)

    scanner = started(Scanner(url, handler))
    try:
        os.write(scanner_end, b"BOOM\rOK-1\r")
        assert next_code(codes) == "OK-1"
    finally:
        scanner.stop()


def test_a_missing_scanner_is_a_state_and_it_is_retried(tmp_path: object) -> None:
    opened: list[str] = []

    def open_port(url: str, **kw: object) -> serial.Serial:
        opened.append(url)
        raise serial.SerialException("could not open port")

    scanner = Scanner("/dev/kiosk-scanner", lambda code: None, open_port=open_port, reopen_s=0.01)
    scanner.start()
    try:
        give_up = time.monotonic() + 10
        while len(opened) < 3:
            assert time.monotonic() < give_up
            time.sleep(0.01)
        status = scanner.status()
        assert not status.online and "cannot open /dev/kiosk-scanner" in status.detail
    finally:
        scanner.stop()


def test_loop_url_works_like_a_device(tmp_path: object) -> None:
    codes: queue.Queue[str] = queue.Queue()
    port = serial.serial_for_url("loop://", timeout=0.2)
    scanner = started(Scanner("loop://", codes.put, open_port=lambda url, **kw: port))
    try:
        port.write(b"LOOP-1\r\n")
        assert next_code(codes) == "LOOP-1"
    finally:
        scanner.stop()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"ABC-1", "ABC-1"),
        (b"  ABC-1 \t", "ABC-1"),
        (b"\x02ABC-1\x03", "ABC-1"),  # STX/ETX framing some scanners add
        ("Đăng ký".encode(), "Đăng ký"),
        ("Đa\u0306ng".encode(), "Đăng"),  # decomposed → NFC
        (b"\xff\xfe", None),
        (b"   ", None),
    ],
)
def test_clean_code(raw: bytes, code: str | None) -> None:
    assert clean_code(raw) == code


def test_overlong_lines_are_dropped_up_to_their_end() -> None:
    splitter = LineSplitter(max_bytes=8)
    assert splitter.feed(b"0123456789ABCDEF") == []
    assert splitter.feed(b"GHI\rOK\r") == [b"OK"]
    assert splitter.feed(b"\r\n\r\n") == []


def test_empty_url_is_refused() -> None:
    with pytest.raises(ValueError, match="no scanner"):
        Scanner("", lambda code: None)


def test_an_unplugged_scanner_comes_back_by_itself() -> None:
    codes: queue.Queue[str] = queue.Queue()
    first_end, first_kiosk = os.openpty()
    plugged = {"path": os.ttyname(first_kiosk)}

    def open_port(url: str, **kw: object) -> serial.Serial:
        return serial.serial_for_url(plugged["path"], **kw)

    scanner = started(Scanner("/dev/kiosk-scanner", codes.put, open_port=open_port, reopen_s=0.01))
    second_end = second_kiosk = -1
    try:
        os.write(first_end, b"BEFORE\r")
        assert next_code(codes) == "BEFORE"
        os.close(first_end)  # the cable is pulled
        give_up = time.monotonic() + 10
        while scanner.status().online:
            assert time.monotonic() < give_up
            time.sleep(0.01)
        second_end, second_kiosk = os.openpty()  # plugged in again, as a new device node
        plugged["path"] = os.ttyname(second_kiosk)
        while not scanner.status().online:
            assert time.monotonic() < give_up
            time.sleep(0.01)
        os.write(second_end, b"AFTER\r")
        assert next_code(codes) == "AFTER"
    finally:
        scanner.stop()
        for fd in (first_kiosk, second_end, second_kiosk):
            if fd >= 0:
                os.close(fd)

"""A serial QR/barcode scanner, opened by URL like the printer (pyserial `serial_for_url`: a
device path, socket://host:port, loop://, or spy://… to log the bytes).

Scanners in serial mode send each code as one line (CR, LF or CR LF). A reader thread turns the
bytes into codes and hands each to `on_code` (the UI hands them to the active screen, on its
own thread with Clock.schedule_once). A scanner that is unplugged or was never there is a state
(`status()`), not a crash: the reader keeps trying to reopen it."""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import serial

log = logging.getLogger("kiosk.scanner")
MAX_CODE_BYTES = 512
READ_TIMEOUT_S = 0.2
REOPEN_S = 2.0


@dataclass(frozen=True)
class ScannerStatus:
    online: bool
    detail: str


def clean_code(raw: bytes) -> str | None:
    """One scanned line as text: UTF-8 (ASCII included), control characters and surrounding
    spaces dropped, NFC. None for a line that is empty or not text."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    text = "".join(c for c in text if unicodedata.category(c) != "Cc").strip()
    return unicodedata.normalize("NFC", text) or None


class LineSplitter:
    """Bytes in, complete lines out. A line longer than MAX_CODE_BYTES is noise (a scanner
    left in a mode without terminators) and is dropped up to its next terminator."""

    def __init__(self, max_bytes: int = MAX_CODE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._buffer = bytearray()
        self._overlong = False

    def feed(self, data: bytes) -> list[bytes]:
        lines: list[bytes] = []
        for byte in data:
            if byte in (0x0A, 0x0D):
                if self._buffer and not self._overlong:
                    lines.append(bytes(self._buffer))
                self._buffer.clear()
                self._overlong = False
            elif not self._overlong:
                self._buffer.append(byte)
                if len(self._buffer) > self.max_bytes:
                    self._overlong = True
                    self._buffer.clear()
        return lines


class Scanner:
    """`Scanner(url, baudrate, on_code).start()`; `stop()` to close. Explicit open and close,
    nothing opened in a constructor or a property."""

    def __init__(
        self,
        url: str,
        on_code: Callable[[str], None],
        *,
        baudrate: int = 9600,
        open_port: Callable[..., Any] = serial.serial_for_url,
        reopen_s: float = REOPEN_S,
    ) -> None:
        if not url:
            raise ValueError("scanner url is empty: no scanner is configured")
        self.url = url
        self.baudrate = baudrate
        self.on_code = on_code
        self._open_port = open_port
        self._reopen_s = reopen_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._status = ScannerStatus(False, "not started")

    def status(self) -> ScannerStatus:
        return self._status

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="kiosk-scanner", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._status = ScannerStatus(False, "stopped")

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                port = self._open_port(self.url, baudrate=self.baudrate, timeout=READ_TIMEOUT_S)
            except (serial.SerialException, OSError, ValueError) as exc:
                self._offline(f"cannot open {self.url}: {exc}")
                self._stop.wait(self._reopen_s)
                continue
            self._status = ScannerStatus(True, f"reading {self.url}")
            try:
                self._read(port)
            except (serial.SerialException, OSError) as exc:
                self._offline(f"{self.url} stopped answering: {exc}")
                self._stop.wait(self._reopen_s)
            finally:
                port.close()

    def _read(self, port: Any) -> None:
        splitter = LineSplitter()
        while not self._stop.is_set():
            data = port.read(256)
            for line in splitter.feed(data):
                code = clean_code(line)
                if code is None:
                    log.warning("scanner sent a line that is not text; ignored")
                    continue
                self._deliver(code)

    def _deliver(self, code: str) -> None:
        try:
            self.on_code(code)
        except Exception:  # the screen's problem must not stop the scanner
            log.exception("the scanned-code handler failed")

    def _offline(self, detail: str) -> None:
        if self._status.detail != detail:
            log.warning("scanner offline: %s", detail)
        self._status = ScannerStatus(False, detail)

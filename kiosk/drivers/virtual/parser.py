"""An incremental ESC/POS parser: the part of a printer that reads the byte stream.

It understands what kiosk prints and what common ESC/POS software sends (text in the active code
page, user-defined characters, styles and sizes, GS v 0 raster images, native QR codes, feeds,
cuts) and skips, with a
warning, what it does not draw. It drives a `PrintSink` (kiosk.drivers.virtual.canvas draws one).
Bytes may arrive in any chunks: an incomplete command waits for the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from PIL import Image

from kiosk.drivers.escpos.glyphs import columns_to_glyph
from kiosk.drivers.escpos.raster import find_realtime

ESC, GS, DLE, FS = 0x1B, 0x1D, 0x10, 0x1C
LF, CR, HT, FF, CAN = 0x0A, 0x0D, 0x09, 0x0C, 0x18


@dataclass(frozen=True)
class Style:
    """The character style in force: font a/b, bold, underline, size multipliers, alignment."""

    font: str = "a"
    bold: bool = False
    underline: bool = False
    width: int = 1
    height: int = 1
    align: str = "left"
    line_spacing: int = 30


class PrintSink(Protocol):
    def text(self, byte: int, page: int, style: Style) -> None: ...
    def user_char(self, width: int, data: bytes, bitmap: Image.Image, style: Style) -> None: ...
    def newline(self, style: Style) -> None: ...
    def feed_dots(self, dots: int, style: Style) -> None: ...
    def raster(self, mask: Image.Image, double_width: bool, double_height: bool, style: Style) -> None: ...
    def qr(self, data: bytes, module: int, ec: int, style: Style) -> None: ...
    def cut(self) -> None: ...
    def warn(self, message: str) -> None: ...


# Fixed-length commands: prefix → total length in bytes, and an optional effect.
_ALIGNS = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}


class EscposParser:
    """Feed it bytes with `feed`; it calls the sink for each complete command."""

    def __init__(self, sink: PrintSink, on_inband: Callable[[bytes], None] | None = None) -> None:
        self.sink = sink
        self.on_inband = on_inband or (lambda command: None)
        self.buffer = bytearray()
        self.style = Style()
        self.page = 0
        self.qr_data = b""
        self.qr_module = 3
        self.qr_ec = 0
        self.offset = 0  # bytes consumed so far, for warnings
        self.user_chars: dict[int, tuple[int, bytes, Image.Image]] = {}  # code → (width, data, dots)
        self.user_selected = False

    def feed(self, data: bytes) -> None:
        self.buffer += data
        while self.buffer:
            used = self._one(self.buffer)
            if used == 0:
                return  # incomplete: wait for more bytes
            del self.buffer[:used]
            self.offset += used

    def reset(self) -> None:
        """ESC @: styles, the code page and the user-defined characters are gone."""
        self.style = Style()
        self.page = 0
        self.user_chars.clear()
        self.user_selected = False

    def _one(self, b: bytearray) -> int:
        first = b[0]
        if first == ESC:
            return self._esc(b)
        if first == GS:
            return self._gs(b)
        if first == DLE:
            return self._dle(b)
        if first == FS:
            return _need(b, 3 if len(b) > 1 and b[1] == ord("C") else 2)
        if first == LF:
            self.sink.newline(self.style)
        elif first == HT:
            self.sink.text(0x20, self.page, self.style)
        elif first >= 0x20 and self.user_selected and first in self.user_chars:
            self.sink.user_char(*self.user_chars[first], self.style)
        elif first >= 0x20:
            self.sink.text(first, self.page, self.style)
        elif first not in (CR, FF, CAN, 0x00):
            self.sink.warn(f"control byte 0x{first:02x} at {self.offset} ignored")
        return 1

    def _esc(self, b: bytearray) -> int:
        if len(b) < 2:
            return 0
        op = chr(b[1])
        if op == "@":
            self.reset()
            return 2
        if op == "2":
            self.style = replace(self.style, line_spacing=Style.line_spacing)
            return 2
        if op in "aEG-M!tdJ3 {VR=%?cBp$\\":
            return self._esc_with_args(b, op)
        if op == "*":
            return self._esc_star(b)
        if op == "&":
            return self._define_chars(b)
        self.sink.warn(f"ESC 0x{b[1]:02x} at {self.offset} not understood")
        return 2

    def _esc_with_args(self, b: bytearray, op: str) -> int:
        length = {"c": 4, "B": 4, "p": 5, "$": 4, "\\": 4}.get(op, 3)
        if len(b) < length:
            return 0
        n = b[2]
        style = self.style
        if op == "a":
            self.style = replace(style, align=_ALIGNS.get(n, "left"))
        elif op in "EG":
            self.style = replace(style, bold=bool(n & 1))
        elif op == "-":
            self.style = replace(style, underline=bool(n & 3))
        elif op == "M":
            self.style = replace(style, font="b" if n in (1, 49) else "a")
        elif op == "!":
            self.style = replace(
                style,
                font="b" if n & 1 else "a",
                bold=bool(n & 8),
                height=2 if n & 16 else 1,
                width=2 if n & 32 else 1,
                underline=bool(n & 128),
            )
        elif op == "3":
            self.style = replace(style, line_spacing=n)
        elif op == "t":
            self.page = n
        elif op == "%":
            self.user_selected = bool(n & 1)
        elif op == "?":
            self.user_chars.pop(n, None)
        elif op == "d":
            for _ in range(max(1, n)):
                self.sink.newline(self.style)
        elif op == "J":
            self.sink.feed_dots(n, self.style)
        return length

    def _define_chars(self, b: bytearray) -> int:
        """ESC & y c1 c2 [x d1 … d(y·x)] for each code c1…c2: user-defined characters, column by
        column, y bytes per column (3 for font A's 24 dots)."""
        if len(b) < 5:
            return 0
        rows, first, last = b[2], b[3], b[4]
        at, found = 5, []
        for code in range(first, last + 1):
            if len(b) <= at:
                return 0
            width = b[at]
            end = at + 1 + rows * width
            if len(b) < end:
                return 0
            found.append((code, width, bytes(b[at + 1 : end])))
            at = end
        if find_realtime(bytes(b[5:at])) >= 0:
            self.sink.warn(f"user-defined characters at {self.offset} carry a real-time command")
        for code, width, data in found:
            if rows == 3 and 0x20 <= code <= 0x7E and width > 0:
                self.user_chars[code] = (width, data, columns_to_glyph(width, data))
            else:
                self.sink.warn(f"user-defined character 0x{code:02x} ({rows}×{width}) not kept")
        return at

    def _esc_star(self, b: bytearray) -> int:
        if len(b) < 5:
            return 0
        columns = b[3] + 256 * b[4]
        length = 5 + columns * (3 if b[2] in (32, 33) else 1)
        if len(b) < length:
            return 0
        self.sink.warn("ESC * column image not drawn")
        return length

    def _gs(self, b: bytearray) -> int:
        if len(b) < 2:
            return 0
        op = chr(b[1])
        if op == "v":
            return self._raster(b)
        if op == "(":
            return self._gs_paren(b)
        if op == "V":
            if len(b) < 3:
                return 0
            length = 4 if b[2] in (65, 66, 97, 98, 103, 104) else 3
            if len(b) < length:
                return 0
            self.sink.cut()
            return length
        if op == "!":
            if len(b) < 3:
                return 0
            n = b[2]
            self.style = replace(self.style, width=(n >> 4) + 1, height=(n & 15) + 1)
            return 3
        if op in "aBbHfhwrIL W":
            length = 4 if op in "LW" else 3
            if len(b) < length:
                return 0
            if op in "rIa":
                self.on_inband(bytes(b[:length]))
            return length
        if op == "k":
            return self._barcode(b)
        self.sink.warn(f"GS 0x{b[1]:02x} at {self.offset} not understood")
        return 2

    def _raster(self, b: bytearray) -> int:
        if len(b) < 8:
            return 0
        mode = b[3] & 3
        width_bytes = b[4] + 256 * b[5]
        height = b[6] + 256 * b[7]
        length = 8 + width_bytes * height
        if len(b) < length:
            return 0
        if find_realtime(bytes(b[8:length])) >= 0:
            self.sink.warn(f"image at {self.offset} carries a real-time command (DLE EOT/ENQ/DC4)")
        if width_bytes and height:
            mask = Image.frombytes("1", (width_bytes * 8, height), bytes(b[8:length]))
            self.sink.raster(mask, bool(mode & 1), bool(mode & 2), self.style)
        return length

    def _gs_paren(self, b: bytearray) -> int:
        if len(b) < 5:
            return 0
        length = 5 + b[3] + 256 * b[4]
        if len(b) < length:
            return 0
        if chr(b[2]) == "k" and length >= 7 and b[5] == ord("1"):
            self._qr_function(b[6], bytes(b[7:length]))
        elif chr(b[2]) == "H":
            self.on_inband(bytes(b[:length]))  # a process ID request: answered when reached
        elif chr(b[2]) != "k":
            self.sink.warn(f"GS ( {chr(b[2])} at {self.offset} not drawn")
        return length

    def _qr_function(self, fn: int, params: bytes) -> None:
        if fn == 67 and params:
            self.qr_module = params[0]
        elif fn == 69 and params:
            self.qr_ec = params[0] - 48
        elif fn == 80:
            self.qr_data = params[1:]
        elif fn == 81:
            self.sink.qr(self.qr_data, self.qr_module, self.qr_ec, self.style)

    def _barcode(self, b: bytearray) -> int:
        if len(b) < 3:
            return 0
        if b[2] <= 6:
            end = b.find(0, 3)
            return 0 if end < 0 else end + 1
        if len(b) < 4 or len(b) < 4 + b[3]:
            return 0
        self.sink.warn("barcode not drawn")
        return 4 + b[3]

    def _dle(self, b: bytearray) -> int:
        """Real-time commands were answered when they arrived (see VirtualPrinter); here they
        are only skipped."""
        if len(b) < 3:
            return 0
        if b[1] == 0x14:
            fn = b[2]
            return _need(b, 10 if fn == 8 else 5)
        return 3


def _need(b: bytearray, length: int) -> int:
    return length if len(b) >= length else 0

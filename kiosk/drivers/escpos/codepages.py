"""Vietnamese text to printer bytes in each code-page mode, and printer bytes back to text: the
tables only. Text comes out as runs of bytes, each with the ESC t page it needs; which page the
printer is on and the ESC t that changes it are the writer's (kiosk.drivers.escpos.writer).

Modes (printer.vietnamese): tcvn3 uses the TCVN-3 pair of code pages (lower case and capitals on
two pages, ESC t 30/31 on Epson); cp1258 sends the base letter (with â ê ô ơ ư ă đ) and then the
tone as a combining byte; ascii drops the diacritics (đ→d). The tables come from python-escpos's
capabilities, with one correction: its TCVN-3-2 page lists Ð (U+00D0, eth) at 0xA7 where
TCVN-3 has Đ (U+0110), so Đ must be mapped by hand.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from functools import cache

from kiosk.drivers.escpos.library import CAPABILITIES

TCVN3_LOWER = "TCVN-3-1"
TCVN3_UPPER = "TCVN-3-2"
CP1258 = "CP1258"
ASCII_PAGE = 0  # PC437 after ESC @; every page used here has ASCII in 0x20–0x7E

# The five tones as combining marks and as CP1258 bytes (huyền, sắc, ngã, hỏi, nặng).
CP1258_TONES = {"\u0300": 0xCC, "\u0301": 0xEC, "\u0303": 0xDE, "\u0309": 0xD2, "\u0323": 0xF2}

# Punctuation that Vietnamese text from settings and the catalogue often carries, for pages
# that lack it.
PUNCTUATION = {
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2026": "...",
    "\u00a0": " ",
    "\u2022": "-",
    "\u00b7": "-",
}


@cache
def page_chars(encoding: str) -> Mapping[int, str]:
    """byte (0x80–0xFF) → character for a code page named in python-escpos's capabilities."""
    data = CAPABILITIES["encodings"].get(encoding, {})
    table: dict[int, str] = {}
    if "data" in data:
        for i, char in enumerate("".join(data["data"])):
            if char != " ":
                table[0x80 + i] = char
    elif "python_encode" in data:
        for byte in range(0x80, 0x100):
            try:
                table[byte] = bytes([byte]).decode(data["python_encode"])
            except UnicodeDecodeError:
                continue
    if encoding == TCVN3_UPPER:
        table = {b: ("Đ" if c == "Ð" else c) for b, c in table.items()}
    return table


@cache
def page_bytes(encoding: str) -> Mapping[str, int]:
    """character → byte for a code page (the inverse of page_chars)."""
    return {char: byte for byte, char in page_chars(encoding).items()}


def strip_diacritics(text: str) -> str:
    """'Đăng ký' → 'Dang ky': marks dropped, đ→d, punctuation made ASCII, anything else '?'."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        out.append(_ascii_fallback(char))
    return "".join(out)


def _ascii_fallback(char: str) -> str:
    if " " <= char <= "~":
        return char
    if unicodedata.combining(char):
        return ""  # a stray mark that no letter here can carry
    if char in PUNCTUATION:
        return PUNCTUATION[char]
    base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    base = base.replace("đ", "d").replace("Đ", "D")
    return base if base and all(" " <= c <= "~" for c in base) else "?"


def split_tones(text: str) -> str:
    """Each toned letter as the letter without its tone plus the tone as a combining mark: the
    form CP1258 can carry ('ố' → 'ô' + U+0301)."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", char)
        tones = [c for c in parts if c in CP1258_TONES]
        if not tones:
            out.append(char)
            continue
        rest = unicodedata.normalize("NFC", "".join(c for c in parts if c not in CP1258_TONES))
        out.append(rest + "".join(tones))
    return "".join(out)


Run = tuple[int | None, bytes]  # (ESC t page the bytes need, None when any page will do; bytes)


class PageEncoder:
    """Encodes text for a printer with the given pages ({encoding name: ESC t number}) as runs:
    ASCII (and the ASCII fallback of what no page has) prints on any page, every other byte on
    the page whose table has it."""

    def __init__(self, pages: Mapping[str, int], split: bool = False) -> None:
        self.pages = dict(pages)
        self.split = split

    def runs(self, text: str) -> list[Run]:
        """`text` as runs of bytes, consecutive characters of one page in one run."""
        out: list[tuple[int | None, bytearray]] = []
        units = split_tones(text) if self.split else unicodedata.normalize("NFC", text)
        for char in units:
            page, data = self._encode_char(char)
            if out and out[-1][0] == page:
                out[-1][1].extend(data)
            else:
                out.append((page, bytearray(data)))
        return [(page, bytes(data)) for page, data in out]

    def width(self, text: str) -> int:
        """Columns `text` takes once encoded, counting every byte: printers that print CP1258
        tone bytes as their own cells must not overflow, so wrapping counts them (page switches
        take no column)."""
        return sum(len(data) for _, data in self.runs(text))

    def _encode_char(self, char: str) -> Run:
        if " " <= char <= "~":
            return None, char.encode("ascii")
        for name, number in self.pages.items():
            byte = page_bytes(name).get(char)
            if byte is not None:
                return number, bytes([byte])
        return None, _ascii_fallback(char).encode("ascii")


def encoder_for(mode: str, profile_pages: Mapping[str, str]) -> PageEncoder:
    """The encoder for a code-page mode (tcvn3, cp1258, ascii) on a profile whose codePages map
    ESC t numbers (as strings) to encoding names."""
    if mode == "ascii":
        return PageEncoder({})
    if mode == "tcvn3":
        lower = pages_named(profile_pages, TCVN3_LOWER)
        upper = pages_named(profile_pages, TCVN3_UPPER)
        if not lower or not upper:
            raise ValueError("the printer profile has no TCVN-3 code pages")
        return PageEncoder({TCVN3_LOWER: lower[0], TCVN3_UPPER: upper[0]})
    if mode == "cp1258":
        found = pages_named(profile_pages, CP1258)
        if not found:
            raise ValueError("the printer profile has no CP1258 code page")
        return PageEncoder({CP1258: found[0]}, split=True)
    raise ValueError(f"{mode!r} is not a code-page mode")


def pages_named(profile_pages: Mapping[str, str], encoding: str) -> list[int]:
    """ESC t numbers of `encoding` in a profile, the usual ones first (94, then 52 for CP1258)."""
    numbers = [int(n) for n, name in profile_pages.items() if name == encoding]
    preferred = {94: 0, 52: 1, 30: 0, 31: 0}
    return sorted(numbers, key=lambda n: (preferred.get(n, 2), n))


def decode_byte(byte: int, encoding: str | None) -> str:
    """The character a printer prints for `byte` on page `encoding` ('?' when unknown)."""
    if byte < 0x80:
        return chr(byte)
    if encoding is None:
        return "?"
    return page_chars(encoding).get(byte, "?")

"""Every UI string in both languages, NFC, and none hard-coded in screens."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from kiosk.i18n import format_date, strings, translate
from tests.fixtures_core import REPO


def test_vietnamese_and_english_have_the_same_keys() -> None:
    assert set(strings("vi")) == set(strings("en"))


def test_every_string_is_nfc_and_non_empty() -> None:
    for lang in ("vi", "en"):
        for key, value in strings(lang).items():
            assert value.strip(), key
            assert unicodedata.is_normalized("NFC", value), key


def test_every_key_used_by_the_screens_exists() -> None:
    used = set()
    for path in (REPO / "kiosk" / "screens").glob("*.*"):
        used |= set(re.findall(r"""tr\(\s*["']([a-z0-9_.]+)["']""", path.read_text(encoding="utf-8")))
        used |= set(
            re.findall(r"""_key\s*[:=]\s*f?["']([a-z0-9_.{}]+)["']""", path.read_text(encoding="utf-8"))
        )
    concrete = {k for k in used if "{" not in k and not k.endswith((".", "_"))}
    assert concrete, "no keys found: the scan is broken"
    assert concrete - set(strings("vi")) == set()


def test_no_hard_coded_text_in_kv_files() -> None:
    literal = re.compile(r"""^\s*text:\s*["'][^"']*[A-Za-zÀ-ỹ][^"']*["']\s*$""")
    offenders = []
    for path in (REPO / "kiosk" / "screens").glob("*.kv"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if literal.match(line):
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert offenders == []


def test_dates_in_vietnamese_and_english_form() -> None:
    saturday = datetime(2026, 11, 28, 8, 5)
    assert format_date(saturday, "vi") == "Thứ Bảy, 28/11/2026"
    assert format_date(saturday, "en") == "Saturday, 28 Nov 2026"
    assert format_date(datetime(2026, 11, 29), "vi") == "Chủ Nhật, 29/11/2026"


def test_missing_key_shows_the_key_and_placeholders_fill() -> None:
    assert translate("vi", "no.such.key") == "no.such.key"
    assert translate("vi", "home.queue.unavailable", reason="hết giấy").startswith(
        "Tạm ngừng phát số: hết giấy"
    )

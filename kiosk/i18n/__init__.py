"""Every string the UI shows, in Vietnamese (default) and English: kiosk/i18n/vi.json and en.json;
and the words printed on paper (tickets, checklists, test pages): ticket_vi.json and ticket_en.json.

Keys are dotted (`home.queue.title`); values may hold `{name}` placeholders. A missing key shows
the key itself (visible in screenshots and caught by tests), never a crash."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any, Literal

LANGUAGES = ("vi", "en")
Language = Literal["vi", "en"]


@cache
def strings(language: str) -> dict[str, str]:
    """All strings of one language, NFC."""
    text = resources.files("kiosk.i18n").joinpath(f"{language}.json").read_text(encoding="utf-8")
    data = json.loads(text)
    return {k: unicodedata.normalize("NFC", v) for k, v in data.items()}


@cache
def ticket_words(language: Language) -> Mapping[str, str]:
    """The words printed on tickets, checklists and test pages in `language`, NFC."""
    ref = resources.files("kiosk.i18n").joinpath(f"ticket_{language}.json")
    words: dict[str, str] = json.loads(ref.read_text(encoding="utf-8"))
    return {k: unicodedata.normalize("NFC", v) for k, v in words.items()}


def translate(language: str, key: str, **values: Any) -> str:
    template = strings(language).get(key)
    if template is None:
        return key
    return template.format(**values) if values else template


def format_date(moment: datetime, language: str) -> str:
    """'Thứ Bảy, 28/11/2026' in Vietnamese, 'Saturday, 28 Nov 2026' in English (short enough
    for the header of a portrait screen)."""
    weekday = translate(language, f"weekday.{moment.weekday()}")
    if language == "vi":
        return f"{weekday}, {moment.day:02d}/{moment.month:02d}/{moment.year}"
    month = translate(language, f"month.{moment.month}")
    return f"{weekday}, {moment.day} {month[:3]} {moment.year}"


def format_time(moment: datetime) -> str:
    """24-hour clock, as used in Vietnam and on the kiosk in both languages."""
    return f"{moment.hour:02d}:{moment.minute:02d}"

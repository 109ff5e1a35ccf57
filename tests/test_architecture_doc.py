"""docs/architecture.md's picture of the rooms names only rooms that exist, and every room of
kiosk/ and central/ is in it: a newcomer who reads the picture finds the folder."""

from __future__ import annotations

import re

from tests.fixtures_core import REPO

DOC = REPO / "docs" / "architecture.md"


def picture() -> str:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## Rooms") : text.index("## The rules")]
    return section[section.index("```") : section.rindex("```")]


def test_every_room_in_the_picture_exists() -> None:
    drawn = re.findall(r"\b((?:kiosk|central)/[\w/]*\w(?:\.py)?/?)", picture())
    assert len(drawn) > 15
    missing = [name for name in drawn if not (REPO / name.rstrip("/")).exists()]
    assert missing == []


def test_every_package_is_in_the_picture() -> None:
    text = picture()
    rooms = sorted(
        str(p.parent.relative_to(REPO))
        for top in ("kiosk", "central")
        for p in (REPO / top).glob("*/__init__.py")
        if p.parent.name not in {"migrations"}
    )
    absent = [room for room in rooms if f"{room.split('/', 1)[1]}/" not in text]
    assert absent == []

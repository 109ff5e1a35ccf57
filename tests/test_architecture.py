"""Which part may use which (DESIGN.md): Kivy only in app.py and screens/; the core imports no
driver, sync or screen code; drivers and sync import no Kivy."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.fixtures_core import REPO

KIOSK = REPO / "kiosk"
CORE = ("queue", "tickets", "catalogue", "search", "outbox", "config", "store", "i18n", "services")


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def modules() -> list[tuple[str, Path]]:
    return [(str(p.relative_to(REPO)), p) for p in sorted(KIOSK.rglob("*.py"))]


def test_kivy_is_imported_only_by_the_app_and_screens() -> None:
    leaks = [
        rel
        for rel, path in modules()
        if any(n == "kivy" or n.startswith("kivy.") for n in imports_of(path))
        and not (rel == "kiosk/app.py" or rel.startswith("kiosk/screens/"))
    ]
    assert leaks == []


def test_core_does_not_import_screens_drivers_or_sync() -> None:
    bad = []
    for rel, path in modules():
        stem = Path(rel).stem if rel.count("/") == 1 else rel.split("/")[1]
        if stem not in CORE:
            continue
        for name in imports_of(path):
            if name.startswith(("kiosk.screens", "kiosk.drivers", "kiosk.sync", "kiosk.app", "kivy")):
                bad.append(f"{rel} imports {name}")
    assert bad == []


def test_the_scan_sees_the_app_importing_kivy() -> None:
    assert any(n.startswith("kivy") for n in imports_of(KIOSK / "screens" / "widgets.py"))

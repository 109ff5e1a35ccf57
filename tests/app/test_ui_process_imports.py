"""The UI process imports no agent code: everything it may ever import (every import statement
in kiosk/app.py and kiosk/screens/, also those inside functions, followed through the modules
they name) stays clear of the sync loop, enrolment and the updater. It asks the agent through
the state database instead (kiosk/device/agent_requests.py)."""

from __future__ import annotations

import ast
from pathlib import Path

KIOSK = Path(__file__).resolve().parents[2] / "kiosk"
AGENT_CODE = ("kiosk.sync.agent", "kiosk.sync.enrollment", "kiosk.sync.ui_requests", "kiosk.update")
UI_ROOTS = ["kiosk.app", *sorted(f"kiosk.screens.{p.stem}" for p in (KIOSK / "screens").glob("*.py"))]


def module_file(name: str) -> Path | None:
    base = KIOSK.parent.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def imports_of(name: str) -> set[str]:
    path = module_file(name)
    if path is None:
        return set()
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)  # `from pkg import mod`
    return {n for n in found if n.startswith("kiosk") and module_file(n) is not None}


def reachable(roots: list[str]) -> dict[str, str]:
    """Every kiosk module the roots can import, with the module that imports it first."""
    seen: dict[str, str] = {root: "" for root in roots}
    todo = list(roots)
    while todo:
        name = todo.pop()
        for imported in imports_of(name):
            parts = imported.split(".")
            for i in range(1, len(parts) + 1):  # importing a.b.c runs a/__init__ and a/b/__init__
                prefix = ".".join(parts[:i])
                if prefix not in seen and module_file(prefix) is not None:
                    seen[prefix] = name
                    todo.append(prefix)
    return seen


def test_the_ui_process_imports_no_agent_code() -> None:
    seen = reachable(UI_ROOTS)
    bad = [f"{name} (imported by {by})" for name, by in sorted(seen.items()) if name.startswith(AGENT_CODE)]
    assert bad == []


def test_the_scan_follows_imports_inside_functions() -> None:
    # kiosk/app.py imports the App only inside create_app, once Kivy is configured.
    assert "kiosk.screens.kiosk_app" in reachable(["kiosk.app"])
    assert "kiosk.sync.enrollment" in reachable(["kiosk.sync.ui_requests"])


def test_the_app_reads_its_settings_through_the_config_module_not_the_shell() -> None:
    imported = imports_of("kiosk.app")
    assert "kiosk.config" in imported
    assert [n for n in imported if n.startswith("kiosk.commands")] == []

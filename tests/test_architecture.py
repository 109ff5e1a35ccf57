"""Which part may use which (DESIGN.md, docs/architecture.md), checked on the source:

- Kivy only in kiosk/app.py and kiosk/screens/;
- the core rooms import no screen, sync or app code, and of drivers/ only the printer port and
  the ticket layout (DRIVER_PORTS);
- drivers/ imports none of the rooms that use it; sync/ imports no screen;
- the UI process (app.py, screens/) imports no agent code (the agent loop, the updater);
- central/ imports only kiosk.protocol from kiosk/, and kiosk/protocol/ nothing else of kiosk/;
- no import cycles between modules;
- no module over 400 lines, no function over 60 lines.

"Imports" means every import statement in a module, also inside functions, unless a rule says
module-level: what runs when the module is imported (not inside a function, not under
`if TYPE_CHECKING:`)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tests.fixtures_core import REPO

KIOSK = REPO / "kiosk"
PACKAGES = ("kiosk", "central", "bench")

# The core (DESIGN.md): rooms and root modules that import no screen, sync or app code. Each is
# the first path part under kiosk/: a folder, or a root module's stem.
CORE = ("queue", "catalogue", "outbox", "config", "config_build", "store", "i18n", "services")
# Rooms that reach the printer only through its port: the core, and the technician's actions.
PORT_USERS = (*CORE, "technician")
# What they may import of kiosk/drivers/: the printer port (TicketPrinter, PrinterStatus, …) and
# the ticket layout model; never a concrete driver. app.py and cli.py choose the drivers.
DRIVER_PORTS = frozenset({"kiosk.drivers.ports", "kiosk.drivers.layout"})
# Rooms that use drivers/, which drivers/ therefore must not import.
ABOVE_DRIVERS = ("queue", "catalogue", "sync", "update", "technician", "screens")
# Code that runs only in the agent process (kiosk-agent.service), never in the UI.
AGENT_CODE = ("kiosk.sync.agent", "kiosk.update")

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# "path" or "path::function" → why it may be longer. Empty, and it should stay so.
LONG_ALLOWED: Mapping[str, str] = {}


# --- the import graph -----------------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    target: str  # the module named, or the package when the name imported is not a module
    line: int
    module_level: bool  # runs when the importing module is imported


@dataclass(frozen=True)
class Module:
    name: str  # kiosk.queue.numbering
    rel: str  # kiosk/queue/numbering.py
    path: Path
    is_package: bool


def _name_of(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def all_modules() -> dict[str, Module]:
    found = {}
    for top in PACKAGES:
        for path in sorted((REPO / top).rglob("*.py")):
            name = _name_of(path)
            rel = str(path.relative_to(REPO))
            found[name] = Module(name, rel, path, path.name == "__init__.py")
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _from_base(module: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


@cache
def imports_of(name: str) -> tuple[Import, ...]:
    """Every import in module `name`, resolved to absolute module names."""
    module = all_modules()[name]
    known = all_modules()
    found: list[Import] = []

    def visit(node: ast.AST, deferred: bool) -> None:
        if isinstance(node, ast.Import):
            found.extend(Import(a.name, node.lineno, not deferred) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _from_base(module, node)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.append(Import(sub if sub in known else base, node.lineno, not deferred))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            deferred = True
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for stmt in node.body:
                visit(stmt, True)
            for stmt in node.orelse:
                visit(stmt, deferred)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, deferred)

    visit(ast.parse(module.path.read_text(encoding="utf-8")), False)
    return tuple(found)


def _under(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def module_level_graph() -> dict[str, set[str]]:
    """Module → the modules of this repository it imports at module level."""
    known = all_modules()
    return {
        name: {i.target for i in imports_of(name) if i.module_level and i.target in known} for name in known
    }


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts))]


def loaded_by(roots: Iterable[str]) -> dict[str, str]:
    """Every module importing `roots` loads (module-level imports and the packages around them),
    each with the module that first brought it in."""
    graph = module_level_graph()
    known = all_modules()
    seen: dict[str, str] = {}
    todo = [(root, "") for root in roots]
    while todo:
        name, via = todo.pop()
        if name in seen:
            continue
        seen[name] = via
        todo.extend((n, name) for n in graph[name] | {p for p in _parents(name) if p in known})
    return seen


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module, or a module importing itself
    (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph.get(v, ()):
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def _room(module: Module) -> str:
    """The first path part under kiosk/: a folder, or a root module's stem."""
    parts = Path(module.rel).parts
    return Path(parts[1]).stem if len(parts) > 1 else ""


def kiosk_modules(*rooms: str) -> list[Module]:
    return [
        m for m in all_modules().values() if m.name.startswith("kiosk.") and (not rooms or _room(m) in rooms)
    ]


def breaches(modules: Iterable[Module], forbidden: Iterable[str], allowed: Iterable[str] = ()) -> list[str]:
    forbidden, allowed = tuple(forbidden), tuple(allowed)
    found = {
        f"{m.rel}:{i.line} imports {i.target}"
        for m in modules
        for i in imports_of(m.name)
        if _under(i.target, forbidden) and not _under(i.target, allowed)
    }
    return sorted(found)


# --- the rules ------------------------------------------------------------------------------


def test_kivy_is_imported_only_by_the_app_and_screens() -> None:
    others = [m for m in kiosk_modules() if m.rel != "kiosk/app.py" and _room(m) != "screens"]
    assert breaches(others, ["kivy"]) == []


def test_core_does_not_import_screens_sync_or_the_app() -> None:
    forbidden = ["kiosk.screens", "kiosk.sync", "kiosk.app", "kivy"]
    assert breaches(kiosk_modules(*CORE), forbidden) == []


def test_core_reaches_drivers_only_through_the_printer_port() -> None:
    assert breaches(kiosk_modules(*PORT_USERS), ["kiosk.drivers"], allowed=DRIVER_PORTS) == []


def test_drivers_import_none_of_the_rooms_above_them() -> None:
    forbidden = [f"kiosk.{room}" for room in ABOVE_DRIVERS]
    assert breaches(kiosk_modules("drivers"), forbidden) == []


def test_sync_imports_no_screen() -> None:
    assert breaches(kiosk_modules("sync"), ["kiosk.screens", "kiosk.app", "kivy"]) == []


def ui_modules() -> list[Module]:
    return kiosk_modules("app", "screens")


def test_ui_code_imports_no_agent_code_even_inside_functions() -> None:
    assert breaches(ui_modules(), AGENT_CODE) == []


def test_the_ui_process_loads_no_agent_code() -> None:
    loaded = loaded_by(m.name for m in ui_modules())
    chains = []
    for name in sorted(n for n in loaded if _under(n, AGENT_CODE)):
        chain = [name]
        while loaded[chain[-1]]:
            chain.append(loaded[chain[-1]])
        chains.append(" ← ".join(chain))
    assert chains == []


def test_importing_the_ui_loads_no_agent_code(tmp_path: Path) -> None:
    # The same question asked of Python itself: import the app and every screen, then look.
    code = (
        "import importlib, pkgutil, sys\n"
        "import kiosk.app, kiosk.screens\n"
        "for info in pkgutil.iter_modules(kiosk.screens.__path__, 'kiosk.screens.'):\n"
        "    importlib.import_module(info.name)\n"
        "agent = ('kiosk.sync.agent', 'kiosk.update')\n"
        "print(sorted(n for n in sys.modules if n in agent or n.startswith('kiosk.update.')))\n"
    )
    env = {
        **os.environ,
        "KIVY_HOME": str(tmp_path / "kivy"),
        "KIVY_NO_ARGS": "1",
        "KIVY_NO_CONSOLELOG": "1",
        "KIVY_NO_FILELOG": "1",
        "SDL_VIDEODRIVER": os.environ.get("SDL_VIDEODRIVER", "offscreen"),
    }
    (tmp_path / "kivy").mkdir()
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_central_imports_only_the_protocol_from_kiosk() -> None:
    central = [m for m in all_modules().values() if m.name.startswith("central")]
    assert breaches(central, ["kiosk"], allowed=["kiosk.protocol"]) == []


def test_the_protocol_imports_nothing_else_of_kiosk() -> None:
    assert breaches(kiosk_modules("protocol"), ["kiosk"], allowed=["kiosk.protocol"]) == []


def test_no_import_cycles() -> None:
    assert cycles(module_level_graph()) == []


def test_no_module_over_400_lines() -> None:
    long = []
    for m in all_modules().values():
        lines = len(m.path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES and m.rel not in LONG_ALLOWED:
            long.append(f"{m.rel}: {lines} lines")
    assert long == []


def function_lengths(module: Module) -> list[tuple[str, int]]:
    """(qualified name, lines from `def` to the last line) of every function and method."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    found.append((name, (child.end_lineno or child.lineno) - child.lineno + 1))
                visit(child, f"{name}.")
            else:
                visit(child, prefix)

    visit(ast.parse(module.path.read_text(encoding="utf-8")), "")
    return found


def test_no_function_over_60_lines() -> None:
    long = [
        f"{m.rel}::{name}: {lines} lines"
        for m in all_modules().values()
        for name, lines in function_lengths(m)
        if lines > MAX_FUNCTION_LINES and f"{m.rel}::{name}" not in LONG_ALLOWED
    ]
    assert long == []


def test_every_allowance_says_why_and_is_still_needed() -> None:
    assert all(reason.strip() for reason in LONG_ALLOWED.values())
    modules = {m.rel: m for m in all_modules().values()}
    for key in LONG_ALLOWED:
        rel, _, function = key.partition("::")
        assert rel in modules, f"{key}: no such module"
        if function:
            assert dict(function_lengths(modules[rel])).get(function, 0) > MAX_FUNCTION_LINES, key
        else:
            assert len(modules[rel].path.read_text(encoding="utf-8").splitlines()) > MAX_MODULE_LINES, key


# --- the scan itself sees what it is looking for ----------------------------------------------


def test_the_scan_sees_the_app_importing_kivy() -> None:
    screens = all_modules()["kiosk.screens.widgets"]
    assert any(_under(i.target, ["kivy"]) for i in imports_of(screens.name))


def test_the_graph_sees_module_level_imports_and_their_packages() -> None:
    graph = module_level_graph()
    assert "kiosk.protocol.events" in graph["kiosk.outbox"]
    assert "central.store.contract" in graph["central.api.events"]
    loaded = loaded_by(["kiosk.outbox"])
    assert {"kiosk", "kiosk.protocol", "kiosk.protocol.events"} <= set(loaded)


def test_imports_inside_functions_and_type_checking_are_not_module_level() -> None:
    bench = [i for i in imports_of("bench.bench_queue") if _under(i.target, ["kiosk.app"])]
    assert bench and not any(i.module_level for i in bench)  # the bench imports the app lazily
    typing_only = [i for i in imports_of("central.context") if i.target == "central.api.dossiers"]
    assert typing_only and not any(i.module_level for i in typing_only)  # under TYPE_CHECKING
    tx = [i for i in imports_of("kiosk.protocol.transactions") if i.target == "sqlite3"]
    assert tx and all(i.module_level for i in tx)


def test_cycles_are_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d"}, "e": {"a"}}
    assert cycles(graph) == [["a", "b", "c"], ["d"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_function_lengths_count_from_def_to_last_line() -> None:
    lengths = dict(function_lengths(all_modules()["kiosk.protocol.errors"]))
    assert lengths["CatalogueError.__init__"] == 3

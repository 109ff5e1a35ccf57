"""The demo site's data: its settings file, its catalogue, and seeding a state directory with
them. Read by `make run` (kiosk/demo.py, kiosk/demo_stack.py), `kiosk screenshot`, the benches
and the tests; imports nothing of the demo's running parts."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3

DEMO_DIR = Path(str(resources.files("kiosk").joinpath("data/demo"))).resolve()
DEMO_CONFIG = DEMO_DIR / "kiosk.toml"
DEMO_CATALOGUE = DEMO_DIR / "catalogue.json"


def seed_state(state_dir: Path, catalogue: Path = DEMO_CATALOGUE) -> None:
    """Put the demo data into a state directory (idempotent): the demo catalogue is imported
    when the file exists and the state holds no catalogue of that version or newer."""
    from kiosk import store

    state_dir.mkdir(parents=True, exist_ok=True)
    db = store.open_state(state_dir)
    try:
        if catalogue.exists():
            seed_catalogue(db, catalogue)
    finally:
        db.close()


def seed_catalogue(db: sqlite3.Connection, path: Path) -> bool:
    """Import the catalogue at `path` unless this version (or a newer one, e.g. synced from the
    server) is already there; True when it was imported. A broken file raises CatalogueError."""
    from kiosk.catalogue.store import catalogue_version, import_catalogue

    document = json.loads(path.read_text(encoding="utf-8"))
    current = catalogue_version(db)
    version = document.get("version") if isinstance(document, dict) else None
    if current is not None and isinstance(version, int) and version <= current:
        return False
    import_catalogue(db, document, source="demo")
    return True

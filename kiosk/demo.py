"""The demo site: `make run` shows a working kiosk with no hardware: the virtual printer, a local
central server and the sync agent are started beside it (kiosk/demo_stack.py).

`python -m kiosk.demo [kiosk run options]` keeps its state in ./var."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

DEMO_DIR = Path(str(resources.files("kiosk").joinpath("data/demo"))).resolve()
DEMO_CONFIG = DEMO_DIR / "kiosk.toml"


def seed_state(state_dir: Path) -> None:
    """Put the demo data into a state directory (idempotent)."""
    from kiosk import store

    state_dir.mkdir(parents=True, exist_ok=True)
    db = store.open_state(state_dir)
    db.conn.close()


def main(argv: list[str] | None = None) -> int:
    from kiosk.demo_stack import run_demo

    return run_demo(list(argv if argv is not None else sys.argv[1:]))


if __name__ == "__main__":
    raise SystemExit(main())

"""The demo site: `make run` shows a working kiosk with no hardware and no server of its own.

`python -m kiosk.demo` keeps its state in ./var/demo, seeds the demo data once, and starts the
kiosk windowed on the demo site."""

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
    from kiosk.cli import main as kiosk_main

    state = Path("var/demo").resolve()
    seed_state(state)
    args = ["--config", str(DEMO_CONFIG), "--state-dir", str(state), "run", "--windowed"]
    return kiosk_main(args + list(argv if argv is not None else sys.argv[1:]))


if __name__ == "__main__":
    raise SystemExit(main())

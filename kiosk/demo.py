"""The demo: `make run` shows a working kiosk with no hardware: the virtual printer, a local
central server and the sync agent are started beside it (kiosk/demo_stack.py), on the demo
site's data (kiosk/demo_site.py).

`python -m kiosk.demo [kiosk run options]` keeps its state in ./var."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from kiosk.demo_stack import run_demo

    return run_demo(list(argv if argv is not None else sys.argv[1:]))


if __name__ == "__main__":
    raise SystemExit(main())

"""Shared fixtures. Each feature keeps its fixtures in tests/fixtures_<feature>.py, listed here."""

from __future__ import annotations

import os

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")

pytest_plugins = [
    "tests.fixtures_core",
    "tests.fixtures_ui",
    "tests.fixtures_queue",
    "tests.fixtures_catalogue",
    "tests.fixtures_printing",
    "tests.fixtures_updates",
    "tests.fixtures_central",
    "tests.fixtures_postgres",
    "tests.fixtures_lookup",
    "tests.fixtures_calling",
]

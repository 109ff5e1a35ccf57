"""Shared fixtures. Each feature keeps its own fixtures in tests/fixtures_<feature>.py, listed here."""

from __future__ import annotations

import os

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")

pytest_plugins = [
    "tests.fixtures_core",
    "tests.fixtures_central",
]

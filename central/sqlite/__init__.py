"""The SQLite implementation of `central.storage.CentralStore`: one file, one machine, a
province's fleet. Each part (devices, events, catalogue, rollouts, console, attempts) is a
mixin over one connection pool."""

from __future__ import annotations

from central.sqlite.attempts import AttemptsPart
from central.sqlite.catalogue import CataloguePart
from central.sqlite.console import ConsolePart
from central.sqlite.devices import DevicesPart
from central.sqlite.events import EventsPart
from central.sqlite.rollouts import RolloutsPart


class SQLiteStore(DevicesPart, EventsPart, CataloguePart, RolloutsPart, ConsolePart, AttemptsPart):
    """`SQLiteStore(path)` opens (creating and migrating) the database file."""


__all__ = ["SQLiteStore"]

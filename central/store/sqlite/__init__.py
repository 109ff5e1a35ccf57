"""The SQLite implementation of `central.store.contract.CentralStore`: one file, one machine, a
province's fleet. Each part (devices, events, catalogue, rollouts, console, attempts, calling,
staff) is a mixin over one connection pool."""

from __future__ import annotations

from central.store.sqlite.attempts import AttemptsPart
from central.store.sqlite.calling import CallingPart
from central.store.sqlite.calling_reads import CallingReadsPart
from central.store.sqlite.catalogue import CataloguePart
from central.store.sqlite.console import ConsolePart
from central.store.sqlite.devices import DevicesPart
from central.store.sqlite.events import EventsPart
from central.store.sqlite.heartbeat import HeartbeatPart
from central.store.sqlite.rollouts import RolloutsPart
from central.store.sqlite.staff import StaffPart


class SQLiteStore(
    DevicesPart,
    EventsPart,
    HeartbeatPart,
    CataloguePart,
    RolloutsPart,
    ConsolePart,
    AttemptsPart,
    CallingPart,
    CallingReadsPart,
    StaffPart,
):
    """`SQLiteStore(path)` opens (creating and migrating) the database file."""

    over_network = False


__all__ = ["SQLiteStore"]

"""The PostgreSQL implementation of `central.store.contract.CentralStore`: one database that any
number of `kiosk-central` instances share, for a province or a nation. Each part (devices,
events, catalogue, rollouts, console, attempts, calling,
staff) is a mixin over one connection pool
(base.PostgresBase), as in central/store/sqlite/; a new group of store methods is one more
module here with its mixin class, listed in `PostgresStore`'s bases, and its tables in a new
numbered file in migrations/."""

from __future__ import annotations

from central.store.postgres.attempts import AttemptsPart
from central.store.postgres.calling import CallingPart
from central.store.postgres.calling_reads import CallingReadsPart
from central.store.postgres.catalogue import CataloguePart
from central.store.postgres.console import ConsolePart
from central.store.postgres.devices import DevicesPart
from central.store.postgres.events import EventsPart
from central.store.postgres.heartbeat import HeartbeatPart
from central.store.postgres.rollouts import RolloutsPart
from central.store.postgres.staff import StaffPart


class PostgresStore(
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
    """`PostgresStore(target)` connects, migrates (unless `migrate=False`; then the schema must be
    current) and opens a pool; see central/store/open.py for choosing it by URL."""

    over_network = True


__all__ = ["PostgresStore"]

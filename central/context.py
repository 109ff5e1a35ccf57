"""What every endpoint reaches: the store, the dossier source, the releases directory, the
clock. Built once by `create_app` and kept on `app.state`; endpoints get it by dependency."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import Request

from central.store.contract import CentralStore

if TYPE_CHECKING:
    from central.api.dossiers import DossierSource


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Central:
    store: CentralStore
    dossiers: DossierSource
    releases_dir: Path
    clock: Callable[[], datetime] = utc_now
    # The console shows a kiosk offline after this long without a heartbeat (three missed
    # beats at the default interval of 60 s).
    offline_after_s: float = 180.0
    # Encoded full catalogue answers by version: hundreds of kiosks ask for the same bytes.
    full_catalogue_cache: dict[int, bytes] = field(default_factory=dict)


async def central(request: Request) -> Central:
    ctx: Central = request.app.state.central
    return ctx

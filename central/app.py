"""The FastAPI application: `create_app(store, …)` wires the store, the dossier source and the
releases directory into the device protocol, the release files, the admin API and the fleet
console."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from central import __version__, console, errors
from central.admin import rollouts as admin_rollouts
from central.admin import routes as admin_api
from central.api import routes as device_api
from central.api.dossiers import DossierSource, ImportedDossiers
from central.body_limit import BodyLimit
from central.calling import mount as calling
from central.context import Central, utc_now
from central.fleet import releases
from central.store.contract import CentralStore
from central.store.sqlite import SQLiteStore


def create_app(
    store: CentralStore,
    releases_dir: Path,
    *,
    dossiers: DossierSource | None = None,
    clock: Callable[[], datetime] = utc_now,
    offline_after_s: float = 180.0,
    voice_pack: Path | None = None,
) -> FastAPI:
    """The server's ASGI app; uvicorn serves it (`kiosk-central serve`), tests start it too."""
    app = FastAPI(
        title="Kiosk central server",
        version=__version__,
        description="Protocol v1 between kiosks and their central server (docs/protocol.md), "
        "and the admin API for operators.",
    )
    app.state.central = Central(
        store=store,
        dossiers=dossiers if dossiers is not None else ImportedDossiers(store),
        releases_dir=releases_dir,
        clock=clock,
        offline_after_s=offline_after_s,
    )
    errors.install(app)
    app.include_router(device_api.router)
    app.include_router(releases.router)
    app.include_router(admin_api.router)
    app.include_router(admin_rollouts.router)
    console.install(app)
    calling.install(app, voice_pack=voice_pack)
    app.add_middleware(BodyLimit)
    return app


def openapi_document() -> dict[str, Any]:
    """The server's OpenAPI document (docs/openapi.json is this, kept in step by a test)."""
    with tempfile.TemporaryDirectory() as scratch:
        store = SQLiteStore(Path(scratch) / "schema.db")
        try:
            document: dict[str, Any] = create_app(store, Path(scratch)).openapi()
        finally:
            store.close()
    return document

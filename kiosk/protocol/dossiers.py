"""A dossier's status as GET /api/v1/dossiers/{code} reports it (docs/protocol.md): the one
list the server's schema and the kiosk's answer check both use."""

from __future__ import annotations

from typing import Literal, get_args

DossierStatus = Literal[
    "received",
    "processing",
    "supplement_required",
    "awaiting_payment",
    "ready",
    "returned",
    "rejected",
]
DOSSIER_STATUSES: frozenset[str] = frozenset(get_args(DossierStatus))

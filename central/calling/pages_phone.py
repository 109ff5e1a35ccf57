"""The ticket on the citizen's phone: /p/DAY/TICKET/TOKEN, the page the ticket's QR code opens.
The token is checked against the issuing kiosk's link key (kiosk/protocol/ticket_link.py); a
wrong or missing one is a plain 404, the same as an unknown ticket. Nothing personal is shown."""

from __future__ import annotations

import hmac
import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response

from central.api.models import ErrorBody
from central.calling.actions import calling_store
from central.calling.render import page
from central.calling.views import phone_view
from central.context import Central, central
from central.errors import ApiError
from central.store.calling import CallingTicket
from central.store.contract import Site
from kiosk.protocol.ticket_link import ticket_token

router = APIRouter()
Ctx = Annotated[Central, Depends(central)]
Day = Annotated[str, Path(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Ticket = Annotated[str, Path(pattern=r"^[A-Z]{1,2}[0-9]{1,4}$")]
Token = Annotated[str, Path(min_length=1, max_length=64)]
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{22}$")
_404: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody}, 422: {"model": ErrorBody}}


def _find(ctx: Central, day: str, ticket: str, token: str) -> tuple[Site, CallingTicket]:
    if _TOKEN.match(token):
        for site_id, found, key in calling_store(ctx).find_tickets(day, ticket):
            if key and hmac.compare_digest(ticket_token(key, day, ticket), token):
                site = ctx.store.get_site(site_id)
                if site is not None:
                    return site, found
    raise ApiError(404, "ticket_unknown", "no ticket with this link")


@router.get("/p/{day}/{ticket}/{token}", include_in_schema=False)
def phone_page(day: Day, ticket: Ticket, token: Token, ctx: Ctx) -> Response:
    site, found = _find(ctx, day, ticket, token)
    view = phone_view(ctx, site, day, found)
    settings = json.dumps({"site": site.id, "state": f"/api/v1/calling/tickets/{day}/{ticket}/{token}"})
    return page("phone.html", view=view, settings=settings)


@router.get("/api/v1/calling/tickets/{day}/{ticket}/{token}", tags=["calling"], responses=_404)
def phone_state(day: Day, ticket: Ticket, token: Token, ctx: Ctx) -> dict[str, Any]:
    """One ticket as its phone page shows it: state, counter, people ahead, the number served."""
    site, found = _find(ctx, day, ticket, token)
    return phone_view(ctx, site, day, found)

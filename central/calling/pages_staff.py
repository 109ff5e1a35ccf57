"""The console's page for counter officers (/console/staff): operators add officers to an office
with a role and a password (scrypt, as their own), change them, remove them."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from central.calling import labels
from central.calling.actions import calling_store
from central.console.passwords import WeakPassword, hash_password
from central.console.render import page
from central.console.session import checked_operator, current_operator
from central.context import Central, central
from central.store.contract import UnknownSite

router = APIRouter(prefix="/console/staff", include_in_schema=False)
Ctx = Annotated[Central, Depends(central)]
Text = Annotated[str, Form(max_length=200)]
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
SAVED = {"saved": "Đã lưu cán bộ.", "removed": "Đã xóa cán bộ."}


def _page(request: Request, ctx: Central, operator: str, error: str = "", status: int = 200) -> Response:
    sites = ctx.store.list_sites()
    return page(
        request,
        ctx,
        "staff.html",
        operator=operator,
        section="staff",
        status_code=status,
        sites=sites,
        site_names={s.id: s.name for s in sites},
        staff=calling_store(ctx).list_staff(),
        roles=labels.ROLES,
        error=error,
        saved=SAVED.get(request.query_params.get("saved", ""), ""),
    )


@router.get("")
def staff_page(request: Request, ctx: Ctx, operator: Annotated[str, Depends(current_operator)]) -> Response:
    return _page(request, ctx, operator)


@router.post("")
def save_staff(
    request: Request,
    ctx: Ctx,
    operator: Annotated[str, Depends(checked_operator)],
    site: Text = "",
    name: Text = "",
    role: Text = "officer",
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    if not _NAME.match(name) or role not in labels.ROLES:
        return _page(request, ctx, operator, "Tên đăng nhập chỉ gồm chữ thường, số, '.', '_' hoặc '-'.", 422)
    try:
        calling_store(ctx).set_staff(site, name, role, hash_password(password), ctx.clock())  # type: ignore[arg-type]
    except WeakPassword:
        return _page(request, ctx, operator, "Mật khẩu cần ít nhất 10 ký tự.", 422)
    except UnknownSite:
        return _page(request, ctx, operator, "Không có điểm này.", 422)
    return RedirectResponse("/console/staff?saved=saved", status_code=303)


@router.post("/remove")
def remove_staff(
    ctx: Ctx, operator: Annotated[str, Depends(checked_operator)], site: Text = "", name: Text = ""
) -> Response:
    calling_store(ctx).remove_staff(site, name)
    return RedirectResponse("/console/staff?saved=removed", status_code=303)

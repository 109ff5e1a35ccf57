"""Catalogue versions with publishing, and enrollment codes, in the console."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from central.api import catalogue
from central.auth import issue_enrollment_code
from central.console.render import page
from central.console.session import checked_operator, current_operator
from central.context import Central, central
from central.store.contract import PublishOutcome, VersionConflict

router = APIRouter()
Ctx = Annotated[Central, Depends(central)]
Operator = Annotated[str, Depends(current_operator)]
Checked = Annotated[str, Depends(checked_operator)]
MAX_PROBLEMS = 200


def catalogue_page(
    request: Request,
    ctx: Central,
    operator: str,
    *,
    problems: list[tuple[str, str]] | None = None,
    total: int = 0,
    error: str = "",
    published: PublishOutcome | None = None,
    status_code: int = 200,
) -> Response:
    values: dict[str, Any] = {
        "versions": ctx.store.list_catalogue_versions(50),
        "problems": problems or [],
        "total": total,
        "error": error,
        "published": published,
    }
    return page(
        request,
        ctx,
        "catalogue.html",
        operator=operator,
        section="catalogue",
        status_code=status_code,
        **values,
    )


@router.get("/catalogue", response_class=HTMLResponse)
def get_catalogue(request: Request, ctx: Ctx, operator: Operator) -> Response:
    return catalogue_page(request, ctx, operator)


@router.post("/catalogue", response_class=HTMLResponse)
def publish_catalogue(
    request: Request, ctx: Ctx, operator: Checked, file: Annotated[UploadFile, File()]
) -> Response:
    """Publish an uploaded kiosk-catalogue/1 file; every broken rule is listed, nothing is
    published unless the whole document is valid."""
    try:
        doc = json.loads(file.file.read().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        error = f"Tệp không phải JSON hợp lệ (UTF-8): {exc}"
        return catalogue_page(request, ctx, operator, error=error, status_code=422)
    try:
        outcome = catalogue.publish(ctx.store, doc, ctx.clock())
    except catalogue.InvalidCatalogue as exc:
        return catalogue_page(
            request,
            ctx,
            operator,
            problems=exc.problems[:MAX_PROBLEMS],
            total=len(exc.problems),
            error="Danh mục không hợp lệ; chưa phát hành.",
            status_code=422,
        )
    except VersionConflict as exc:
        error = f"Phiên bản phải lớn hơn phiên bản đã phát hành ({exc})."
        return catalogue_page(request, ctx, operator, error=error, status_code=409)
    return catalogue_page(request, ctx, operator, published=outcome)


def enrolment_page(
    request: Request, ctx: Central, operator: str, *, issued: dict[str, Any] | None = None, error: str = ""
) -> Response:
    sites = ctx.store.list_sites()
    values: dict[str, Any] = {
        "sites": sites,
        "site_names": {s.id: s.name for s in sites},
        "codes": ctx.store.list_enrollment_codes(ctx.clock()),
        "issued": issued,
        "error": error,
        "server_url": str(request.base_url).rstrip("/"),
    }
    status = 422 if error else 201 if issued else 200
    return page(
        request, ctx, "enrolment.html", operator=operator, section="enrolment", status_code=status, **values
    )


@router.get("/enrolment", response_class=HTMLResponse)
def get_enrolment(request: Request, ctx: Ctx, operator: Operator) -> Response:
    return enrolment_page(request, ctx, operator)


@router.post("/enrolment", response_class=HTMLResponse)
def create_code(
    request: Request,
    ctx: Ctx,
    operator: Checked,
    site: Annotated[str, Form(max_length=100)],
    hours: Annotated[str, Form(max_length=10)] = "24",
) -> Response:
    """A single-use code for a new kiosk; shown once (only its hash is kept)."""
    try:
        ttl_h = float(hours.replace(",", "."))
    except ValueError:
        ttl_h = 0
    if ctx.store.get_site(site) is None:
        return enrolment_page(request, ctx, operator, error="Chọn một điểm (cơ quan) có trong danh sách.")
    if not 1 <= ttl_h <= 720:
        return enrolment_page(request, ctx, operator, error="Thời hạn từ 1 đến 720 giờ.")
    code, expires = issue_enrollment_code(ctx.store, site, int(ttl_h * 3600), ctx.clock())
    return enrolment_page(request, ctx, operator, issued={"code": code, "site": site, "expires_at": expires})

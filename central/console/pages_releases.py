"""Releases and staged rollouts in the console: what is published, the current rollout's
progress and halt state, and the operator's actions (central/fleet/rollouts.py does the work)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from central.console.render import page
from central.console.session import checked_operator, current_operator
from central.context import Central, central
from central.fleet import policy as rollout_policy
from central.fleet import rollouts
from central.fleet.policy import RolloutError
from central.fleet.releases import list_releases
from central.store.contract import Rollout, RolloutPlan

router = APIRouter()
Ctx = Annotated[Central, Depends(central)]
Operator = Annotated[str, Depends(current_operator)]
Checked = Annotated[str, Depends(checked_operator)]
RolloutId = Annotated[int, Path(ge=1, le=2**53)]


REFUSALS = {
    "invalid": "Yêu cầu không hợp lệ",
    "release_unknown": "Phiên bản chưa được phát hành trên máy chủ",
    "rollout_unknown": "Không có đợt triển khai này",
    "conflict": "Trạng thái hiện tại không cho phép thao tác này",
}


def refusal(exc: RolloutError) -> str:
    """The Vietnamese reason first, the server's exact words after it."""
    return f"{REFUSALS[exc.kind]}: {exc}"


def _names(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n.strip() for n in text.replace("\n", ",").split(",") if n.strip()))


def releases_page(
    request: Request, ctx: Central, operator: str, error: str = "", form: Any = None
) -> Response:
    published = list_releases(ctx.releases_dir)
    history = ctx.store.list_rollouts(20)
    current = next((r for r in history if r.state != "done"), None)
    sites = ctx.store.list_sites()
    values: dict[str, Any] = {
        "releases": published,
        "rollback_versions": [
            r["version"] for r in published if r["manifest"] and r["manifest"].get("rollback")
        ],
        "current": rollouts.status(ctx.store, current) if current else None,
        "history": history,
        "sites": sites,
        "site_names": {s.id: s.name for s in sites},
        "error": error,
        "form": form or {"stages": "10,50,100", "threshold": "20", "min_results": "3"},
        "allowed": _allowed(current) if current else set(),
    }
    status = 422 if error else 200
    return page(
        request, ctx, "releases.html", operator=operator, section="releases", status_code=status, **values
    )


def _allowed(rollout: Rollout) -> set[str]:
    """The actions the rollout's state allows: only those get a button."""
    allowed = set()
    for action in ("advance", "pause", "resume"):
        try:
            rollout_policy.transition(rollout, action)
            allowed.add(action)
        except RolloutError:
            pass
    if rollout.state in ("running", "paused", "halted"):
        allowed.add("rollback")
    return allowed


@router.get("/releases", response_class=HTMLResponse)
def get_releases(request: Request, ctx: Ctx, operator: Operator) -> Response:
    return releases_page(request, ctx, operator)


@router.post("/rollouts", response_class=HTMLResponse)
def start_rollout(
    request: Request,
    ctx: Ctx,
    operator: Checked,
    version: Annotated[str, Form(max_length=50)],
    stages: Annotated[str, Form(max_length=200)] = "10,50,100",
    canary_devices: Annotated[str, Form(max_length=20_000)] = "",
    canary_sites: Annotated[list[str] | None, Form()] = None,
    threshold: Annotated[str, Form(max_length=10)] = "20",
    min_results: Annotated[str, Form(max_length=10)] = "3",
) -> Response:
    """Start a rollout from the form; a refusal is shown on the page with what was typed."""
    form: dict[str, Any] = {"version": version, "stages": stages, "canary_devices": canary_devices}
    form.update(threshold=threshold, min_results=min_results, canary_sites=canary_sites or [])
    try:
        plan = RolloutPlan(
            version=version,
            stages=tuple(int(s) for s in _names(stages)),
            canary_devices=_names(canary_devices),
            canary_sites=tuple(canary_sites or ()),
            failure_threshold=float(threshold.replace(",", ".")) / 100,
            min_results=int(min_results),
            started_by=operator,
        )
    except ValueError:
        error = "Giai đoạn, ngưỡng lỗi và số kết quả tối thiểu phải là số (ví dụ 10,50,100; 20; 3)."
        return releases_page(request, ctx, operator, error, form)
    try:
        rollouts.start(ctx.store, ctx.releases_dir, plan, ctx.clock())
    except RolloutError as exc:
        return releases_page(request, ctx, operator, refusal(exc), form)
    return RedirectResponse("/console/releases?done=rollout_started", status_code=303)


@router.post("/rollouts/{rollout_id}/{action}", response_class=HTMLResponse)
def act(
    request: Request,
    rollout_id: RolloutId,
    action: Literal["advance", "pause", "resume", "rollback"],
    ctx: Ctx,
    operator: Checked,
    to: Annotated[str, Form(max_length=50)] = "",
) -> Response:
    try:
        if action == "rollback":
            rollouts.roll_back(ctx.store, ctx.releases_dir, rollout_id, to, ctx.clock())
        else:
            rollouts.act(ctx.store, rollout_id, action, ctx.clock())
    except RolloutError as exc:
        return releases_page(request, ctx, operator, refusal(exc))
    return RedirectResponse(f"/console/releases?done=rollout_{action}", status_code=303)

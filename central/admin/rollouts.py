"""The admin API for releases and staged rollouts (operator tokens): list the releases the server
serves, start a rollout, its status, advance, pause, resume, roll back. The same operations as
`kiosk-central rollout …` and the fleet console (central/fleet/rollouts.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from central.admin.models import ReleaseView, RollbackRequest, RolloutStart, RolloutView
from central.api.models import BODY_ERRORS, MAX_INT, ErrorBody
from central.auth import current_admin
from central.context import Central, central
from central.errors import ApiError
from central.fleet import rollouts
from central.fleet.policy import Action, RolloutError
from central.fleet.releases import list_releases
from central.store.contract import Rollout, RolloutPlan

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])
Ctx = Annotated[Central, Depends(central)]
Operator = Annotated[str, Depends(current_admin)]
RolloutId = Annotated[int, Path(ge=1, le=MAX_INT)]
_E: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody},
    404: {"model": ErrorBody},
    409: {"model": ErrorBody},
    422: {"model": ErrorBody},
}
_B = {**_E, **BODY_ERRORS}
_STATUS = {"invalid": 422, "release_unknown": 404, "rollout_unknown": 404, "conflict": 409}
_CODE = {
    "invalid": "invalid_rollout",
    "release_unknown": "release_unknown",
    "rollout_unknown": "rollout_unknown",
    "conflict": "rollout_conflict",
}


def api_error(exc: RolloutError) -> ApiError:
    """The admin API's answer to a refused rollout operation."""
    return ApiError(_STATUS[exc.kind], _CODE[exc.kind], str(exc))


def _view(ctx: Central, rollout: Rollout) -> dict[str, Any]:
    return rollouts.status(ctx.store, rollout).as_json()


@router.get("/releases", response_model=list[ReleaseView], responses={401: {"model": ErrorBody}})
def get_releases(ctx: Ctx, operator: Operator) -> list[dict[str, Any]]:
    """The releases this server serves, newest first, with their signed manifests."""
    return list_releases(ctx.releases_dir)


@router.get("/rollouts", response_model=list[RolloutView], responses=_E)
def get_rollouts(
    ctx: Ctx, operator: Operator, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> list[dict[str, Any]]:
    """Rollouts, newest first; the first one not `done` is the current one."""
    return [_view(ctx, r) for r in ctx.store.list_rollouts(limit)]


@router.post("/rollouts", status_code=201, response_model=RolloutView, responses=_B)
def start_rollout(body: RolloutStart, ctx: Ctx, operator: Operator) -> dict[str, Any]:
    """Start rolling out a published version: the canary first, then the stages' percentages."""
    plan = RolloutPlan(
        version=body.version,
        stages=tuple(body.stages),
        canary_devices=tuple(body.canary.devices),
        canary_sites=tuple(body.canary.sites),
        failure_threshold=body.failure_threshold,
        min_results=body.min_results,
        advance_after_ok=body.advance_after_ok,
        started_by=operator,
    )
    try:
        return _view(ctx, rollouts.start(ctx.store, ctx.releases_dir, plan, ctx.clock()))
    except RolloutError as exc:
        raise api_error(exc) from None


@router.get("/rollouts/{rollout_id}", response_model=RolloutView, responses=_E)
def get_rollout(rollout_id: RolloutId, ctx: Ctx, operator: Operator) -> dict[str, Any]:
    """One rollout with its counts and latest failures."""
    try:
        return _view(ctx, rollouts.get(ctx.store, rollout_id))
    except RolloutError as exc:
        raise api_error(exc) from None


def _act(ctx: Central, rollout_id: int, action: Action) -> dict[str, Any]:
    try:
        return _view(ctx, rollouts.act(ctx.store, rollout_id, action, ctx.clock()))
    except RolloutError as exc:
        raise api_error(exc) from None


@router.post("/rollouts/{rollout_id}/advance", response_model=RolloutView, responses=_E)
def advance_rollout(rollout_id: RolloutId, ctx: Ctx, operator: Operator) -> dict[str, Any]:
    """Move a running rollout to its next stage."""
    return _act(ctx, rollout_id, "advance")


@router.post("/rollouts/{rollout_id}/pause", response_model=RolloutView, responses=_E)
def pause_rollout(rollout_id: RolloutId, ctx: Ctx, operator: Operator) -> dict[str, Any]:
    """Stop offering the release until resumed."""
    return _act(ctx, rollout_id, "pause")


@router.post("/rollouts/{rollout_id}/resume", response_model=RolloutView, responses=_E)
def resume_rollout(rollout_id: RolloutId, ctx: Ctx, operator: Operator) -> dict[str, Any]:
    """Resume a paused or halted rollout (after looking at its failures)."""
    return _act(ctx, rollout_id, "resume")


@router.post("/rollouts/{rollout_id}/rollback", response_model=RolloutView, responses=_B)
def rollback_rollout(
    rollout_id: RolloutId, body: RollbackRequest, ctx: Ctx, operator: Operator
) -> dict[str, Any]:
    """Offer an older version, signed with rollback: true, to the devices that took this one."""
    try:
        return _view(ctx, rollouts.roll_back(ctx.store, ctx.releases_dir, rollout_id, body.to, ctx.clock()))
    except RolloutError as exc:
        raise api_error(exc) from None

"""Staged rollouts as operators and kiosks meet them: start, the heartbeat's offer, the review
after update results arrive, advance, pause, resume, roll back and status.

Each function takes the store (`central.store.contract.CentralStore`) and, where a release must exist,
the releases directory the server serves; the rules themselves are central/fleet/policy.py.
The admin API, the fleet console and `kiosk-central rollout …` all call these, so they act the
same way on the same data. Changes are compare-and-set: an operator acting on a rollout that
changed meanwhile (another operator, an automatic halt) gets a conflict, never a lost update."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from central.fleet import policy
from central.fleet.bundles import published_envelope
from central.fleet.policy import RolloutError as RolloutError  # raised by every operation
from central.store.contract import (
    CentralStore,
    Rollout,
    RolloutChange,
    RolloutChanged,
    RolloutCounts,
    RolloutPlan,
    RolloutResult,
)


@dataclass(frozen=True)
class RolloutStatus:
    """A rollout with its figures: results reported, devices its stage reaches now (`targeted`),
    devices already running its version, and the latest failures."""

    rollout: Rollout
    counts: RolloutCounts
    targeted: int
    on_version: int
    fleet: int
    failures: list[RolloutResult]

    def as_json(self) -> dict[str, Any]:
        """The admin API's and the CLI's form (admin_models.RolloutView)."""
        r = self.rollout
        return {
            "id": r.id,
            "version": r.version,
            "state": r.state,
            "stages": list(r.stages),
            "stage": r.stage,
            "percent": r.percent,
            "canary": {"devices": list(r.canary_devices), "sites": list(r.canary_sites)},
            "failure_threshold": r.failure_threshold,
            "min_results": r.min_results,
            "advance_after_ok": r.advance_after_ok,
            "rollback_to": r.rollback_to,
            "reason": r.reason,
            "started_by": r.started_by,
            "created_at": r.created_at.isoformat(),
            "updated_at": r.updated_at.isoformat(),
            "ok": self.counts.ok,
            "failed": self.counts.failed,
            "targeted": self.targeted,
            "on_version": self.on_version,
            "fleet": self.fleet,
            "failures": [
                {"device_id": f.device_id, "stage": f.stage, "detail": f.detail, "at": f.at.isoformat()}
                for f in self.failures
            ],
        }


def start(store: CentralStore, releases_dir: Path, plan: RolloutPlan, now: datetime) -> Rollout:
    """Start rolling out a published version; it replaces a current rollout only once that one
    stopped moving (see `rollout_policy.check_replaceable`)."""
    if published_envelope(releases_dir, plan.version) is None:
        raise RolloutError(f"version {plan.version} is not published; publish it first", "release_unknown")
    policy.check_plan(plan)
    unknown = [d for d in plan.canary_devices if store.get_device(d) is None]
    unknown += [s for s in plan.canary_sites if store.get_site(s) is None]
    if unknown:
        raise RolloutError(f"the canary names no device or site {', '.join(unknown)}", "invalid")
    current = store.current_rollout()
    policy.check_replaceable(current)
    try:
        return store.create_rollout(plan, current, now)
    except RolloutChanged as exc:
        raise RolloutError(str(exc), "conflict") from None


def release_for(store: CentralStore, device_id: str, site_id: str, app_version: str | None) -> str | None:
    """The version the device should install now, or None (the heartbeat's `release`)."""
    rollout = store.current_rollout()
    if rollout is None:
        return None
    reported = store.rollout_results(rollout.id, device_id, limit=1)
    return offered(rollout, reported[0] if reported else None, device_id, site_id, app_version)


def offered(
    rollout: Rollout | None,
    reported: RolloutResult | None,
    device_id: str,
    site_id: str,
    app_version: str | None,
) -> str | None:
    """`release_for` from what the store gave: the current rollout and the device's result in it."""
    if rollout is None:
        return None
    version = policy.target(rollout, device_id, site_id, app_version)
    # A device whose update failed (and rolled back by itself) is not made to try again; one
    # that will try again by itself (a damaged file, a full disk) is still offered it.
    if version == rollout.version and reported and not reported.ok and not reported.retrying:
        return None
    return version


def review(store: CentralStore, now: datetime) -> Rollout | None:
    """Halt or advance the current rollout as its figures say (after update results arrived).
    Losing a race to an operator's change is fine: the next result reviews again."""
    rollout = store.current_rollout()
    if rollout is None:
        return None
    change = policy.verdict(rollout, store.rollout_counts(rollout.id))
    if change is None:
        return rollout
    try:
        return store.update_rollout(rollout, change, now)
    except RolloutChanged:
        return store.get_rollout(rollout.id)


def get(store: CentralStore, rollout_id: int) -> Rollout:
    rollout = store.get_rollout(rollout_id)
    if rollout is None:
        raise RolloutError(f"no rollout {rollout_id}", "rollout_unknown")
    return rollout


def act(store: CentralStore, rollout_id: int, action: policy.Action, now: datetime) -> Rollout:
    """An operator's advance, pause or resume."""
    rollout = get(store, rollout_id)
    return _apply(store, rollout, policy.transition(rollout, action), now)


def roll_back(
    store: CentralStore, releases_dir: Path, rollout_id: int, to_version: str, now: datetime
) -> Rollout:
    """Offer `to_version` (published, signed with rollback: true) to the devices that installed
    the rollout's version; the others are left alone."""
    envelope = published_envelope(releases_dir, to_version)
    if envelope is None:
        raise RolloutError(f"version {to_version} is not published", "release_unknown")
    rollout = get(store, rollout_id)
    signed_as_rollback = envelope["manifest"].get("rollback") is True
    return _apply(store, rollout, policy.roll_back(rollout, to_version, signed_as_rollback), now)


def _apply(store: CentralStore, rollout: Rollout, change: RolloutChange, now: datetime) -> Rollout:
    try:
        return store.update_rollout(rollout, change, now)
    except RolloutChanged as exc:
        raise RolloutError(str(exc), "conflict") from None


def status(store: CentralStore, rollout: Rollout) -> RolloutStatus:
    """The rollout's figures; reads the whole device list (an operator's page, not a hot path)."""
    devices = [d for d in store.list_devices() if d.revoked_at is None]
    targeted = sum(policy.in_stage(rollout, d.id, d.site_id) for d in devices)
    failures = [r for r in store.rollout_results(rollout.id, limit=200) if not r.ok][:20]
    return RolloutStatus(
        rollout=rollout,
        counts=store.rollout_counts(rollout.id),
        targeted=targeted if rollout.state not in ("done", "rolled_back") else 0,
        on_version=sum(d.app_version == rollout.version for d in devices),
        fleet=len(devices),
        failures=failures,
    )

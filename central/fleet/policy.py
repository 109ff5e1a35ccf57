"""The rules of staged rollouts, as plain functions over plain data (no storage, no HTTP).

A rollout moves the fleet to one published version in stages: first its canary (listed devices
and every kiosk of listed sites), then growing percentages of the fleet (e.g. 10, 50, 100). A
device's place is a deterministic bucket in [0, 100) from the SHA-256 of version and device id,
so the same devices go first at every heartbeat and a stage only ever adds devices. Stages
advance by hand, or by themselves once `advance_after_ok` devices of the stage reported success.

Each device's latest update.result for the version counts. When failed / reported reaches
`failure_threshold` (with at least `min_results` reports), the rollout halts: no device gets the
release any more. Operators pause, resume (also a halted rollout) and roll back: a rolled-back
rollout offers an older version, signed with rollback: true, to the devices that took the new one.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from central.fleet.bundles import ReleaseError
from central.store.contract import Rollout, RolloutChange, RolloutCounts, RolloutPlan
from kiosk.protocol.errors import UpdateError
from kiosk.protocol.release_manifest import version_key

Action = Literal["advance", "pause", "resume"]


ErrorKind = Literal["invalid", "release_unknown", "rollout_unknown", "conflict"]


class RolloutError(ReleaseError):
    """An operator's rollout request that cannot be done; `kind` says why: `invalid` (the
    request itself), `release_unknown` / `rollout_unknown` (no such thing) or `conflict` (not
    in this state, or changed meanwhile)."""

    def __init__(self, message: str, kind: ErrorKind) -> None:
        super().__init__(message)
        self.kind = kind


def bucket(version: str, device_id: str) -> float:
    """The device's place in [0, 100) for this version's rollout."""
    digest = hashlib.sha256(f"{version}\0{device_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 * 100


def check_plan(plan: RolloutPlan) -> None:
    """Refuse a plan that cannot work, saying what to change."""
    stages = list(plan.stages)
    if not stages or stages != sorted(set(stages)) or not all(0 < s <= 100 for s in stages):
        raise RolloutError(f"stages {stages} must be growing percentages in 1..100", "invalid")
    if not 0 < plan.failure_threshold <= 1:
        raise RolloutError("failure_threshold is a share between 0 and 1, e.g. 0.2", "invalid")
    if plan.min_results < 1 or plan.advance_after_ok < 0:
        raise RolloutError("min_results must be 1 or more and advance_after_ok 0 or more", "invalid")


def check_replaceable(current: Rollout | None) -> None:
    """A new rollout replaces the current one only once that one stopped moving: halted, rolled
    back, or complete (running at its last stage). Never two moving rollouts at once."""
    if current is None or current.state in ("halted", "rolled_back", "done"):
        return
    if current.state == "running" and current.stage == len(current.stages) - 1:
        return
    raise RolloutError(
        f"rollout {current.id} of {current.version} is {current.state} at {current.percent}%; "
        "finish it first (advance it to its last stage, or roll it back)",
        "conflict",
    )


def in_stage(rollout: Rollout, device_id: str, site_id: str) -> bool:
    """Whether the rollout's current stage includes this device."""
    if device_id in rollout.canary_devices or site_id in rollout.canary_sites:
        return True
    return rollout.stage >= 0 and bucket(rollout.version, device_id) < rollout.percent


def target(rollout: Rollout, device_id: str, site_id: str, app_version: str | None) -> str | None:
    """The version this device should move to, or None to leave it where it is. (Whether the
    device already failed this version is the caller's to check: it needs storage.)"""
    if rollout.state == "rolled_back" and rollout.rollback_to:
        # Only devices that took the release are taken back; the rest are left alone.
        return rollout.rollback_to if app_version == rollout.version else None
    if rollout.state != "running" or not in_stage(rollout, device_id, site_id):
        return None
    return rollout.version if _older(app_version, rollout.version) else None


def _older(app_version: str | None, version: str) -> bool:
    """True unless the device runs `version` or newer. A version this server cannot compare
    gets the offer: the kiosk checks downgrades itself and reports what it refused."""
    if app_version is None:
        return True
    try:
        return version_key(app_version) < version_key(version)
    except UpdateError:
        return app_version != version


def verdict(rollout: Rollout, counts: RolloutCounts) -> RolloutChange | None:
    """What the figures do to a running rollout: halt it, advance it, or nothing."""
    if rollout.state != "running":
        return None
    reported = counts.reported
    if reported >= rollout.min_results and counts.failed / reported >= rollout.failure_threshold:
        return RolloutChange(
            state="halted",
            reason=f"{counts.failed} of {reported} updates failed "
            f"(threshold {rollout.failure_threshold:.0%})",
        )
    last = len(rollout.stages) - 1
    ok_here = counts.ok_by_stage.get(rollout.stage, 0)
    if rollout.advance_after_ok and rollout.stage < last and ok_here >= rollout.advance_after_ok:
        return RolloutChange(stage=rollout.stage + 1)
    return None


def transition(rollout: Rollout, action: Action) -> RolloutChange:
    """An operator's advance, pause or resume, or `RolloutError` when the state forbids it."""
    if action == "advance":
        if rollout.state != "running":
            raise RolloutError(f"rollout {rollout.id} is {rollout.state}; resume it first", "conflict")
        if rollout.stage >= len(rollout.stages) - 1:
            raise RolloutError(
                f"rollout {rollout.id} already reaches {rollout.percent}% of the fleet", "conflict"
            )
        return RolloutChange(stage=rollout.stage + 1)
    if action == "pause":
        _expect(rollout, ("running",), "paused")
        return RolloutChange(state="paused", reason="paused by an operator")
    # Resuming a halted rollout is an operator's call after looking at the failures.
    _expect(rollout, ("paused", "halted"), "running")
    return RolloutChange(state="running", reason="")


def roll_back(rollout: Rollout, to_version: str, manifest_rollback: bool) -> RolloutChange:
    """Take the devices that installed the rollout's version back to `to_version`; kiosks refuse
    any downgrade whose manifest is not signed with rollback: true, so neither does this."""
    _expect(rollout, ("running", "paused", "halted"), "rolled_back")
    if not manifest_rollback:
        raise RolloutError(
            f"version {to_version} is not signed with rollback: true; build or re-sign it with "
            "--rollback and publish it again",
            "invalid",
        )
    return RolloutChange(state="rolled_back", rollback_to=to_version, reason=f"rolled back to {to_version}")


def _expect(rollout: Rollout, states: tuple[str, ...], to: str) -> None:
    if rollout.state not in states:
        raise RolloutError(f"rollout {rollout.id} is {rollout.state}; cannot make it {to}", "conflict")

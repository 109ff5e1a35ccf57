"""The records of staged rollouts as the store keeps them (central/storage.py re-exports them;
the policy is central/rollout_policy.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

RolloutState = Literal["running", "paused", "halted", "rolled_back", "done"]


@dataclass(frozen=True)
class RolloutPlan:
    """What an operator asks for: a published version, the canary (devices and whole sites
    that go first), growing percentages of the fleet, and when to stop on failures."""

    version: str
    stages: tuple[int, ...] = (10, 50, 100)
    canary_devices: tuple[str, ...] = ()
    canary_sites: tuple[str, ...] = ()
    failure_threshold: float = 0.2
    min_results: int = 3
    advance_after_ok: int = 0  # 0: stages advance by hand only
    started_by: str = ""


@dataclass(frozen=True)
class Rollout:
    """A stored rollout. `stage` is -1 while only the canary gets the release, else an index
    into `stages`. At most one rollout is not `done` at a time: the current one."""

    id: int
    version: str
    state: RolloutState
    stages: tuple[int, ...]
    stage: int
    canary_devices: tuple[str, ...]
    canary_sites: tuple[str, ...]
    failure_threshold: float
    min_results: int
    advance_after_ok: int
    rollback_to: str | None
    reason: str
    started_by: str
    created_at: datetime
    updated_at: datetime

    @property
    def percent(self) -> int:
        """The share of the fleet (besides the canary) that gets the release now."""
        return 0 if self.stage < 0 else self.stages[self.stage]

    @property
    def has_canary(self) -> bool:
        return bool(self.canary_devices or self.canary_sites)


@dataclass(frozen=True)
class RolloutChange:
    """What to change in a rollout; None leaves a field as it is."""

    state: RolloutState | None = None
    stage: int | None = None
    reason: str | None = None
    rollback_to: str | None = None


@dataclass(frozen=True)
class RolloutCounts:
    """The devices' latest update.result for a rollout: successes, failures, and successes by
    the stage the rollout was at when each arrived."""

    ok: int = 0
    failed: int = 0
    ok_by_stage: dict[int, int] = field(default_factory=dict)

    @property
    def reported(self) -> int:
        return self.ok + self.failed


@dataclass(frozen=True)
class RolloutResult:
    device_id: str
    ok: bool
    stage: str
    detail: str
    rollout_stage: int
    at: datetime

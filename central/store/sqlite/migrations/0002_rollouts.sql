-- Staged rollouts (central/rollouts.py). At most one rollout is not 'done': the current one.
CREATE TABLE rollouts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    version TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('running', 'paused', 'halted', 'rolled_back', 'done')),
    stages TEXT NOT NULL,               -- JSON list of growing percentages, e.g. [10, 50, 100]
    stage INTEGER NOT NULL,             -- -1: the canary only; i: stages[i] percent of the fleet
    canary_devices TEXT NOT NULL,       -- JSON list of device ids
    canary_sites TEXT NOT NULL,         -- JSON list of site ids (every kiosk of the site)
    failure_threshold REAL NOT NULL,
    min_results INTEGER NOT NULL,
    advance_after_ok INTEGER NOT NULL,  -- 0: advance by hand only
    rollback_to TEXT,
    reason TEXT NOT NULL DEFAULT '',
    started_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX rollouts_current ON rollouts (id) WHERE state <> 'done';

-- The latest update.result of each device for a rollout's version.
CREATE TABLE rollout_results (
    rollout_id INTEGER NOT NULL REFERENCES rollouts (id),
    device_id TEXT NOT NULL,
    ok INTEGER NOT NULL,
    stage TEXT NOT NULL,                -- where the update ended on the kiosk (verify, health, …)
    detail TEXT NOT NULL,
    rollout_stage INTEGER NOT NULL,     -- the rollout's stage when the result arrived
    at TEXT NOT NULL,
    PRIMARY KEY (rollout_id, device_id)
);

-- Work the UI asks of the agent, because the network is the agent's: a technician's "sync now"
-- and "enrol" (kiosk/device/agent_requests.py). The UI inserts a request and, when the agent has
-- not claimed it in time, withdraws it (the agent is not running); the agent claims it, runs it
-- and writes the answer. Claiming and withdrawing are guarded by the row's state, so exactly one
-- of them happens; whichever does blanks args (an enrolment code is kept no longer than that).
CREATE TABLE IF NOT EXISTS agent_requests (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    args TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    withdrawn_at TEXT,
    claimed_at TEXT,
    answered_at TEXT,
    ok INTEGER,
    result TEXT
);

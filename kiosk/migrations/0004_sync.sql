-- Commands the server sent (PROTOCOL.md, heartbeat answer). A command is run once: the server
-- re-sends it until its command.done event arrives, and a re-sent id found here is skipped.
CREATE TABLE IF NOT EXISTS sync_commands (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    args TEXT NOT NULL,
    received_at TEXT NOT NULL,
    ok INTEGER NOT NULL,
    detail TEXT NOT NULL
);

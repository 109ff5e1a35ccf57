-- Server commands the UI carries out, because it owns the printer (print_test, reprint_ticket).
-- The agent hands each over here in the transaction that records it in sync_commands; the UI runs
-- it once at a quiet moment and, in one transaction, marks it done and queues its command.done.
-- started_at is set before printing: a command interrupted after that is never printed again.
CREATE TABLE IF NOT EXISTS ui_commands (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    args TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    started_at TEXT,
    done_at TEXT,
    ok INTEGER,
    detail TEXT
);

-- A third print outcome (issue 18): print_unknown, a ticket whose bytes went to the printer but
-- whose printing was never confirmed. It may be out, so staff check before reprinting (which then
-- prints "IN LẠI"). SQLite cannot alter a CHECK constraint: the table is rebuilt, rows kept.
CREATE TABLE tickets_new (
    id INTEGER PRIMARY KEY,
    day TEXT NOT NULL,
    service TEXT NOT NULL,
    number INTEGER NOT NULL,
    ticket TEXT NOT NULL,
    priority TEXT CHECK (priority IN ('elderly', 'disabled', 'pregnant', 'merit')),
    language TEXT NOT NULL DEFAULT 'vi',
    issued_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'issued'
        CHECK (state IN ('issued', 'printed', 'print_failed', 'print_unknown', 'reprinted', 'voided')),
    reason TEXT,
    printed_at TEXT,
    UNIQUE (day, service, number)
);
INSERT INTO tickets_new SELECT id, day, service, number, ticket, priority, language, issued_at,
    state, reason, printed_at FROM tickets;
DROP TABLE tickets;
ALTER TABLE tickets_new RENAME TO tickets;
CREATE INDEX IF NOT EXISTS tickets_by_code ON tickets (ticket, day);

-- Queue tickets. A number belongs to a site-local day and a service; (day, service, number) is
-- unique, so a number can never be issued twice on one day, whatever the process or the clock.
CREATE TABLE IF NOT EXISTS tickets (
    id INTEGER PRIMARY KEY,
    day TEXT NOT NULL,
    service TEXT NOT NULL,
    number INTEGER NOT NULL,
    ticket TEXT NOT NULL,
    priority TEXT CHECK (priority IN ('elderly', 'disabled', 'pregnant', 'merit')),
    language TEXT NOT NULL DEFAULT 'vi',
    issued_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'issued'
        CHECK (state IN ('issued', 'printed', 'print_failed', 'reprinted', 'voided')),
    reason TEXT,
    printed_at TEXT,
    UNIQUE (day, service, number)
);
CREATE INDEX IF NOT EXISTS tickets_by_code ON tickets (ticket, day);

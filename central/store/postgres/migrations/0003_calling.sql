-- Calling (central/calling/), as SQLite's migration 0009: where each ticket is in the queue,
-- what every counter did (each action an event stored once, by the idempotency key of the
-- press), the counters' state, and the per-site staff who sign in at the counters.

-- waiting → called → served | no_show; a no-show may be called back (called again); a transfer
-- puts a called ticket back to waiting in another service or for one counter, keeping its
-- place by issue time. Tickets are inserted from kiosks' events with queue_service = service
-- and link_key = the issuing kiosk's token hash (central/store/postgres/events.py).
ALTER TABLE tickets
    ADD COLUMN state TEXT NOT NULL DEFAULT 'waiting'
        CHECK (state IN ('waiting', 'called', 'served', 'no_show')),
    ADD COLUMN queue_service TEXT,        -- the service it waits in now
    ADD COLUMN target_counter TEXT,       -- set by a transfer to one counter
    ADD COLUMN finished_at TIMESTAMPTZ,   -- served or marked no-show
    ADD COLUMN calls INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN link_key TEXT;             -- the key of the ticket's phone link

UPDATE tickets SET queue_service = service,
    link_key = (SELECT token_hash FROM devices WHERE devices.id = tickets.device_id);
UPDATE tickets SET state = 'called', calls = 1 WHERE called_at IS NOT NULL;

-- The next ticket to call: waiting tickets of a site's day, priority first, in issue order
-- (the counter's services are filtered on these rows).
DROP INDEX tickets_waiting;
CREATE INDEX tickets_waiting ON tickets (site_id, day, (priority IS NULL), issued_at, number)
    WHERE state = 'waiting' AND NOT voided;
-- The ticket called at a counter, and the phone page's lookup by number.
CREATE INDEX tickets_called ON tickets (site_id, day, counter) WHERE state = 'called';
CREATE INDEX tickets_number ON tickets (day, ticket);

-- The last event number of each site. Every counter action takes its site's row first (an
-- upsert, so the row is locked until the action commits): a site's actions are numbered in
-- the order they commit, without gaps, on whichever instance they run, and a display reading
-- `seq > N` never misses one that committed later with a smaller number.
CREATE TABLE calling_seq (
    site_id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL
);

CREATE TABLE calling_events (
    site_id TEXT NOT NULL,
    seq BIGINT NOT NULL,                -- per site (calling_seq)
    key TEXT NOT NULL UNIQUE,           -- the press's idempotency key
    day TEXT NOT NULL,
    counter TEXT NOT NULL,
    staff TEXT NOT NULL,
    action TEXT NOT NULL,
    ticket TEXT,
    service TEXT,
    data JSONB NOT NULL,                -- what the action did (transfer target, auto-served…)
    at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (site_id, seq)
);
CREATE INDEX calling_events_calls ON calling_events (site_id, day, seq)
    WHERE action IN ('call_next', 'recall', 'call_back') AND ticket IS NOT NULL;

CREATE TABLE counters (
    site_id TEXT NOT NULL,
    counter TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'paused', 'closed')),
    staff TEXT NOT NULL DEFAULT '',
    services JSONB NOT NULL DEFAULT '[]', -- service ids it calls from
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (site_id, counter)
);

CREATE TABLE staff (
    site_id TEXT NOT NULL REFERENCES sites (id),
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('officer', 'supervisor')),
    password_hash TEXT NOT NULL,        -- scrypt, as the console's operators
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (site_id, name)
);

CREATE TABLE staff_sessions (
    session_hash TEXT PRIMARY KEY,      -- SHA-256 of the cookie's value
    site_id TEXT NOT NULL,
    name TEXT NOT NULL,
    counter TEXT,
    services JSONB NOT NULL DEFAULT '[]',
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (site_id, name) REFERENCES staff (site_id, name) ON DELETE CASCADE
);
CREATE INDEX staff_sessions_staff ON staff_sessions (site_id, name);
CREATE INDEX staff_sessions_expiry ON staff_sessions (expires_at);

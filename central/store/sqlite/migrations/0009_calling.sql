-- Calling (central/calling/): where each ticket is in the queue, what every counter did (each
-- action an event stored once, by the idempotency key of the press), the counters' state, and
-- the per-site staff who sign in at the counters.

-- waiting → called → served | no_show; a no-show may be called back (called again); a transfer
-- puts a called ticket back to waiting in another service or for one counter, keeping its
-- place by issue time.
ALTER TABLE tickets ADD COLUMN state TEXT NOT NULL DEFAULT 'waiting'
    CHECK (state IN ('waiting', 'called', 'served', 'no_show'));
ALTER TABLE tickets ADD COLUMN queue_service TEXT;   -- the service it waits in now
ALTER TABLE tickets ADD COLUMN target_counter TEXT;  -- set by a transfer to one counter
ALTER TABLE tickets ADD COLUMN finished_at TEXT;     -- served or marked no-show
ALTER TABLE tickets ADD COLUMN calls INTEGER NOT NULL DEFAULT 0;
-- The issuing kiosk's token hash when the ticket arrived: the key of the ticket's phone link
-- (kiosk/protocol/ticket_link.py), kept so a later re-enrolment does not break today's links.
ALTER TABLE tickets ADD COLUMN link_key TEXT;

UPDATE tickets SET queue_service = service,
    link_key = (SELECT token_hash FROM devices WHERE devices.id = tickets.device_id);
UPDATE tickets SET state = 'called' WHERE called_at IS NOT NULL;

-- Tickets come from the kiosks' events (central/store/sqlite/events.py): each starts waiting in
-- its own service, keyed for its phone link by its kiosk's token.
CREATE TRIGGER tickets_queue_service AFTER INSERT ON tickets WHEN NEW.queue_service IS NULL
BEGIN
    UPDATE tickets SET queue_service = NEW.service,
        link_key = (SELECT token_hash FROM devices WHERE id = NEW.device_id)
    WHERE site_id = NEW.site_id AND day = NEW.day AND ticket = NEW.ticket;
END;

-- A call through the older admin API (POST /sites/{id}/queue/call) sets called_at alone.
CREATE TRIGGER tickets_admin_call AFTER UPDATE OF called_at ON tickets
WHEN NEW.called_at IS NOT NULL AND NEW.state = 'waiting' AND OLD.called_at IS NULL
BEGIN
    UPDATE tickets SET state = 'called', calls = calls + 1
    WHERE site_id = NEW.site_id AND day = NEW.day AND ticket = NEW.ticket;
END;

CREATE INDEX tickets_waiting ON tickets (site_id, day, state, queue_service, issued_at);

CREATE TABLE calling_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,           -- the press's idempotency key
    site_id TEXT NOT NULL,
    day TEXT NOT NULL,
    counter TEXT NOT NULL,
    staff TEXT NOT NULL,
    action TEXT NOT NULL,
    ticket TEXT,
    service TEXT,
    data TEXT NOT NULL,                 -- JSON: what the action did (transfer target, auto-served…)
    at TEXT NOT NULL
);
CREATE INDEX calling_events_site ON calling_events (site_id, seq);

CREATE TABLE counters (
    site_id TEXT NOT NULL,
    counter TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'paused', 'closed')),
    staff TEXT NOT NULL DEFAULT '',
    services TEXT NOT NULL DEFAULT '[]', -- JSON list of service ids it calls from
    updated_at TEXT NOT NULL,
    PRIMARY KEY (site_id, counter)
);

CREATE TABLE staff (
    site_id TEXT NOT NULL REFERENCES sites (id),
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('officer', 'supervisor')),
    password_hash TEXT NOT NULL,        -- scrypt, as the console's operators
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (site_id, name)
);

CREATE TABLE staff_sessions (
    session_hash TEXT PRIMARY KEY,      -- SHA-256 of the cookie's value
    site_id TEXT NOT NULL,
    name TEXT NOT NULL,
    counter TEXT,
    services TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    FOREIGN KEY (site_id, name) REFERENCES staff (site_id, name) ON DELETE CASCADE
);
CREATE INDEX staff_sessions_staff ON staff_sessions (site_id, name);

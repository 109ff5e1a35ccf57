-- The central server's SQLite schema (central/sqlite/). Times are ISO 8601 UTC strings.

CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    timezone TEXT NOT NULL
);

-- Server-wide counters: config versions and device numbers.
CREATE TABLE sequences (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

-- Settings pushed to kiosks, one layer per site and one per device (device wins).
CREATE TABLE config_layers (
    scope TEXT NOT NULL CHECK (scope IN ('site', 'device')),
    owner TEXT NOT NULL,
    version INTEGER NOT NULL,
    settings TEXT NOT NULL,
    PRIMARY KEY (scope, owner)
);

-- Codes are stored hashed; used once, then they point at the device they enrolled.
CREATE TABLE enrollment_codes (
    code_hash TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites (id),
    expires_at TEXT NOT NULL,
    used_at TEXT,
    device_id TEXT
);

CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites (id),
    hardware_id TEXT NOT NULL,
    token_hash TEXT UNIQUE,
    enrolled_at TEXT NOT NULL,
    revoked_at TEXT,
    app_version TEXT,
    last_seen_at TEXT,
    last_heartbeat TEXT
);
CREATE INDEX devices_hardware ON devices (site_id, hardware_id);

-- Each event id is stored once (the kiosk may send it again after a lost answer).
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    device_id TEXT NOT NULL,
    site_id TEXT NOT NULL,
    type TEXT NOT NULL,
    at TEXT NOT NULL,
    data TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX events_device ON events (device_id, seq);

-- Tickets as the events describe them, plus the counters' calls: the queue status is read here.
CREATE TABLE tickets (
    site_id TEXT NOT NULL,
    day TEXT NOT NULL,
    ticket TEXT NOT NULL,
    service TEXT NOT NULL,
    number INTEGER NOT NULL,
    priority TEXT,
    issued_at TEXT NOT NULL,
    device_id TEXT NOT NULL,
    voided INTEGER NOT NULL DEFAULT 0,
    called_at TEXT,
    counter TEXT,
    PRIMARY KEY (site_id, day, ticket)
);

CREATE TABLE commands (
    id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices (id),
    type TEXT NOT NULL,
    args TEXT NOT NULL,
    created_at TEXT NOT NULL,
    done_at TEXT,
    ok INTEGER,
    detail TEXT
);
CREATE INDEX commands_pending ON commands (device_id) WHERE done_at IS NULL;

-- One row per published version; the procedures table holds the newest body of each code, its
-- place in the newest published order and the version that last changed it, so a delta is one
-- indexed range scan.
CREATE TABLE catalogue_versions (
    version INTEGER PRIMARY KEY,
    published_at TEXT NOT NULL,
    fields TEXT NOT NULL,
    procedures INTEGER NOT NULL,
    changed INTEGER NOT NULL,
    deleted INTEGER NOT NULL
);

CREATE TABLE catalogue_procedures (
    code TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    position INTEGER NOT NULL,
    changed_version INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX catalogue_changes ON catalogue_procedures (changed_version);

CREATE TABLE dossiers (
    code TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    imported_at TEXT NOT NULL
);

CREATE TABLE admin_tokens (
    token_hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Event ids are the kiosk's to choose, so each is stored once per device, not once per server:
-- a kiosk sending an id another kiosk already used must not see its event dropped as a repeat.
CREATE TABLE events_per_device (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    site_id TEXT NOT NULL,
    type TEXT NOT NULL,
    at TEXT NOT NULL,
    data TEXT NOT NULL,
    received_at TEXT NOT NULL,
    UNIQUE (device_id, id)
);
INSERT INTO events_per_device (seq, id, device_id, site_id, type, at, data, received_at)
    SELECT seq, id, device_id, site_id, type, at, data, received_at FROM events ORDER BY seq;
DROP TABLE events;
ALTER TABLE events_per_device RENAME TO events;
CREATE INDEX events_device ON events (device_id, seq);

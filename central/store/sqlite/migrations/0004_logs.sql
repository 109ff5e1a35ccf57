-- Logs a kiosk sent because an operator asked (the upload_logs command): the UI's and the
-- agent's recent journal, as text. The newest few per kiosk are kept (central/sqlite/devices.py).
CREATE TABLE device_logs (
    id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices (id),
    received_at TEXT NOT NULL,
    command_id TEXT,
    lines INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX device_logs_device ON device_logs (device_id, received_at);

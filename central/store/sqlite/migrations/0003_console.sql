-- The fleet console (central/console/): operators' passwords, their sessions, and what its pages
-- list (enrollment codes not yet used, tickets per kiosk and day).
CREATE TABLE operators (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,        -- scrypt with a random salt (central/console/passwords.py)
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE console_sessions (
    session_hash TEXT PRIMARY KEY,      -- SHA-256 of the cookie's value; the value is never stored
    operator TEXT NOT NULL REFERENCES operators (name) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX console_sessions_operator ON console_sessions (operator);

-- Codes stay hashed; the last two characters let an operator tell unused codes apart.
ALTER TABLE enrollment_codes ADD COLUMN created_at TEXT;
ALTER TABLE enrollment_codes ADD COLUMN hint TEXT NOT NULL DEFAULT '';

CREATE INDEX tickets_day_device ON tickets (day, device_id);

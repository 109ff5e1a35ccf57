-- Attempts counted by limits (console logins, central/console/login_limit.py), in the store so
-- that a count is atomic and holds across server instances. One row per key an attempt counts
-- under; keys are SHA-256 of what they name (a login name as typed, an address), never the text.
CREATE TABLE attempts (
    attempt TEXT NOT NULL,
    key TEXT NOT NULL,
    at TEXT NOT NULL,
    checking INTEGER NOT NULL DEFAULT 1,   -- 1 while the attempt is being checked
    PRIMARY KEY (key, attempt)
);
CREATE INDEX attempts_at ON attempts (at);
CREATE INDEX attempts_attempt ON attempts (attempt);

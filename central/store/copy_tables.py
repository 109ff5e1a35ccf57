"""What `kiosk-central store copy` copies (central/store/copy.py): each table of the SQLite
store with its columns, in an order that satisfies the PostgreSQL schema's foreign keys, the
order rows are read in, and what PostgreSQL derives after the copy."""

from __future__ import annotations

# Column kinds: t text, i integer, r real, b boolean (0/1 in SQLite), ts time (ISO text in
# SQLite, timestamptz here), j JSON (text in SQLite, JSONB here).
TABLES: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("sites", "id", [("id", "t"), ("name", "t"), ("timezone", "t")]),
    ("sequences", "name", [("name", "t"), ("value", "i")]),
    ("config_layers", "scope, owner", [("scope", "t"), ("owner", "t"), ("version", "i"), ("settings", "j")]),
    (
        "enrollment_codes",
        "code_hash",
        [
            ("code_hash", "t"),
            ("site_id", "t"),
            ("expires_at", "ts"),
            ("used_at", "ts"),
            ("device_id", "t"),
            ("created_at", "ts"),
            ("hint", "t"),
        ],
    ),  # fmt: skip
    (
        "devices",
        "id",
        [
            ("id", "t"),
            ("site_id", "t"),
            ("hardware_id", "t"),
            ("token_hash", "t"),
            ("enrolled_at", "ts"),
            ("revoked_at", "ts"),
            ("app_version", "t"),
            ("last_seen_at", "ts"),
            ("last_heartbeat", "j"),
        ],
    ),  # fmt: skip
    (
        "events",
        "seq",
        [
            ("seq", "i"),
            ("id", "t"),
            ("device_id", "t"),
            ("site_id", "t"),
            ("type", "t"),
            ("at", "t"),
            ("data", "j"),
            ("received_at", "ts"),
        ],
    ),  # fmt: skip
    (
        "tickets",
        "site_id, day, ticket",
        [
            ("site_id", "t"),
            ("day", "t"),
            ("ticket", "t"),
            ("service", "t"),
            ("number", "i"),
            ("priority", "t"),
            ("issued_at", "t"),
            ("device_id", "t"),
            ("voided", "b"),
            ("called_at", "ts"),
            ("counter", "t"),
            ("state", "t"),
            ("queue_service", "t"),
            ("target_counter", "t"),
            ("finished_at", "ts"),
            ("calls", "i"),
            ("link_key", "t"),
        ],
    ),  # fmt: skip
    (
        "commands",
        "id",
        [
            ("id", "t"),
            ("device_id", "t"),
            ("type", "t"),
            ("args", "j"),
            ("created_at", "ts"),
            ("done_at", "ts"),
            ("ok", "b"),
            ("detail", "t"),
        ],
    ),  # fmt: skip
    (
        "catalogue_versions",
        "version",
        [
            ("version", "i"),
            ("published_at", "t"),
            ("fields", "t"),
            ("procedures", "i"),
            ("changed", "i"),
            ("deleted", "i"),
            ("synonyms", "t"),
        ],
    ),  # fmt: skip
    (
        "catalogue_procedures",
        "code",
        [("code", "t"), ("body", "t"), ("position", "i"), ("changed_version", "i"), ("deleted", "b")],
    ),
    ("dossiers", "code", [("code", "t"), ("record", "j"), ("imported_at", "ts")]),
    ("admin_tokens", "token_hash", [("token_hash", "t"), ("name", "t"), ("created_at", "ts")]),
    (
        "rollouts",
        "id",
        [
            ("id", "i"),
            ("version", "t"),
            ("state", "t"),
            ("stages", "j"),
            ("stage", "i"),
            ("canary_devices", "j"),
            ("canary_sites", "j"),
            ("failure_threshold", "r"),
            ("min_results", "i"),
            ("advance_after_ok", "i"),
            ("rollback_to", "t"),
            ("reason", "t"),
            ("started_by", "t"),
            ("created_at", "ts"),
            ("updated_at", "ts"),
        ],
    ),  # fmt: skip
    (
        "rollout_results",
        "rollout_id, device_id",
        [
            ("rollout_id", "i"),
            ("device_id", "t"),
            ("ok", "b"),
            ("stage", "t"),
            ("detail", "t"),
            ("rollout_stage", "i"),
            ("at", "ts"),
            ("retrying", "b"),
        ],
    ),  # fmt: skip
    (
        "operators",
        "name",
        [("name", "t"), ("password_hash", "t"), ("created_at", "ts"), ("updated_at", "ts")],
    ),
    (
        "console_sessions",
        "session_hash",
        [("session_hash", "t"), ("operator", "t"), ("created_at", "ts"), ("expires_at", "ts")],
    ),
    (
        "device_logs",
        "rowid",  # upload order: PostgreSQL numbers them (seq) as they come
        [
            ("id", "t"),
            ("device_id", "t"),
            ("received_at", "ts"),
            ("command_id", "t"),
            ("lines", "i"),
            ("text", "t"),
        ],
    ),  # fmt: skip
    ("attempts", "key, attempt", [("attempt", "t"), ("key", "t"), ("at", "ts"), ("checking", "b")]),
    (
        "staff",
        "site_id, name",
        [
            ("site_id", "t"),
            ("name", "t"),
            ("role", "t"),
            ("password_hash", "t"),
            ("created_at", "ts"),
            ("updated_at", "ts"),
        ],
    ),  # fmt: skip
    (
        "staff_sessions",
        "session_hash",
        [
            ("session_hash", "t"),
            ("site_id", "t"),
            ("name", "t"),
            ("counter", "t"),
            ("services", "j"),
            ("created_at", "ts"),
            ("expires_at", "ts"),
        ],
    ),  # fmt: skip
    (
        "counters",
        "site_id, counter",
        [
            ("site_id", "t"),
            ("counter", "t"),
            ("state", "t"),
            ("staff", "t"),
            ("services", "j"),
            ("updated_at", "ts"),
        ],
    ),  # fmt: skip
    (
        "calling_events",
        "seq",  # SQLite numbers them across sites; each site's keep their order and numbers
        [
            ("seq", "i"),
            ("key", "t"),
            ("site_id", "t"),
            ("day", "t"),
            ("counter", "t"),
            ("staff", "t"),
            ("action", "t"),
            ("ticket", "t"),
            ("service", "t"),
            ("data", "j"),
            ("at", "ts"),
        ],
    ),  # fmt: skip
]
# Identity columns whose sequences must continue after the copied values.
IDENTITIES = [("events", "seq"), ("rollouts", "id"), ("device_logs", "seq")]
# Tables PostgreSQL alone has, filled from the copied rows: each site's calling events go on
# numbering after the last one copied (a display's `after=SEQ` keeps working).
DERIVED = [
    (
        "calling_seq",
        "INSERT INTO calling_seq (site_id, seq) "
        "SELECT site_id, MAX(seq) FROM calling_events GROUP BY site_id",
    )
]

"""Checks of the kiosk's own files: settings, state directory, database, free disk."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from kiosk import config, outbox, store
from kiosk.doctor.base import Check, failed, passed
from kiosk.errors import ConfigError, StoreError

MIB = 2**20


def check_config(site_file: Path | None, state_dir: Path) -> tuple[Check, config.Loaded | None]:
    """The settings load and validate (packaged defaults, site file, server settings)."""
    try:
        loaded = config.load(site_file=site_file, state_dir=state_dir)
    except ConfigError as exc:
        if config.SERVER_SETTINGS_FILE in str(exc):
            fix = (
                f"remove {state_dir / config.SERVER_SETTINGS_FILE}; the agent fetches the "
                "server's settings again"
            )
        else:
            where = site_file or os.environ.get("KIOSK_CONFIG") or config.SITE_FILE
            fix = f"edit {where} (every key is explained in config/kiosk.toml), then run `kiosk config check`"
        return failed("config", str(exc), fix), None
    source = str(loaded.site_file) if loaded.site_file else "no site file, packaged defaults"
    pushed = " + server settings" if (state_dir / config.SERVER_SETTINGS_FILE).exists() else ""
    return passed("config", f"valid: {source}{pushed}"), loaded


def check_state_dir(state_dir: Path) -> Check:
    """The state directory exists and this user can create and sync a file in it."""
    if not state_dir.is_dir():
        return failed(
            "state dir",
            f"{state_dir} does not exist",
            "sudo systemd-tmpfiles --create (or systemd/install.sh), then run kiosk doctor as the kiosk user",
        )
    try:
        with tempfile.NamedTemporaryFile(dir=state_dir, prefix=".doctor-") as probe:
            probe.write(b"kiosk doctor")
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as exc:
        return failed(
            "state dir",
            f"{state_dir} is not writable: {exc.strerror or exc}",
            f"sudo chown -R kiosk:kiosk {state_dir}; run kiosk doctor as the kiosk user (sudo -u kiosk)",
        )
    return passed("state dir", f"{state_dir} is writable")


def open_database(state_dir: Path) -> tuple[Check, sqlite3.Connection | None]:
    """The state database opens, passes SQLite's integrity check and has a schema this release
    knows. Opened without migrating: the doctor changes nothing."""
    path = state_dir / store.DB_NAME
    restore = (
        "stop kiosk and kiosk-agent, move kiosk.db aside and copy the newest "
        f"{state_dir / 'backups'}/kiosk-before-*.db in its place (or start empty and run `kiosk sync --once`)"
    )
    if not path.is_file():
        return failed(
            "database",
            f"no database at {path}",
            "start the kiosk once (sudo systemctl start kiosk) or run `kiosk enroll`; it is created then",
        ), None
    try:
        db = store.connect(path, migrate_schema=False)
        problems = [row[0] for row in db.execute("PRAGMA integrity_check")]
    except (StoreError, sqlite3.DatabaseError) as exc:
        return failed("database", f"{path} cannot be read: {exc}", restore), None
    if problems != ["ok"]:
        db.close()
        return failed("database", f"integrity check: {'; '.join(problems[:3])}", restore), None
    schema, known = store.schema_version(db), store.latest_version()
    if schema > known:
        db.close()
        return failed(
            "database",
            f"schema {schema} is newer than this release knows ({known})",
            "run the newer release (kiosk update status) or restore the backup taken before the update",
        ), None
    pending = outbox.counts(db)["pending"]
    note = "" if schema == known else f"; migrated to {known} at the next start"
    return passed("database", f"integrity ok, schema {schema}{note}, {pending} event(s) to send"), db


def check_disk(places: list[tuple[str, Path]], min_free_mb: int, backups: Path) -> list[Check]:
    """Free space on each filesystem among `places` ((check name, path): the state directory,
    the releases); a filesystem already checked under another name is not checked again."""
    checks: list[Check] = []
    seen: set[int] = set()
    for name, path in places:
        if not path.exists() or path.stat().st_dev in seen:
            continue
        seen.add(path.stat().st_dev)
        usage = shutil.disk_usage(path)
        free, total = usage.free // MIB, usage.total // MIB
        detail = f"{free} MiB free of {total} MiB at {path}"
        if free >= min_free_mb:
            checks.append(passed(name, detail))
            continue
        fix = (
            f"free space: sudo journalctl --vacuum-size=100M, delete old {backups}/*.db; "
            f"`sudo du -xh {path} | sort -h | tail` shows what is big"
        )
        checks.append(failed(name, f"{detail}; less than {min_free_mb} MiB", fix))
    return checks

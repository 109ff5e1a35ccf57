"""Published catalogue versions, dossiers and operator credentials. Publishing locks the
version table (one publisher at a time across instances: versions must grow)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from central.store.contract import (
    CatalogueChanges,
    CatalogueHead,
    CatalogueVersion,
    PublishOutcome,
    VersionConflict,
)
from central.store.postgres.base import PostgresBase, jsonb, ts


class CataloguePart(PostgresBase):
    def publish_catalogue(
        self,
        version: int,
        published_at: str,
        fields_json: str,
        procedures: dict[str, str],
        synonyms_json: str = "[]",
    ) -> PublishOutcome:
        with self._tx() as db:
            db.execute("LOCK TABLE catalogue_versions IN SHARE ROW EXCLUSIVE MODE")
            head = db.execute("SELECT MAX(version) FROM catalogue_versions").fetchone()
            if head and head[0] is not None and version <= head[0]:
                raise VersionConflict(f"version {version} is not newer than the published {head[0]}")
            current = {
                code: (body, bool(deleted))
                for code, body, deleted in db.execute("SELECT code, body, deleted FROM catalogue_procedures")
            }
            order = {code: i for i, code in enumerate(procedures)}
            # Bodies are canonical JSON, so equal text means an unchanged procedure.
            changed = [
                (code, body) for code, body in procedures.items() if current.get(code) != (body, False)
            ]
            gone = [c for c, (_, deleted) in current.items() if not deleted and c not in procedures]
            moved = [(order[c], c) for c in procedures if current.get(c) == (procedures[c], False)]
            with db.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO catalogue_procedures (code, body, position, changed_version, deleted) "
                    "VALUES (%s, %s, %s, %s, FALSE) ON CONFLICT (code) DO UPDATE SET body = excluded.body, "
                    "position = excluded.position, changed_version = excluded.changed_version, "
                    "deleted = FALSE",
                    [(code, body, order[code], version) for code, body in changed],
                )
                # Unchanged procedures may have moved in the published order.
                cursor.executemany("UPDATE catalogue_procedures SET position = %s WHERE code = %s", moved)
                cursor.executemany(
                    "UPDATE catalogue_procedures SET deleted = TRUE, changed_version = %s WHERE code = %s",
                    [(version, code) for code in gone],
                )
            db.execute(
                "INSERT INTO catalogue_versions (version, published_at, fields, procedures, changed, "
                "deleted, synonyms) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [version, published_at, fields_json, len(procedures), len(changed), len(gone), synonyms_json],
            )
        return PublishOutcome(version, len(procedures), len(changed), len(gone))

    def catalogue_head(self) -> CatalogueHead | None:
        with self._read() as db:
            row = db.execute(
                "SELECT version, published_at, fields, procedures, synonyms FROM catalogue_versions "
                "ORDER BY version DESC LIMIT 1"
            ).fetchone()
        return CatalogueHead(*row) if row else None

    def catalogue_has_version(self, version: int) -> bool:
        with self._read() as db:
            return bool(
                db.execute("SELECT 1 FROM catalogue_versions WHERE version = %s", [version]).fetchone()
            )

    def catalogue_changes(self, after: int | None) -> CatalogueChanges:
        with self._read() as db:
            if after is None:
                bodies = db.execute(
                    "SELECT body FROM catalogue_procedures WHERE NOT deleted ORDER BY position"
                )
                return CatalogueChanges(upserts=[r[0] for r in bodies])
            rows = db.execute(
                "SELECT code, body, deleted FROM catalogue_procedures WHERE changed_version > %s "
                "ORDER BY position",
                [after],
            ).fetchall()
        return CatalogueChanges(
            upserts=[body for _, body, deleted in rows if not deleted],
            deletes=[code for code, _, deleted in rows if deleted],
        )

    def import_dossiers(self, records: dict[str, dict[str, Any]], replace: bool, at: datetime) -> int:
        with self._tx() as db:
            if replace:
                db.execute("DELETE FROM dossiers")
            with db.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO dossiers (code, record, imported_at) VALUES (%s, %s, %s) "
                    "ON CONFLICT (code) DO UPDATE SET record = excluded.record, "
                    "imported_at = excluded.imported_at",
                    [(code, jsonb(record), ts(at)) for code, record in records.items()],
                )
        return len(records)

    def get_dossier(self, code: str) -> dict[str, Any] | None:
        with self._read() as db:
            row = db.execute("SELECT record FROM dossiers WHERE code = %s", [code]).fetchone()
        return dict(row[0]) if row else None

    def list_catalogue_versions(self, limit: int) -> list[CatalogueVersion]:
        with self._read() as db:
            rows = db.execute(
                "SELECT version, published_at, procedures, changed, deleted FROM catalogue_versions"
                " ORDER BY version DESC LIMIT %s",
                [limit],
            ).fetchall()
        return [CatalogueVersion(*r) for r in rows]

    def add_admin_token(self, token_hash: str, name: str, at: datetime) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO admin_tokens (token_hash, name, created_at) VALUES (%s, %s, %s) "
                "ON CONFLICT (token_hash) DO UPDATE SET name = excluded.name",
                [token_hash, name, ts(at)],
            )

    def admin_by_token(self, token_hash: str) -> str | None:
        with self._read() as db:
            row = db.execute("SELECT name FROM admin_tokens WHERE token_hash = %s", [token_hash]).fetchone()
        return str(row[0]) if row else None

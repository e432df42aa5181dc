"""Migrations for sync state. Names start with 0004_; never edit one once released."""

from __future__ import annotations

from desk_app.store.migration_steps import Steps
from desk_app.store.sqlite_db import Database

# Registered after the earlier areas by store/migrations.py (AREAS).
migrations = Steps()


@migrations(name="0004_sync_state")
def m0004_sync_state(db: Database) -> None:
    # Small key/value state: change-feed cursor, last confirmed sync, clock skew, last error.
    db.execute("CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    # Who this desk is on the provincial server. The secret itself is NOT here: it is in the
    # OS keyring or a file only this user can read (see sync_credentials.CredentialVault).
    db.execute(
        """
        CREATE TABLE sync_credential (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            server_url TEXT NOT NULL,
            desk_id TEXT NOT NULL,
            unit_code TEXT NOT NULL,
            desk INTEGER NOT NULL,
            storage TEXT NOT NULL CHECK (storage IN ('keyring', 'file')),
            enrolled_at TEXT NOT NULL
        )"""
    )
    # Files the server confirmed holding: never checked or sent again.
    db.execute(
        """
        CREATE TABLE sync_files (
            sha256 TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            confirmed_at TEXT NOT NULL
        ) WITHOUT ROWID"""
    )
    # Things both the desk and the province changed, for a supervisor to look at.
    db.execute(
        """
        CREATE TABLE sync_conflicts (
            id INTEGER PRIMARY KEY,
            dossier_code TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            resolved_at TEXT
        )"""
    )
    # Outbox bookkeeping: when the server confirmed a record, its answer, and the class of
    # the error that quarantined it (transport | authentication | clock | server | record).
    db.execute("ALTER TABLE outbox ADD COLUMN confirmed_at TEXT")
    db.execute("ALTER TABLE outbox ADD COLUMN answer TEXT")
    db.execute("ALTER TABLE outbox ADD COLUMN error_kind TEXT NOT NULL DEFAULT ''")

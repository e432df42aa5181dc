"""Schema migrations (run by store/sqlite_db.py). Never edit a released migration: add a new
one.

The name of the last migration this build knows is how we refuse a database written by a
newer app (see ``database.open_database``).
"""

from __future__ import annotations

from desk_app.store import (
    migrations_accounts,
    migrations_calendar,
    migrations_dossier_edits,
    migrations_forms,
    migrations_ocr,
    migrations_pages,
    migrations_queue,
    migrations_sync,
)
from desk_app.store.sqlite_db import Database, Migrations

MIGRATION_SET = "desk_app"
migrations = Migrations(MIGRATION_SET)


@migrations(name="0001_initial")
def m0001_initial(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )"""
    )
    db.execute(
        """
        CREATE TABLE procedures (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            field TEXT NOT NULL DEFAULT '',
            processing_days INTEGER NOT NULL,
            processing_hours REAL,
            fee INTEGER NOT NULL DEFAULT 0,
            fee_note TEXT NOT NULL DEFAULT '',
            legal_basis TEXT NOT NULL DEFAULT '',
            documents TEXT NOT NULL DEFAULT '[]',
            search TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 1,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """
        CREATE TABLE dossiers (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            code TEXT NOT NULL UNIQUE,
            unit_code TEXT NOT NULL,
            desk INTEGER NOT NULL,
            procedure_code TEXT NOT NULL,
            procedure_name TEXT NOT NULL,
            processing_days INTEGER NOT NULL,
            processing_hours REAL,
            fee INTEGER NOT NULL DEFAULT 0,
            applicant_name TEXT NOT NULL,
            applicant_id_number TEXT NOT NULL DEFAULT '',
            applicant_birth_date TEXT NOT NULL DEFAULT '',
            applicant_gender TEXT NOT NULL DEFAULT '',
            applicant_address TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            email TEXT NOT NULL DEFAULT '',
            sets INTEGER NOT NULL DEFAULT 1,
            return_channel TEXT NOT NULL DEFAULT 'desk',
            notes TEXT NOT NULL DEFAULT '',
            received_at TEXT NOT NULL,
            received_ts INTEGER NOT NULL,
            appointment_at TEXT NOT NULL,
            appointment_ts INTEGER NOT NULL,
            status TEXT NOT NULL,
            status_at TEXT NOT NULL,
            received_by TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            synced_at TEXT
        )"""
    )
    db.execute("CREATE INDEX dossiers_received ON dossiers (received_ts DESC, id DESC)")
    db.execute("CREATE INDEX dossiers_status_due ON dossiers (status, appointment_ts)")
    db.execute("CREATE INDEX dossiers_unsynced ON dossiers (synced_at) WHERE synced_at IS NULL")
    db.execute(
        """
        CREATE TABLE dossier_documents (
            dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (dossier_id, position)
        ) WITHOUT ROWID"""
    )
    db.execute(
        """
        CREATE TABLE dossier_events (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
            status TEXT NOT NULL,
            at TEXT NOT NULL,
            actor TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT 'desk'
        )"""
    )
    db.execute("CREATE INDEX dossier_events_dossier ON dossier_events (dossier_id, id)")
    # History is append-only: the database itself refuses edits and deletions.
    db.execute(
        """CREATE TRIGGER dossier_events_no_update BEFORE UPDATE ON dossier_events
           BEGIN SELECT RAISE(ABORT, 'dossier history is append-only'); END"""
    )
    db.execute(
        """CREATE TRIGGER dossier_events_no_delete BEFORE DELETE ON dossier_events
           BEGIN SELECT RAISE(ABORT, 'dossier history is append-only'); END"""
    )
    db.execute(
        """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            idempotency_key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            dossier_code TEXT NOT NULL DEFAULT '',
            payload TEXT NOT NULL,
            created_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT NOT NULL DEFAULT '',
            next_attempt_at TEXT
        )"""
    )
    db.execute("CREATE INDEX outbox_state ON outbox (state, id)")
    db.execute(
        """
        CREATE TABLE code_sequence (
            day TEXT NOT NULL,
            desk INTEGER NOT NULL,
            last INTEGER NOT NULL,
            PRIMARY KEY (day, desk)
        ) WITHOUT ROWID"""
    )
    db.execute(
        """
        CREATE TABLE calendar_overrides (
            day TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('off', 'work')),
            note TEXT NOT NULL DEFAULT ''
        )"""
    )
    # Folded (diacritics-free, đ->d) text; rowid = dossiers.id so newest-first is rowid DESC.
    db.execute(
        """CREATE VIRTUAL TABLE dossier_fts USING fts5(
               text, tokenize = "unicode61 remove_diacritics 2", prefix = '2 3')"""
    )


# Later areas keep their migrations in their own modules (which import nothing from this
# one); they are registered here, after 0001, in this fixed order so every database applies
# them in the same sequence. A new area goes at the end.
AREAS = (
    migrations_pages,  # 0002_*: scanned pages
    migrations_forms,  # 0003_*: receipts, tracking book
    migrations_sync,  # 0004_*: sync state
    migrations_calendar,  # 0008_*: province calendar
    migrations_ocr,  # 0009_*: recognised page text
    migrations_queue,  # 0010_*: queue indexes
    migrations_accounts,  # 0006_*: accounts, audit trail
    migrations_dossier_edits,  # 0005_*: dossier edits, collectors
)
for _area in AREAS:
    for _name, _fn in _area.migrations.items:
        migrations(name=_name)(_fn)


def known_migration_names() -> list[str]:
    return migrations.names()

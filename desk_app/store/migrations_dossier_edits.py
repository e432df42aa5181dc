"""Migrations for corrections of a saved dossier and for who collected its result.
Names start with 0005; never edit one once released: add 0005b_, 0005c_ ..."""

from __future__ import annotations

from desk_app.store.migration_steps import Steps
from desk_app.store.sqlite_db import Database

# Registered after the earlier areas by store/migrations.py (AREAS).
migrations = Steps()


@migrations(name="0005_dossier_edits_and_collectors")
def m0005_dossier_edits_and_collectors(db: Database) -> None:
    # One row per correction of a saved dossier: ``changes`` is JSON
    # {field: {"before": ..., "after": ...}} (``documents`` holds whole lists). Like the status
    # history it is append-only, so what the citizen was first given stays readable.
    db.execute(
        """
        CREATE TABLE dossier_edits (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
            at TEXT NOT NULL,
            actor TEXT NOT NULL DEFAULT '',
            changes TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT ''
        )"""
    )
    db.execute("CREATE INDEX dossier_edits_dossier ON dossier_edits (dossier_id, id)")
    # Who took the result away, per "returned" event: a person (name, ID number) or the post
    # (tracking number of the parcel).
    db.execute(
        """
        CREATE TABLE dossier_collectors (
            event_uuid TEXT PRIMARY KEY REFERENCES dossier_events(uuid),
            dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
            name TEXT NOT NULL DEFAULT '',
            id_number TEXT NOT NULL DEFAULT '',
            post_tracking TEXT NOT NULL DEFAULT ''
        )"""
    )
    db.execute("CREATE INDEX dossier_collectors_dossier ON dossier_collectors (dossier_id)")
    for table in ("dossier_edits", "dossier_collectors"):
        for action in ("UPDATE", "DELETE"):
            db.execute(
                f"""CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table}
                    BEGIN SELECT RAISE(ABORT, 'dossier history is append-only'); END"""
            )

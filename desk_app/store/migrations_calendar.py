"""Migrations for the working-day calendar. Names start with 0008_; never edit one once released."""

from __future__ import annotations

from desk_app.store.migration_steps import Steps
from desk_app.store.sqlite_db import Database

# Registered after the earlier areas by store/migrations.py (AREAS).
migrations = Steps()


@migrations(name="0008_province_calendar")
def m0008_province_calendar(db: Database) -> None:
    # Days the province publishes through the change feed live apart from the desk's own
    # overrides, so a desk's override keeps winning over a later province change and either can
    # be cleared without touching the other (docs/calendar.md).
    db.execute(
        """
        CREATE TABLE province_calendar (
            day TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('off', 'work')),
            note TEXT NOT NULL DEFAULT ''
        )"""
    )

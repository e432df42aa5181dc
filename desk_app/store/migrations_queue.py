"""Indexes for the queue's filters. Names start with 0010_; never edit one once released."""

from __future__ import annotations

from desk_app.store.migration_steps import Steps
from desk_app.store.sqlite_db import Database

# Registered after the earlier areas by store/migrations.py (AREAS).
migrations = Steps()


@migrations(name="0010_queue_indexes")
def m0010_queue_indexes(db: Database) -> None:
    # A status filter reads its dossiers newest first straight from this index: "withdrawn"
    # with none at all answered after walking the whole received-time index (2.6 s cold at 1M).
    db.execute("CREATE INDEX dossiers_status_received ON dossiers (status, received_ts DESC, id DESC)")
    # Not yet confirmed by the province, newest first.
    db.execute("CREATE INDEX dossiers_unsynced_received ON dossiers (received_ts DESC, id DESC) WHERE synced_at IS NULL")
    # Row counts per index for the planner (sampled: a second even at a million dossiers).
    db.execute("PRAGMA analysis_limit = 400")
    db.execute("ANALYZE")


@migrations(name="0010b_unsynced_status_index")
def m0010b_unsynced_status_index(db: Database) -> None:
    # "Not yet synced" with a status: two broad filters whose overlap may be empty (returned
    # dossiers are mostly confirmed); either index alone walks half the table to find nothing.
    db.execute(
        "CREATE INDEX dossiers_unsynced_status ON dossiers (status, received_ts DESC, id DESC) WHERE synced_at IS NULL"
    )
    db.execute("ANALYZE dossiers")

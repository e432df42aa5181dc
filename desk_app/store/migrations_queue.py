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


@migrations(name="0013_queue_covering_indexes")
def m0013_queue_covering_indexes(db: Database) -> None:
    # Read cold (the first queue after a restart), every page an index or the table needs is a
    # disk read of its own (~0.1 ms). The filter's columns are therefore in each index the queue
    # walks, so the page's ids and the few-rows check come from indexes alone, and the 440-byte
    # table rows are read for the page's 200 rows only (docs/queue-speed.md, "Cold"). Before:
    # "due" with dates checked up to 5,000 table rows (0.3 s cold), a status with common search
    # text 3,300 scattered rows (0.25 s cold).
    filters = "status, appointment_ts, synced_at"
    for name, columns, where in (
        ("dossiers_received", f"received_ts DESC, id DESC, {filters}", ""),
        ("dossiers_status_received", "status, received_ts DESC, id DESC, appointment_ts, synced_at", ""),
        ("dossiers_status_due", "status, appointment_ts, received_ts", ""),
        ("dossiers_unsynced_received", f"received_ts DESC, id DESC, {filters}", " WHERE synced_at IS NULL"),
        ("dossiers_unsynced_status", "status, received_ts DESC, id DESC, appointment_ts, synced_at", " WHERE synced_at IS NULL"),
    ):
        db.execute(f"DROP INDEX {name}")
        db.execute(f"CREATE INDEX {name} ON dossiers ({columns}){where}")
    # Search text with a status: each hit is checked in that status's own stretch of ids (a few
    # dense pages); without a status, by id.
    db.execute("CREATE INDEX dossiers_status_id ON dossiers (status, id, received_ts, appointment_ts, synced_at)")
    db.execute("CREATE INDEX dossiers_filter ON dossiers (id, status, received_ts, appointment_ts, synced_at)")
    db.execute("PRAGMA analysis_limit = 400")
    db.execute("ANALYZE dossiers")

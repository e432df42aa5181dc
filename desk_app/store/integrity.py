"""Database-level checks for ``desk verify``: SQLite's own integrity check and the
consistency of the outbox with what it mirrors (every change the province must learn about
committed with its outbox entry, store/desk_store.py)."""

from __future__ import annotations

import sqlite3
from typing import Any

from desk_app.store.sqlite_db import Database

OUTBOX_STATES = ("pending", "done", "quarantined")
LIMIT = 50  # problems listed per check; the count says how many there are


def sqlite_problems(db: Database) -> list[dict[str, Any]]:
    try:
        rows = db.conn.execute("PRAGMA integrity_check").fetchall()
        keys = db.conn.execute("PRAGMA foreign_key_check").fetchmany(LIMIT)
    except sqlite3.DatabaseError as exc:
        return [{"kind": "sqlite", "detail": str(exc)}]
    problems = [{"kind": "sqlite", "detail": r[0]} for r in rows if r[0] != "ok"]
    problems += [{"kind": "sqlite_foreign_key", "table": r[0], "rowid": r[1], "parent": r[2]} for r in keys]
    return problems


_CHECKS = {
    # A dossier whose "received" record never reached the outbox would never reach the province.
    "outbox_missing_dossier": """
        SELECT d.code FROM dossiers d
        WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.idempotency_key = d.uuid)""",
    # A status change made at this desk without its outbox record.
    "outbox_missing_event": """
        SELECT d.code, e.uuid FROM dossier_events e JOIN dossiers d ON d.id = e.dossier_id
        WHERE e.source = 'desk' AND e.id != (SELECT min(id) FROM dossier_events f WHERE f.dossier_id = e.dossier_id)
          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.idempotency_key = e.uuid)""",
    # An outbox record about a dossier this desk does not have.
    "outbox_unknown_dossier": """
        SELECT o.idempotency_key, o.dossier_code AS code FROM outbox o
        WHERE o.dossier_code != '' AND NOT EXISTS (SELECT 1 FROM dossiers d WHERE d.code = o.dossier_code)""",
    "outbox_bad_state": f"""
        SELECT o.idempotency_key, o.state FROM outbox o WHERE o.state NOT IN {OUTBOX_STATES}""",
    # Marked synced, yet the province never confirmed its "received" record.
    "outbox_synced_unconfirmed": """
        SELECT d.code FROM dossiers d JOIN outbox o ON o.idempotency_key = d.uuid
        WHERE d.synced_at IS NOT NULL AND o.state != 'done'""",
}


def outbox_problems(db: Database) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []
    for kind, sql in _CHECKS.items():
        try:
            cursor = db.conn.execute(sql + f" LIMIT {LIMIT}")
        except sqlite3.DatabaseError as exc:
            problems.append({"kind": kind, "detail": str(exc)})
            continue
        names = [d[0] for d in cursor.description]
        problems += [{"kind": kind, **dict(zip(names, row))} for row in cursor.fetchall()]
    return problems


_FIGURE_TOTALS = """
    SELECT 'received', count(*) FROM dossiers
    UNION ALL SELECT 'unsynced', count(*) FROM dossiers WHERE synced_at IS NULL
    UNION ALL SELECT 'digitised', count(DISTINCT dossier_id) FROM dossier_pages
    UNION ALL SELECT 'status:' || status, count(*) FROM dossiers GROUP BY status
    UNION ALL SELECT CASE e.status WHEN 'result_ready' THEN
                 CASE WHEN unixepoch(e.at) <= d.appointment_ts THEN 'processed_on_time' ELSE 'processed_late' END
             WHEN 'returned' THEN 'returned_to_citizen' ELSE e.status END, count(DISTINCT e.dossier_id)
        FROM dossier_events e JOIN dossiers d ON d.id = e.dossier_id
        WHERE e.status IN ('result_ready', 'returned', 'refused') GROUP BY 1"""


def report_problems(db: Database) -> list[dict[str, Any]]:
    """The report's kept figures (``report_daily``, migration 0006d) against a recount."""
    try:
        kept = dict(db.conn.execute("SELECT figure, sum(n) FROM report_daily GROUP BY figure").fetchall())
        actual = dict(db.conn.execute(_FIGURE_TOTALS).fetchall())
    except sqlite3.DatabaseError as exc:
        return [{"kind": "report_figures", "detail": str(exc)}]
    return [
        {"kind": "report_figures", "figure": figure, "kept": kept.get(figure, 0), "actual": actual.get(figure, 0)}
        for figure in sorted(set(kept) | set(actual))
        if kept.get(figure, 0) != actual.get(figure, 0)
    ]

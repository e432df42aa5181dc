"""Database-level checks for ``desk verify`` (issue 11): SQLite's own integrity check and the
consistency of the outbox with what it mirrors (every change the province must learn about
committed with its outbox entry, store/desk_store.py)."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlite_utils import Database

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

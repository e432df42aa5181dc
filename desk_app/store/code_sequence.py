"""Raising the desk's per-day counters to what the province already holds for this desk
(docs/dossier-codes.md, "A lost database"). Counters only ever go up here."""

from __future__ import annotations

from typing import Any

from desk_app.store.database import write_transaction
from desk_app.store.sqlite_db import Database

MAX_COUNTER = 9999  # docs/dossier-codes.md: the last sequence of a day


def raise_counters(db: Database, desk: int, last: Any) -> int:
    """``last`` is the heartbeat's {yymmdd: counter}; odd entries are skipped. Returns how many
    days were raised."""
    if not isinstance(last, dict):
        return 0
    days = {
        day: counter
        for day, counter in list(last.items())[:400]
        if isinstance(day, str) and len(day) == 6 and day.isascii() and day.isdigit()
        and isinstance(counter, int) and not isinstance(counter, bool) and 0 < counter <= MAX_COUNTER
    }
    raised = 0
    with write_transaction(db):
        for day, counter in days.items():
            cursor = db.conn.execute(
                "INSERT INTO code_sequence (day, desk, last) VALUES (?, ?, ?) "
                "ON CONFLICT(day, desk) DO UPDATE SET last = excluded.last WHERE excluded.last > last",
                (day, desk, counter),
            )
            raised += cursor.rowcount
    return raised

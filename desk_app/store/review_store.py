"""The supervisor's review queue: dossiers needing attention, by view and filters.

Thread model: one thread at a time, like ``DeskStore``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desk_app.domain.dossier import AWAITING_RESULT, REFUSED, SUPPLEMENT_REQUESTED
from desk_app.store.database import read_rows
from desk_app.store.queue_plan import sql_list
from desk_app.store.sqlite_db import Database

# Working = still with the commune (the domain's AWAITING_RESULT); result-ready ones wait for
# the citizen, not for the staff. Inlined as literals, not bound: the status keys are fixed
# identifiers and the planner then sees the same SQL as the queue's (store/queue_plan.py).
WORKING = sql_list(AWAITING_RESULT)
REVIEW_COLUMNS = (
    "d.id, d.code, d.applicant_name, d.procedure_code, d.procedure_name, d.received_by, d.received_at, "
    "d.appointment_at, d.appointment_ts, d.status, d.synced_at"
)


@dataclass(frozen=True)
class ReviewFilter:
    """``view``: due_today, due_soon, overdue, supplement, refused, unsynced. Times are the
    caller's (the service's injected clock)."""

    view: str
    now_ts: int
    today_end_ts: int
    soon_end_ts: int  # end of the 2nd working day from today
    received_by: str = ""
    procedure_code: str = ""
    from_ts: int | None = None  # received on or after
    to_ts: int | None = None  # received before


def _view_clause(flt: ReviewFilter) -> tuple[str, list[Any]]:
    if flt.view == "due_today":
        return f"d.status IN {WORKING} AND d.appointment_ts >= ? AND d.appointment_ts <= ?", [flt.now_ts, flt.today_end_ts]
    if flt.view == "due_soon":
        return f"d.status IN {WORKING} AND d.appointment_ts >= ? AND d.appointment_ts <= ?", [flt.now_ts, flt.soon_end_ts]
    if flt.view == "overdue":
        return f"d.status IN {WORKING} AND d.appointment_ts < ?", [flt.now_ts]
    if flt.view == "supplement":
        return f"d.status = '{SUPPLEMENT_REQUESTED}'", []
    if flt.view == "refused":
        return f"d.status = '{REFUSED}'", []
    # unsynced: not yet confirmed by the province, or with a record the server refused
    return (
        "(d.synced_at IS NULL OR d.code IN (SELECT dossier_code FROM outbox WHERE state = 'quarantined'))",
        [],
    )


class ReviewStore:
    def __init__(self, db: Database):
        self.db = db

    def rows(self, flt: ReviewFilter, *, limit: int = 1000) -> list[dict[str, Any]]:
        clause, params = _view_clause(flt)
        clauses = [clause]
        for column, value in (("d.received_by", flt.received_by), ("d.procedure_code", flt.procedure_code)):
            if value:
                clauses.append(f"{column} = ?")
                params.append(value)
        if flt.from_ts is not None:
            clauses.append("d.received_ts >= ?")
            params.append(flt.from_ts)
        if flt.to_ts is not None:
            clauses.append("d.received_ts < ?")
            params.append(flt.to_ts)
        sql = (
            f"SELECT {REVIEW_COLUMNS}, EXISTS (SELECT 1 FROM outbox o WHERE o.dossier_code = d.code "
            f"AND o.state = 'quarantined') AS quarantined FROM dossiers d WHERE {' AND '.join(clauses)} "
            "ORDER BY d.appointment_ts, d.id LIMIT ?"
        )
        return read_rows(self.db, sql, params + [limit])

    def count(self, flt: ReviewFilter) -> int:
        clause, params = _view_clause(flt)
        return int(read_rows(self.db, f"SELECT count(*) AS n FROM dossiers d WHERE {clause}", params)[0]["n"])

    def receivers(self) -> list[str]:
        return [r["received_by"] for r in read_rows(self.db, "SELECT DISTINCT received_by FROM dossiers ORDER BY 1")]

"""The period report's counts, straight from SQL (issue 11; definitions in docs/permissions.md).

Dossiers are selected by ``received_ts`` (indexed); status events by (status, at) with a text
range one day wider than the period on each side (index 0006b) and then exactly by
``unixepoch(at)``, so an event written with another UTC offset still falls on the right local day.
Vietnam has no daylight saving time: local date = UTC + 7 h.

Thread model: one thread at a time, like ``DeskStore``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlite_utils import Database

from desk_app.store.database import read_rows

VN_OFFSET = 7 * 3600
EVENT_STATUSES = ("result_ready", "returned", "refused")


def _bounds(date_from: date, date_to: date) -> dict[str, Any]:
    from desk_app.store.desk_store import _day_start_ts

    return {
        "start": _day_start_ts(date_from),
        "end": _day_start_ts(date_to + timedelta(days=1)),
        "text_from": (date_from - timedelta(days=1)).isoformat(),
        "text_to": (date_to + timedelta(days=2)).isoformat(),
        "offset": VN_OFFSET,
    }


_EVENTS = """
    SELECT e.status AS status, e.dossier_id AS dossier_id, e.actor AS actor,
           unixepoch(e.at) AS ts, d.appointment_ts AS due, d.procedure_code AS procedure_code,
           d.procedure_name AS procedure_name
    FROM dossier_events e JOIN dossiers d ON d.id = e.dossier_id
    WHERE e.status = :status AND e.at >= :text_from AND e.at < :text_to
      AND unixepoch(e.at) >= :start AND unixepoch(e.at) < :end
"""


class ReportStore:
    def __init__(self, db: Database):
        self.db = db

    def _read(self, sql: str, params: dict) -> list[dict[str, Any]]:
        return read_rows(self.db, sql, params)

    def received_groups(self, date_from: date, date_to: date) -> list[dict[str, Any]]:
        """Dossiers received in the period, grouped by (procedure, receiver, local day, status),
        with how many have a stored page and how many the province has not confirmed."""
        return self._read(
            """SELECT procedure_code, procedure_name, received_by,
                      date(received_ts + :offset, 'unixepoch') AS day, status,
                      count(*) AS received,
                      sum(EXISTS (SELECT 1 FROM dossier_pages p WHERE p.dossier_id = d.id)) AS digitised,
                      sum(synced_at IS NULL) AS unsynced
               FROM dossiers d
               WHERE received_ts >= :start AND received_ts < :end
               GROUP BY 1, 2, 3, 4, 5""",
            _bounds(date_from, date_to),
        )

    def event_groups(self, date_from: date, date_to: date) -> list[dict[str, Any]]:
        """Dossiers that reached result_ready / returned / refused in the period (each dossier
        once per status), grouped by (status, procedure, actor, local day), with on-time counts
        for result_ready (reached at or before the appointment)."""
        rows: list[dict[str, Any]] = []
        params = _bounds(date_from, date_to)
        for status in EVENT_STATUSES:
            rows += self._read(
                f"""SELECT status, procedure_code, procedure_name, actor,
                           date(ts + :offset, 'unixepoch') AS day,
                           count(DISTINCT dossier_id) AS n,
                           count(DISTINCT CASE WHEN ts <= due THEN dossier_id END) AS on_time
                    FROM ({_EVENTS})
                    GROUP BY 1, 2, 3, 4, 5""",
                {**params, "status": status},
            )
        return rows

"""What the period report counts, read straight from SQL (issue 11; definitions in docs/permissions.md).

Raw tuples, counted in Python with ``Counter`` over ``itemgetter`` (services/report.py): at 900
dossiers a day a 30-day report reads ~27,000 dossiers and ~30,000 events, and one
covering-index scan each is cheaper than one GROUP BY per dimension (bench/bench_report.py). Dossiers are selected by
``received_ts``; status events by (status, at) with a text range one day wider than the period
on each side, then exactly by ``unixepoch(at)``, so an event written with another UTC offset
still falls on its local day. Vietnam has no daylight saving time: local date = UTC + 7 h.

Thread model: one thread at a time, like ``DeskStore``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlite_utils import Database

from desk_app.store.database import translate_sqlite_error

VN_OFFSET = 7 * 3600
EVENT_STATUSES = ("result_ready", "returned", "refused")


def day_start_ts(day: date) -> int:
    from desk_app.store.desk_store import _day_start_ts

    return _day_start_ts(day)


class ReportStore:
    def __init__(self, db: Database):
        self.db = db

    def _rows(self, sql: str, params: tuple) -> list[tuple]:
        import sqlite3

        try:
            return self.db.conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise translate_sqlite_error(exc) from None

    def received(self, date_from: date, date_to: date) -> list[tuple]:
        """(id, procedure_code, received_by, local day number, status, unsynced) of the
        dossiers received in the period (index ``dossiers_report`` covers it)."""
        return self._rows(
            "SELECT id, procedure_code, received_by, (received_ts + ?) / 86400, status, synced_at IS NULL "
            "FROM dossiers WHERE received_ts >= ? AND received_ts < ?",
            (VN_OFFSET, day_start_ts(date_from), day_start_ts(date_to + timedelta(days=1))),
        )

    def with_pages(self, low_id: int, high_id: int) -> set[int]:
        """Ids in [low_id, high_id] of dossiers with at least one stored page."""
        rows = self._rows(
            "SELECT DISTINCT dossier_id FROM dossier_pages WHERE dossier_id BETWEEN ? AND ?", (low_id, high_id)
        )
        return {r[0] for r in rows}

    def events(self, date_from: date, date_to: date) -> list[tuple]:
        """(figure, dossier_id, actor, local day number, procedure_code) of the result-ready,
        returned and refused events in the period; figure is the report field the event counts
        in (result ready at/before the appointment is on time, after it late)."""
        marks = ", ".join("?" for _ in EVENT_STATUSES)
        return self._rows(
            f"""SELECT CASE e.status WHEN 'result_ready' THEN
                         CASE WHEN unixepoch(e.at) <= d.appointment_ts THEN 'processed_on_time' ELSE 'processed_late' END
                       WHEN 'returned' THEN 'returned_to_citizen' ELSE e.status END,
                       e.dossier_id, e.actor, (unixepoch(e.at) + ?) / 86400, d.procedure_code
                FROM dossier_events e JOIN dossiers d ON d.id = e.dossier_id
                WHERE e.status IN ({marks}) AND e.at >= ? AND e.at < ?
                  AND unixepoch(e.at) >= ? AND unixepoch(e.at) < ?""",
            (
                VN_OFFSET,
                *EVENT_STATUSES,
                (date_from - timedelta(days=1)).isoformat(),
                (date_to + timedelta(days=2)).isoformat(),
                day_start_ts(date_from),
                day_start_ts(date_to + timedelta(days=1)),
            ),
        )

    def procedure_names(self, codes: set[str]) -> dict[str, str]:
        """Names of ``codes``: the catalogue's, else the name a dossier recorded."""
        names = {r[0]: r[1] for r in self._rows("SELECT code, name FROM procedures", ())}
        for code in codes - set(names):
            row = self._rows("SELECT procedure_name FROM dossiers WHERE procedure_code = ? LIMIT 1", (code,))
            names[code] = row[0][0] if row else code
        return {code: names[code] for code in codes}

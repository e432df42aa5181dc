"""What the period report counts (definitions in docs/permissions.md).

The figures are kept per (local day, procedure, person) in ``report_daily`` by triggers on
the dossiers, their events and pages (migration 0006d), so a 30-day report reads a few
thousand small rows whatever the size of the desk (bench/bench_report.py).

Thread model: one thread at a time, like ``DeskStore``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from desk_app.store.database import translate_sqlite_error
from desk_app.store.sqlite_db import Database


class ReportStore:
    def __init__(self, db: Database):
        self.db = db

    def _rows(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        import sqlite3

        try:
            return self.db.conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise translate_sqlite_error(exc) from exc

    def daily(self, date_from: date, date_to: date) -> dict[str, list[tuple[Any, ...]]]:
        """The period's figures summed per dimension: {"total": [(figure, n)], "procedure" /
        "person" / "day": [(key, figure, n)]} (days inclusive; SQLite sums, Python only sorts)."""
        where = "WHERE day >= ? AND day <= ?"
        params = (date_from.isoformat(), date_to.isoformat())
        out = {"total": self._rows(f"SELECT figure, sum(n) FROM report_daily {where} GROUP BY figure", params)}
        for name, column in (("procedure", "procedure_code"), ("person", "person"), ("day", "day")):
            out[name] = self._rows(
                f"SELECT {column}, figure, sum(n) FROM report_daily {where} AND figure NOT LIKE 'status:%' "
                "GROUP BY 1, 2", params,
            )
        return out

    def procedure_names(self, codes: set[str]) -> dict[str, str]:
        """Names of ``codes``: the catalogue's, else the name a dossier recorded."""
        names = {r[0]: r[1] for r in self._rows("SELECT code, name FROM procedures", ())}
        for code in codes - set(names):
            row = self._rows("SELECT procedure_name FROM dossiers WHERE procedure_code = ? LIMIT 1", (code,))
            names[code] = row[0][0] if row else code
        return {code: names[code] for code in codes}

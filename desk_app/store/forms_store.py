"""Reads and writes of the printing tables (migration 0003): tracking-book numbers and the
print log. Same rules as ``DeskStore``: one thread at a time, each write one transaction."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from desk_app.store.database import write_transaction
from desk_app.store.desk_store import DeskStore
from desk_app.store.queue_plan import day_start_ts

# ``form_prints.target`` of a paper print: "printer:<name>" (files are "pdf:<path>").
PAPER_PREFIX = "printer:"


class FormsStore:
    def __init__(self, store: DeskStore):
        self.store = store

    @property
    def conn(self) -> sqlite3.Connection:
        return self.store.db.conn

    def book_entry(self, dossier_id: int) -> dict[str, Any] | None:
        rows = self.store._read("SELECT volume, number FROM tracking_book WHERE dossier_id = ?", (dossier_id,))
        return rows[0] if rows else None

    def enter_in_book(self, entries: list[tuple[int, str]], *, at: str) -> None:
        """Give each (dossier id, volume) not yet in the book the next number of its volume,
        in the order given, in one transaction."""
        with write_transaction(self.store.db):
            for dossier_id, volume in entries:
                self.conn.execute(
                    """INSERT INTO tracking_book (dossier_id, volume, number, entered_at)
                       SELECT ?, ?, coalesce(max(number), 0) + 1, ? FROM tracking_book WHERE volume = ?
                       ON CONFLICT(dossier_id) DO NOTHING""",
                    (dossier_id, volume, at, volume),
                )

    def print_count(self, dossier_id: int, form: str) -> int:
        """Paper issues of ``form`` so far. A PDF file is logged too but is not a paper handed
        to anyone, so it does not make the next paper a copy."""
        return int(self.store._read(
            "SELECT count(*) AS n FROM form_prints WHERE dossier_id = ? AND form = ? AND target LIKE ?",
            (dossier_id, form, f"{PAPER_PREFIX}%"),
        )[0]["n"])

    def record_print(
        self, *, dossier_id: int, form: str, copy_number: int, layout: str, target: str, at: str, actor: str
    ) -> int:
        with write_transaction(self.store.db):
            cursor = self.conn.execute(
                "INSERT INTO form_prints (dossier_id, form, copy_number, layout, target, printed_at, actor) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (dossier_id, form, copy_number, layout, target, at, actor),
            )
            assert cursor.lastrowid is not None  # set by every successful INSERT
            return cursor.lastrowid

    def prints(self, dossier_id: int) -> list[dict[str, Any]]:
        return self.store._read(
            "SELECT form, copy_number, layout, target, printed_at, actor FROM form_prints "
            "WHERE dossier_id = ? ORDER BY id",
            (dossier_id,),
        )

    def dossiers_received_between(self, date_from: date, date_to: date) -> list[dict[str, Any]]:
        """Dossiers received in [date_from, date_to] (local dates), oldest first, with their
        book entry (volume/number may be None) and the times of later milestones."""
        return self.store._read(
            """SELECT d.id, d.code, d.desk, d.procedure_name, d.sets, d.applicant_name, d.applicant_address,
                      d.phone, d.email, d.received_at, d.appointment_at, d.notes, d.status,
                      b.volume, b.number,
                      (SELECT min(at) FROM dossier_events e WHERE e.dossier_id = d.id AND e.status = 'transferred') AS transferred_at,
                      (SELECT min(at) FROM dossier_events e
                        WHERE e.dossier_id = d.id AND e.status IN ('result_ready', 'refused')) AS result_at,
                      (SELECT min(at) FROM dossier_events e WHERE e.dossier_id = d.id AND e.status = 'returned') AS returned_at
               FROM dossiers d LEFT JOIN tracking_book b ON b.dossier_id = d.id
               WHERE d.received_ts >= ? AND d.received_ts < ?
               ORDER BY d.received_ts, d.id""",
            (day_start_ts(date_from), day_start_ts(date_to) + 86400),
        )

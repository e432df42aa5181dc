"""All reads and writes of the desk database. Every write is one transaction, and every
change that the province must learn about writes its outbox entry in that same transaction.

Thread model: one thread at a time (see ``database``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desk_app.domain.catalogue import Procedure
from desk_app.domain.errors import NotFoundError, StoreError
from desk_app.domain.ids import new_uuid
from desk_app.store.database import Params, open_database, read_rows, write_transaction
from desk_app.store.search_index import fts_document
from desk_app.store.sqlite_db import Database

if TYPE_CHECKING:
    from desk_app.domain.intake_record import IntakeRecord
    from desk_app.store.queue_plan import QueueFilter
    from desk_app.store.queue_reader import QueueReader

DOSSIER_COLUMNS = (
    "id, uuid, code, unit_code, desk, procedure_code, procedure_name, processing_days, "
    "processing_hours, fee, applicant_name, applicant_id_number, applicant_birth_date, "
    "applicant_gender, applicant_address, phone, email, sets, return_channel, notes, "
    "received_at, received_ts, appointment_at, appointment_ts, status, status_at, "
    "received_by, created_at, synced_at"
)
def upsert_procedure(conn: sqlite3.Connection, proc: Procedure, *, source: str, active: bool, now: str) -> None:
    """Insert or update one catalogue row, inside the caller's write transaction (the catalogue
    import here and the province's change feed in ``sync_store`` both write through this)."""
    conn.execute(
        """INSERT INTO procedures (code, name, field, processing_days, processing_hours,
               fee, fee_note, legal_basis, documents, search, source, active, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(code) DO UPDATE SET name = excluded.name, field = excluded.field,
               processing_days = excluded.processing_days,
               processing_hours = excluded.processing_hours, fee = excluded.fee,
               fee_note = excluded.fee_note, legal_basis = excluded.legal_basis,
               documents = excluded.documents, search = excluded.search,
               source = excluded.source, active = excluded.active, updated_at = excluded.updated_at""",
        (
            proc.code,
            proc.name,
            proc.field,
            proc.processing_days,
            proc.processing_hours,
            proc.fee,
            proc.fee_note,
            proc.legal_basis,
            json.dumps([d.__dict__ for d in proc.documents], ensure_ascii=False),
            proc.search_text,
            source,
            1 if active else 0,
            now,
        ),
    )


CALENDAR_TABLES = {"desk": "calendar_overrides", "province": "province_calendar"}


def write_calendar_override(
    conn: sqlite3.Connection, day: str, kind: str | None, note: str = "", *, source: str = "desk"
) -> None:
    """Set (``kind`` "off"/"work") or clear (None) one day's override of the desk's own table or
    of the province's (``source``), inside the caller's write transaction."""
    table = CALENDAR_TABLES[source]
    if kind is None:
        conn.execute(f"DELETE FROM {table} WHERE day = ?", (day,))
    else:
        conn.execute(
            f"INSERT INTO {table} (day, kind, note) VALUES (?, ?, ?) "
            "ON CONFLICT(day) DO UPDATE SET kind = excluded.kind, note = excluded.note",
            (day, kind, note),
        )



class DeskStore:
    """The one writer of the desk database."""

    def __init__(self, db: Database, path: Path):
        self.db = db
        self.path = path
        self._queue_reader: QueueReader | None = None

    @classmethod
    def open(cls, data_dir: Path, *, create: bool = True) -> DeskStore:
        return cls(open_database(data_dir, create=create), Path(data_dir))

    def close(self) -> None:
        if self._queue_reader is not None:
            self._queue_reader.close()
        self.db.conn.close()

    def _read(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        return read_rows(self.db, sql, params, self.path)

    # --- settings -------------------------------------------------------------------------
    def get_setting(self, key: str, default: Any = None) -> Any:
        rows = self._read("SELECT key, value FROM settings WHERE key = ?", (key,))
        return _setting_value(rows[0]) if rows else default

    def all_settings(self) -> dict[str, Any]:
        return {r["key"]: _setting_value(r) for r in self._read("SELECT key, value FROM settings")}

    def set_settings(self, values: dict[str, Any]) -> None:
        with write_transaction(self.db):
            for key, value in values.items():
                self.db.conn.execute(
                    "INSERT INTO settings (key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (key, json.dumps(value, ensure_ascii=False)),
                )

    # --- catalogue ------------------------------------------------------------------------
    def replace_procedures(
        self, procedures: list[Procedure], *, source: str, now: str, retire_sources: tuple[str, ...] = ()
    ) -> int:
        """Upsert ``procedures``; procedures of the same source (and of ``retire_sources``)
        that are not in the new list are deactivated (never deleted: old dossiers still name
        them). One transaction: a failed import changes nothing."""
        with write_transaction(self.db):
            conn = self.db.conn
            for old_source in (source, *retire_sources):
                conn.execute("UPDATE procedures SET active = 0 WHERE source = ?", (old_source,))
            for proc in procedures:
                upsert_procedure(conn, proc, source=source, active=True, now=now)
        return len(procedures)

    @staticmethod
    def _procedure(row: dict[str, Any]) -> Procedure:
        return Procedure.from_dict(
            {
                "code": row["code"],
                "name": row["name"],
                "field": row["field"],
                "processing_days": row["processing_days"],
                "processing_hours": row["processing_hours"],
                "fee": row["fee"],
                "fee_note": row["fee_note"],
                "legal_basis": row["legal_basis"],
                "documents": json.loads(row["documents"]),
            }
        )

    def list_procedures(self) -> list[Procedure]:
        rows = self._read("SELECT * FROM procedures WHERE active = 1 ORDER BY field, name")
        return [self._procedure(r) for r in rows]

    def get_procedure(self, code: str, *, active_only: bool = False) -> Procedure:
        rows = self._read("SELECT * FROM procedures WHERE code = ?", ((code or "").strip().upper(),))
        if not rows:
            raise NotFoundError("Không có thủ tục mã {code} trong danh mục.", field="procedure_code", code=code)
        if active_only and not rows[0]["active"]:
            raise NotFoundError(
                "Thủ tục mã {code} không còn trong danh mục đang áp dụng.", field="procedure_code", code=code
            )
        return self._procedure(rows[0])

    def latest_created_at(self) -> str | None:
        """``created_at`` of the newest dossier (by id), to notice a PC clock set backwards."""
        rows = self._read("SELECT created_at FROM dossiers ORDER BY id DESC LIMIT 1")
        return rows[0]["created_at"] if rows else None

    def dossier_count(self) -> int:
        return int(self._read("SELECT count(*) AS n FROM dossiers")[0]["n"])

    def count_procedures(self) -> int:
        return int(self._read("SELECT count(*) AS n FROM procedures WHERE active = 1")[0]["n"])

    # --- calendar -------------------------------------------------------------------------
    def calendar_overrides(self, source: str = "desk") -> dict[date, str]:
        rows = self._read(f"SELECT day, kind FROM {CALENDAR_TABLES[source]}")
        return {date.fromisoformat(r["day"]): r["kind"] for r in rows}

    def list_calendar_overrides(self, source: str = "desk") -> list[dict[str, str]]:
        return self._read(f"SELECT day, kind, note FROM {CALENDAR_TABLES[source]} ORDER BY day")

    def set_calendar_override(self, day: date, kind: str | None, note: str = "") -> None:
        with write_transaction(self.db):
            write_calendar_override(self.db.conn, day.isoformat(), kind, note)

    # --- dossiers -------------------------------------------------------------------------
    def insert_dossier(
        self,
        *,
        make_record: Callable[[int], IntakeRecord],
        day_key: str,
        desk: int,
        documents: list[dict[str, Any]],
        actor: str,
        outbox_payload: Callable[[IntakeRecord, str], dict[str, Any]],
    ) -> IntakeRecord:
        """Allocate the next sequence of (day, desk), build the row with ``make_record(counter)``
        and commit it with its documents, its first history event and its outbox entry, all in
        one durable transaction."""
        with write_transaction(self.db):
            conn = self.db.conn
            row = conn.execute(
                "INSERT INTO code_sequence (day, desk, last) VALUES (?, ?, 1) "
                "ON CONFLICT(day, desk) DO UPDATE SET last = last + 1 RETURNING last",
                (day_key, desk),
            ).fetchone()
            record = make_record(row[0])
            values = record.columns()
            if conn.execute("SELECT 1 FROM dossiers WHERE code = ?", (record.code,)).fetchone():
                # Only possible when two PCs were set up as the same desk (see
                # docs/dossier-codes.md).
                raise StoreError(
                    "Mã hồ sơ {code} đã tồn tại: hai máy đang dùng cùng số bàn? Không có gì được ghi.",
                    code=record.code,
                )
            cursor = conn.execute(
                f"INSERT INTO dossiers ({', '.join(values)}) VALUES ({', '.join('?' for _ in values)})",
                list(values.values()),
            )
            dossier_id = cursor.lastrowid
            conn.executemany(
                "INSERT INTO dossier_documents (dossier_id, position, name, kind, count) VALUES (?, ?, ?, ?, ?)",
                [(dossier_id, i, d["name"], d["kind"], d["count"]) for i, d in enumerate(documents)],
            )
            event_uuid = new_uuid()
            conn.execute(
                "INSERT INTO dossier_events (uuid, dossier_id, status, at, actor, note) VALUES (?, ?, ?, ?, ?, '')",
                (event_uuid, dossier_id, record.status, record.received_at, actor),
            )
            conn.execute("INSERT INTO dossier_fts (rowid, text) VALUES (?, ?)", (dossier_id, fts_document(values)))
            payload = outbox_payload(record, event_uuid)
            conn.execute(
                "INSERT INTO outbox (idempotency_key, kind, dossier_code, payload, created_at) VALUES (?, ?, ?, ?, ?)",
                (record.uuid, "dossier.received", record.code, json.dumps(payload, ensure_ascii=False), record.created_at),
            )
        return record

    def find_dossier_row(self, code: str) -> dict[str, Any]:
        rows = self._read(f"SELECT {DOSSIER_COLUMNS} FROM dossiers WHERE code = ?", ((code or "").strip().upper(),))
        if not rows:
            raise NotFoundError("Không tìm thấy hồ sơ {code}.", field="code", code=code)
        return rows[0]

    def dossier_documents(self, dossier_id: int) -> list[dict[str, Any]]:
        return self._read(
            "SELECT name, kind, count FROM dossier_documents WHERE dossier_id = ? ORDER BY position", (dossier_id,)
        )

    def dossier_history(self, dossier_id: int) -> list[dict[str, Any]]:
        return self._read(
            "SELECT uuid, status, at, actor, note, source FROM dossier_events WHERE dossier_id = ? ORDER BY id",
            (dossier_id,),
        )

    def append_event(
        self,
        *,
        dossier: dict[str, Any],
        status: str,
        at: str,
        actor: str,
        note: str,
        outbox_payload: Callable[[dict[str, Any]], dict[str, Any]],
        collector: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Record a status change: event, current status and outbox entry in one transaction.
        The status is re-read inside the transaction so two writers cannot both move it.
        ``collector`` ({name, id_number, post_tracking}: who took the result) goes with it."""
        with write_transaction(self.db):
            conn = self.db.conn
            current = conn.execute("SELECT status FROM dossiers WHERE id = ?", (dossier["id"],)).fetchone()
            if current is None or current[0] != dossier["status"]:
                raise StoreError("Hồ sơ vừa được thay đổi ở nơi khác, hãy mở lại và thử lại.")
            event_uuid = new_uuid()
            conn.execute(
                "INSERT INTO dossier_events (uuid, dossier_id, status, at, actor, note) VALUES (?, ?, ?, ?, ?, ?)",
                (event_uuid, dossier["id"], status, at, actor, note),
            )
            conn.execute("UPDATE dossiers SET status = ?, status_at = ? WHERE id = ?", (status, at, dossier["id"]))
            event: dict[str, Any] = {"uuid": event_uuid, "status": status, "at": at, "actor": actor, "note": note, "source": "desk"}
            if collector:
                conn.execute(
                    "INSERT INTO dossier_collectors (event_uuid, dossier_id, name, id_number, post_tracking) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (event_uuid, dossier["id"], collector["name"], collector["id_number"], collector["post_tracking"]),
                )
                event["collector"] = collector
            conn.execute(
                "INSERT INTO outbox (idempotency_key, kind, dossier_code, payload, created_at) VALUES (?, ?, ?, ?, ?)",
                (event_uuid, "dossier.status", dossier["code"], json.dumps(outbox_payload(event), ensure_ascii=False), at),
            )
        return event

    # --- queue (store/queue_reader.py, loaded at the first queue read) ----------------------
    @property
    def queue_reader(self) -> QueueReader:
        """The queue's plans, pages and counts; its modules (the plans, the fan-out) load at
        the first queue read, not on the way to the catalogue at start-up."""
        if self._queue_reader is None:
            from desk_app.store.queue_reader import QueueReader

            self._queue_reader = QueueReader(self.db, self.path)
        return self._queue_reader

    def queue_page(self, flt: QueueFilter, *, after: tuple[int, int] | None = None, limit: int = 200) -> list[dict[str, Any]]:
        return self.queue_reader.page(flt, after=after, limit=limit)

    def search(self, flt: QueueFilter, *, limit: int = 20) -> list[dict[str, Any]]:
        """Text search, newest first: the queue's first page of ``limit`` rows."""
        return self.queue_reader.page(flt, limit=limit)

    def queue_count(self, flt: QueueFilter) -> int:
        return self.queue_reader.count(flt)

    def status_counts(self) -> dict[str, int]:
        return {r["status"]: r["n"] for r in self._read("SELECT status, count(*) AS n FROM dossiers GROUP BY status")}

    # --- outbox ---------------------------------------------------------------------------
    def outbox_stats(self) -> dict[str, int]:
        rows = self._read(
            "SELECT state, count(*) AS n, coalesce(sum(length(payload)), 0) AS bytes FROM outbox GROUP BY state"
        )
        stats = {"pending": 0, "pending_bytes": 0, "quarantined": 0, "done": 0}
        for r in rows:
            stats[r["state"]] = r["n"]
            if r["state"] == "pending":
                stats["pending_bytes"] = r["bytes"]
        return stats

    def pending_outbox(self, limit: int = 100) -> list[dict[str, Any]]:
        return self._read("SELECT * FROM outbox WHERE state = 'pending' ORDER BY id LIMIT ?", (limit,))


def _setting_value(row: dict[str, Any]) -> Any:
    try:
        return json.loads(row["value"])
    except (TypeError, ValueError) as exc:  # edited by hand, or an empty value
        raise StoreError(
            "Thiết lập {key} trong cơ sở dữ liệu bị hỏng; hãy chạy lại 'desk init'.", key=row["key"]
        ) from exc

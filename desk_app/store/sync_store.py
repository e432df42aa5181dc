"""Desk-side sync bookkeeping: outbox answers, quarantine, confirmed files, the change-feed
cursor (saved in the same transaction that applies the changes), conflicts for a supervisor.

Thread model: like ``DeskStore``, one thread at a time per connection. The sync loop uses
its own connection (WAL lets it work beside the UI's), every write is BEGIN IMMEDIATE.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from desk_app.domain.catalogue import Procedure
from desk_app.domain.dossier import FINAL_STATUSES, STATUS_LABELS, TRANSITIONS
from desk_app.domain.errors import DeskError
from desk_app.store.database import Params, read_rows, write_transaction
from desk_app.store.desk_store import upsert_procedure, write_calendar_override
from desk_app.store.sqlite_db import Database
from desk_common.records import PROVINCE_STATUSES, record_files

CURSOR = "feed_cursor"
# The records that carry a dossier's data: once all of its are confirmed, the dossier is synced.
DATA_KINDS = ("dossier.received", "dossier.edited")
CONFIRM_CHUNK = 25  # confirmations per transaction: a few milliseconds holding the file
APPLY_CHUNK = 50  # feed changes per transaction, likewise
# Statuses the province decides; a desk-side final status (returned, withdrawn) is the
# desk's own fact about the counter and is never overwritten by the feed.
PROVINCE_OWNED = frozenset(PROVINCE_STATUSES)


class SyncStore:
    def __init__(self, db: Database):
        self.db = db

    def _read(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        return read_rows(self.db, sql, params)

    # --- key/value state ------------------------------------------------------------------
    def state(self, key: str, default: Any = None) -> Any:
        rows = self._read("SELECT value FROM sync_state WHERE key = ?", (key,))
        return json.loads(rows[0]["value"]) if rows else default

    def all_state(self) -> dict[str, Any]:
        return {r["key"]: json.loads(r["value"]) for r in self._read("SELECT key, value FROM sync_state")}

    def set_state(self, **values: Any) -> None:
        with write_transaction(self.db):
            self._set_state(values)

    def _set_state(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            self.db.conn.execute(
                "INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value, ensure_ascii=False)),
            )

    # --- credential metadata --------------------------------------------------------------
    def commit_without_disk_wait(self) -> None:
        """For a connection that only runs sync rounds (the UI's sync loop): its commits stop
        waiting for the disk (``synchronous=NORMAL``; WAL keeps them atomic and in order), so
        it never holds the file for an fsync while an intake waits (store/writer_lock.py).
        Safe because everything a round writes the province can tell again: a confirmation
        lost to a power cut is pushed again and answered ``duplicate``, a lost cursor reads the
        feed again (changes apply once), a lost file mark is asked of the server again. The
        next intake's own commit (``synchronous=FULL``) makes the earlier frames durable too."""
        self.db.conn.execute("PRAGMA synchronous=NORMAL")

    def credential_meta(self) -> dict[str, Any] | None:
        rows = self._read("SELECT server_url, desk_id, unit_code, desk, storage, enrolled_at FROM sync_credential")
        return rows[0] if rows else None

    def save_credential_meta(self, *, server_url: str, desk_id: str, unit_code: str, desk: int, storage: str, enrolled_at: str) -> None:
        with write_transaction(self.db):
            self.db.conn.execute("DELETE FROM sync_credential")
            self.db.conn.execute(
                "INSERT INTO sync_credential (id, server_url, desk_id, unit_code, desk, storage, enrolled_at) "
                "VALUES (1, ?, ?, ?, ?, ?, ?)",
                (server_url, desk_id, unit_code, desk, storage, enrolled_at),
            )
            # A new credential may point at another server: what it confirmed is unknown.
            self.db.conn.execute("DELETE FROM sync_files")
            self.db.conn.execute("DELETE FROM sync_state WHERE key IN (?, 'last_confirmed_at')", (CURSOR,))

    # --- outbox ---------------------------------------------------------------------------
    def pending(self, *, limit: int, max_bytes: int, after_id: int = 0) -> list[dict[str, Any]]:
        """The next pending records in outbox order (at least one, then up to ``max_bytes``)."""
        rows = self._read(
            "SELECT id, idempotency_key, kind, dossier_code, payload, created_at, attempts FROM outbox "
            "WHERE state = 'pending' AND id > ? ORDER BY id LIMIT ?",
            (after_id, limit),
        )
        batch: list[dict[str, Any]] = []
        size = 0
        for row in rows:
            size += len(row["payload"])
            if batch and size > max_bytes:
                break
            row["payload"] = json.loads(row["payload"])
            batch.append(row)
        return batch

    def blocked_dossiers(self) -> set[str]:
        """Dossiers with a quarantined record: their later records wait, so the province
        never sees a status change before the dossier itself."""
        return {r["dossier_code"] for r in self._read("SELECT DISTINCT dossier_code FROM outbox WHERE state = 'quarantined'")}

    def confirm(self, confirmed: list[tuple[dict[str, Any], dict[str, Any]]], now: str) -> int:
        """Record the server's confirmations (accepted or duplicate), ``CONFIRM_CHUNK`` per
        transaction; a confirmed ``dossier.received`` (or ``dossier.edited``) sets the dossier's
        ``synced_at`` once none of those records of it is left unconfirmed."""
        for start in range(0, len(confirmed), CONFIRM_CHUNK):
            self._confirm_chunk(confirmed[start:start + CONFIRM_CHUNK], now)
        return len(confirmed)

    def _confirm_chunk(self, confirmed: list[tuple[dict[str, Any], dict[str, Any]]], now: str) -> None:
        """One short transaction (an intake may be waiting for the file, store/writer_lock.py);
        each record's confirmation stands on its own, so a crash between chunks loses nothing."""
        with write_transaction(self.db):
            conn = self.db.conn
            synced: dict[str, str] = {}  # dossier -> when its last confirmed data record was confirmed
            for row, result in confirmed:
                answer = result.get("answer") or {}
                conn.execute(
                    "UPDATE outbox SET state = 'done', confirmed_at = ?, answer = ?, last_error = '', error_kind = '', "
                    "attempts = attempts + 1 WHERE id = ? AND state != 'done'",
                    (now, json.dumps(answer, ensure_ascii=False), row["id"]),
                )
                if row["kind"] in DATA_KINDS:
                    synced[row["dossier_code"]] = answer.get("confirmed_at") or now
            # A correction clears synced_at (store/edits_store.py): the dossier counts as sent
            # again once the province has its data and every correction of it. One look at the
            # unsent records for the whole batch, not one per record: a per-record look walked
            # the whole backlog each time (100 records x 2,500 unsent: ~100 ms holding the file,
            # an intake waited behind it; tests/sync/test_intake_beside_sync.py).
            for code in set(synced) - self._with_unsent_data(list(synced)):
                conn.execute("UPDATE dossiers SET synced_at = ? WHERE code = ? AND synced_at IS NULL", (synced[code], code))
            self._set_state({"last_push_confirmed_at": now})

    def _with_unsent_data(self, codes: list[str]) -> set[str]:
        """Which of ``codes`` still have a data record (received or edited) not confirmed."""
        found: set[str] = set()
        for start in range(0, len(codes), 500):  # SQLite's bound parameters, with room to spare
            part = codes[start:start + 500]
            kinds, marks = ", ".join("?" * len(DATA_KINDS)), ", ".join("?" * len(part))
            found.update(r[0] for r in self.db.conn.execute(
                f"SELECT DISTINCT dossier_code FROM outbox WHERE state != 'done' AND kind IN ({kinds}) "
                f"AND dossier_code IN ({marks})", (*DATA_KINDS, *part)))
        return found

    def quarantine(self, row: dict[str, Any], *, kind: str, reason: str, detail: str = "") -> None:
        with write_transaction(self.db):
            self.db.conn.execute(
                "UPDATE outbox SET state = 'quarantined', error_kind = ?, last_error = ?, attempts = attempts + 1 "
                "WHERE id = ? AND state = 'pending'",
                (kind, json.dumps({"reason": reason, "detail": detail}, ensure_ascii=False), row["id"]),
            )

    def note_attempt(self, ids: Iterable[int], error: str) -> None:
        ids = list(ids)
        if not ids:
            return
        with write_transaction(self.db):
            self.db.conn.executemany(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ? AND state = 'pending'",
                [(error, i) for i in ids],
            )

    def quarantined(self) -> list[dict[str, Any]]:
        rows = self._read(
            "SELECT id, idempotency_key AS key, kind, dossier_code, created_at, attempts, error_kind, last_error "
            "FROM outbox WHERE state = 'quarantined' ORDER BY id"
        )
        for row in rows:
            try:
                row.update(json.loads(row.pop("last_error") or "{}"))
            except ValueError:
                row["reason"] = "unknown"
        return rows

    def retry_quarantined(self, keys: list[str] | None = None) -> int:
        """Put quarantined records back in the queue (all, or those with these keys)."""
        with write_transaction(self.db):
            if keys:
                marks = ",".join("?" for _ in keys)
                cursor = self.db.conn.execute(
                    f"UPDATE outbox SET state = 'pending', error_kind = '' WHERE state = 'quarantined' AND idempotency_key IN ({marks})",
                    keys,
                )
            else:
                cursor = self.db.conn.execute("UPDATE outbox SET state = 'pending', error_kind = '' WHERE state = 'quarantined'")
            return cursor.rowcount

    def outbox_summary(self) -> dict[str, Any]:
        counts = {r["state"]: (r["n"], r["bytes"]) for r in self._read(
            "SELECT state, count(*) AS n, coalesce(sum(length(payload)), 0) AS bytes FROM outbox "
            "WHERE state IN ('pending', 'quarantined') GROUP BY state"
        )}
        pending, payload_bytes = counts.get("pending", (0, 0))
        quarantined = counts.get("quarantined", (0, 0))[0]
        # The first row of each state by id (the outbox_state index): no scan at any depth.
        oldest = [r["created_at"] for state in ("pending", "quarantined") for r in self._read(
            "SELECT created_at FROM outbox WHERE state = ? ORDER BY id LIMIT 1", (state,))]
        return {
            "pending": pending,
            "quarantined": quarantined,
            "record_bytes_pending": payload_bytes,
            "oldest_unsent_at": min(oldest, key=datetime.fromisoformat) if oldest else None,
        }

    def unsent_files(self) -> list[str]:
        """SHA-256s listed by pending records and not yet confirmed by the server."""
        shas: list[str] = []
        for row in self._read("SELECT payload FROM outbox WHERE state IN ('pending', 'quarantined') AND payload LIKE '%\"files\"%'"):
            shas.extend(record_files(json.loads(row["payload"])))
        if not shas:
            return []
        confirmed = {r["sha256"] for r in self._read("SELECT sha256 FROM sync_files")}
        return [s for s in dict.fromkeys(shas) if s not in confirmed]

    def confirmed_files(self, shas: Iterable[str]) -> set[str]:
        shas = list(shas)
        if not shas:
            return set()
        found: set[str] = set()
        for start in range(0, len(shas), 500):
            part = shas[start : start + 500]
            marks = ",".join("?" for _ in part)
            found |= {r["sha256"] for r in self._read(f"SELECT sha256 FROM sync_files WHERE sha256 IN ({marks})", part)}
        return found

    def mark_files_confirmed(self, files: dict[str, int], now: str) -> None:
        if not files:
            return
        with write_transaction(self.db):
            self.db.conn.executemany(
                "INSERT INTO sync_files (sha256, size, confirmed_at) VALUES (?, ?, ?) ON CONFLICT(sha256) DO NOTHING",
                [(sha, size, now) for sha, size in files.items()],
            )

    # --- change feed ----------------------------------------------------------------------
    def cursor(self) -> int:
        return int(self.state(CURSOR, 0) or 0)

    def apply_changes(self, changes: list[dict[str, Any]], cursor: int, now: str) -> dict[str, int]:
        """Apply one page of the feed, ``APPLY_CHUNK`` changes per transaction (an intake may
        be waiting for the file, store/writer_lock.py), and save ``cursor`` with the last
        chunk: after a crash the page is read again from the old cursor, and applying a
        change twice changes nothing (statuses are keyed by uuid, catalogue and calendar
        changes write the same values again)."""
        counts = {"applied": 0, "ignored": 0, "flagged": 0}
        last = max(0, len(changes) - APPLY_CHUNK)
        for start in range(0, max(1, len(changes)), APPLY_CHUNK):
            with write_transaction(self.db):
                for change in changes[start:start + APPLY_CHUNK]:
                    outcome = self._apply_change(change, now)
                    counts[outcome] = counts.get(outcome, 0) + 1
                if start >= last:
                    self._set_state({CURSOR: int(cursor)})
        return counts

    def _flag(self, code: str, reason: str, detail: dict[str, Any], now: str) -> None:
        self.db.conn.execute(
            "INSERT INTO sync_conflicts (dossier_code, reason, detail, created_at) VALUES (?, ?, ?, ?)",
            (code, reason, json.dumps(detail, ensure_ascii=False), now),
        )

    def _apply_change(self, change: dict[str, Any], now: str) -> str:
        kind, payload = change.get("kind"), change.get("payload") or {}
        if kind == "dossier.status":
            return self._apply_status(str(change.get("dossier_code", "")), payload, now)
        if kind == "catalogue.procedure":
            return self._apply_procedure(payload, now)
        if kind == "calendar.override":
            return self._apply_day(payload)
        return "ignored"  # a newer server's kind: skip it, the cursor still moves on

    def _apply_status(self, code: str, payload: dict[str, Any], now: str) -> str:
        conn = self.db.conn
        row = conn.execute("SELECT id, status FROM dossiers WHERE code = ?", (code,)).fetchone()
        status, uuid = payload.get("status"), payload.get("uuid")
        if row is None or status not in STATUS_LABELS or not uuid:
            return "ignored"
        dossier_id, current = row
        if conn.execute("SELECT 1 FROM dossier_events WHERE uuid = ?", (uuid,)).fetchone():
            return "ignored"  # applied before
        conn.execute(
            "INSERT INTO dossier_events (uuid, dossier_id, status, at, actor, note, source) VALUES (?, ?, ?, ?, ?, ?, 'province')",
            (uuid, dossier_id, status, payload.get("at") or now, str(payload.get("actor") or ""), str(payload.get("note") or "")),
        )
        local_changes = conn.execute(
            "SELECT count(*) FROM outbox WHERE dossier_code = ? AND kind = 'dossier.status' AND state != 'done'", (code,)
        ).fetchone()[0]
        keep_local = current in FINAL_STATUSES and status in PROVINCE_OWNED
        unusual = status not in TRANSITIONS.get(current, frozenset()) and status != current
        if local_changes or keep_local or unusual:
            self._flag(
                code,
                "both_changed_status",
                {
                    "local_status": current,
                    "province_status": status,
                    "unsent_local_changes": local_changes,
                    "kept": "local" if keep_local else "province",
                },
                now,
            )
        if not keep_local:
            conn.execute("UPDATE dossiers SET status = ?, status_at = ? WHERE id = ?", (status, payload.get("at") or now, dossier_id))
        return "flagged" if (local_changes or keep_local or unusual) else "applied"

    def _apply_procedure(self, payload: dict[str, Any], now: str) -> str:
        try:
            known = {f.name for f in dataclasses.fields(Procedure)}
            proc = Procedure.from_dict({k: v for k, v in payload.items() if k in known})
        except (DeskError, KeyError, TypeError, ValueError) as exc:
            self._flag("", "bad_catalogue_change", {"code": str(payload.get("code")), "error": str(exc)}, now)
            return "flagged"
        upsert_procedure(self.db.conn, proc, source="province", active=payload.get("active") is not False, now=now)
        return "applied"

    def _apply_day(self, payload: dict[str, Any]) -> str:
        day, kind = payload.get("day"), payload.get("kind")
        if not isinstance(day, str):
            return "ignored"
        if kind not in ("clear", "off", "work"):
            return "ignored"
        try:
            date.fromisoformat(day)
        except ValueError:
            return "ignored"
        # Into the province's own table: a day the desk overrode itself keeps the desk's choice.
        write_calendar_override(
            self.db.conn, day, None if kind == "clear" else kind, str(payload.get("note") or ""), source="province"
        )
        return "applied"

    def conflicts(self, *, unresolved_only: bool = True) -> list[dict[str, Any]]:
        where = "WHERE resolved_at IS NULL" if unresolved_only else ""
        rows = self._read(f"SELECT id, dossier_code, reason, detail, created_at, resolved_at FROM sync_conflicts {where} ORDER BY id")
        for row in rows:
            row["detail"] = json.loads(row["detail"])
        return rows

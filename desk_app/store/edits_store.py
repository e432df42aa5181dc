"""Reads and writes of corrections to saved dossiers and of result collectors (migration
0005). Same rules as ``DeskStore``: one thread at a time, each write one transaction, and the
correction commits together with its outbox entry."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from desk_app.domain.errors import StoreError
from desk_app.domain.ids import new_uuid
from desk_app.store.database import write_transaction
from desk_app.store.desk_store import DOSSIER_COLUMNS, DeskStore
from desk_app.store.search_index import refresh_dossier_fts

KIND_EDITED = "dossier.edited"  # = sync.protocol.KIND_EDITED (the store does not import sync)


class EditsStore:
    def __init__(self, store: DeskStore):
        self.store = store

    def apply_edit(
        self,
        *,
        dossier: dict[str, Any],
        changes: dict[str, dict[str, Any]],
        editable_statuses: frozenset[str],
        at: str,
        actor: str,
        note: str,
        outbox_payload: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> dict[str, Any]:
        """Write ``changes`` ({column or "documents": {"before", "after"}}) to the dossier, its
        documents and search text, the correction row and the outbox entry, in one transaction.
        The status and every "before" are re-read inside it: a dossier moved on or changed by
        another writer since it was read is refused, nothing written."""
        with write_transaction(self.store.db):
            conn = self.store.db.conn
            cursor = conn.execute(f"SELECT {DOSSIER_COLUMNS} FROM dossiers WHERE id = ?", (dossier["id"],))
            names = [c[0] for c in cursor.description]
            found = cursor.fetchone()
            current = dict(zip(names, found)) if found else None
            if current is None or current["status"] not in editable_statuses:
                raise StoreError("Hồ sơ vừa được thay đổi ở nơi khác, hãy mở lại và thử lại.")
            documents = [
                {"name": n, "kind": k, "count": c}
                for n, k, c in conn.execute(
                    "SELECT name, kind, count FROM dossier_documents WHERE dossier_id = ? ORDER BY position", (dossier["id"],)
                )
            ]
            for field, change in changes.items():
                now_value = documents if field == "documents" else current[field]
                if now_value != change["before"]:
                    raise StoreError("Hồ sơ vừa được thay đổi ở nơi khác, hãy mở lại và thử lại.")
            columns = {f: c["after"] for f, c in changes.items() if f != "documents"}
            if columns:
                conn.execute(
                    f"UPDATE dossiers SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
                    [*columns.values(), dossier["id"]],
                )
                current.update(columns)
                # The search row also holds the words recognised on the pages: rebuilt whole.
                refresh_dossier_fts(conn, dossier["id"])
            if "documents" in changes:
                conn.execute("DELETE FROM dossier_documents WHERE dossier_id = ?", (dossier["id"],))
                conn.executemany(
                    "INSERT INTO dossier_documents (dossier_id, position, name, kind, count) VALUES (?, ?, ?, ?, ?)",
                    [(dossier["id"], i, d["name"], d["kind"], d["count"]) for i, d in enumerate(changes["documents"]["after"])],
                )
            # Not "sent to the province" until this correction is confirmed (sync_store.confirm).
            conn.execute("UPDATE dossiers SET synced_at = NULL WHERE id = ?", (dossier["id"],))
            edit = {"uuid": new_uuid(), "at": at, "actor": actor, "note": note, "changes": changes}
            conn.execute(
                "INSERT INTO dossier_edits (uuid, dossier_id, at, actor, changes, note) VALUES (?, ?, ?, ?, ?, ?)",
                (edit["uuid"], dossier["id"], at, actor, json.dumps(changes, ensure_ascii=False), note),
            )
            conn.execute(
                "INSERT INTO outbox (idempotency_key, kind, dossier_code, payload, created_at) VALUES (?, ?, ?, ?, ?)",
                (edit["uuid"], KIND_EDITED, dossier["code"], json.dumps(outbox_payload(edit), ensure_ascii=False), at),
            )
        return edit

    def edits(self, dossier_id: int) -> list[dict[str, Any]]:
        rows = self.store._read(
            "SELECT uuid, at, actor, changes, note FROM dossier_edits WHERE dossier_id = ? ORDER BY id", (dossier_id,)
        )
        return [{**r, "changes": json.loads(r["changes"])} for r in rows]

    def collectors(self, dossier_id: int) -> dict[str, dict[str, str]]:
        """event uuid -> {name, id_number, post_tracking} of the dossier's "returned" events."""
        rows = self.store._read(
            "SELECT event_uuid, name, id_number, post_tracking FROM dossier_collectors WHERE dossier_id = ?", (dossier_id,)
        )
        return {r.pop("event_uuid"): r for r in rows}

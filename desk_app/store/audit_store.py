"""The hash-chained audit trail (table ``audit_log``).

Each entry's ``hash`` is SHA-256 over the previous entry's hash and the entry's own content,
id included, so that changing an entry, deleting one or swapping two breaks the chain at that
point. Rewriting the whole table consistently is caught by the province, which keeps the
chain head each sync sent (see docs/permissions.md, "Audit trail").

Thread model: one thread at a time, like ``DeskStore``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from desk_app.store.database import read_rows, write_transaction
from desk_app.store.sqlite_db import Database

GENESIS = "0" * 64
ENTRY_COLUMNS = "id, at, account, action, code, before, after, prev_hash, hash"


def canonical(value: Any) -> str | None:
    """Before/after values as stored: compact JSON with sorted keys (None stays NULL)."""
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    import hashlib  # here, not at the top: loading OpenSSL is off the app's start-up path

    body = json.dumps(
        [entry["id"], entry["at"], entry["account"], entry["action"], entry["code"], entry["before"], entry["after"]],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


class AuditStore:
    def __init__(self, db: Database):
        self.db = db

    def append(
        self, *, at: str, account: str, action: str, code: str = "", before: Any = None, after: Any = None
    ) -> dict[str, Any]:
        """Append one entry, inside the caller's transaction when there is one (so a change and
        its entry commit together), else in its own."""
        with write_transaction(self.db):
            conn = self.db.conn
            last = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
            prev_id, prev_hash = last if last else (0, GENESIS)
            entry = {
                "id": prev_id + 1,
                "at": at,
                "account": account,
                "action": action,
                "code": code or "",
                "before": canonical(before),
                "after": canonical(after),
            }
            entry["prev_hash"] = prev_hash
            entry["hash"] = entry_hash(prev_hash, entry)
            conn.execute(
                f"INSERT INTO audit_log ({ENTRY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [entry[c.strip()] for c in ENTRY_COLUMNS.split(",")],
            )
        return entry

    def head(self) -> dict[str, Any]:
        """The newest entry's id and hash ({"seq": 0, "hash": GENESIS} when empty)."""
        rows = read_rows(self.db, "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
        return {"seq": rows[0]["id"], "hash": rows[0]["hash"]} if rows else {"seq": 0, "hash": GENESIS}

    def hash_at(self, seq: int) -> str | None:
        if seq == 0:
            return GENESIS
        rows = read_rows(self.db, "SELECT hash FROM audit_log WHERE id = ?", (seq,))
        return rows[0]["hash"] if rows else None

    def find(
        self,
        *,
        code: str | None = None,
        account: str | None = None,
        at_from: str | None = None,
        at_before: str | None = None,
        action: str | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[dict[str, Any]]:
        """Entries matching every given filter. ``at_from``/``at_before`` compare the local
        ISO time text (every desk writes the same +07:00 offset), upper bound exclusive."""
        clauses, params = [], []
        for column, value in (("code", code), ("account", account), ("action", action)):
            if value:
                clauses.append(f"{column} = ?")
                params.append(value)
        if at_from:
            clauses.append("at >= ?")
            params.append(at_from)
        if at_before:
            clauses.append("at < ?")
            params.append(at_before)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        order = "DESC" if newest_first else "ASC"
        sql = f"SELECT id, at, account, action, code, before, after FROM audit_log{where} ORDER BY id {order}"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return read_rows(self.db, sql, params)

    def iterate(self, batch: int = 5000) -> Iterator[dict[str, Any]]:
        """Every entry in id order, a batch at a time (the chain check of ``desk verify``)."""
        after = -1
        while True:
            rows = read_rows(
                self.db, f"SELECT {ENTRY_COLUMNS} FROM audit_log WHERE id > ? ORDER BY id LIMIT ?", (after, batch)
            )
            if not rows:
                return
            yield from rows
            after = rows[-1]["id"]


def chain_problems(entries: Iterator[dict[str, Any]], limit: int = 100) -> list[dict[str, Any]]:
    """Breaks in the chain: an entry whose stored hash does not match its content (changed), or
    whose ``prev_hash`` is not the previous entry's hash (deleted or reordered), or a gap in ids."""
    problems: list[dict[str, Any]] = []
    prev_hash, prev_id = GENESIS, 0
    for entry in entries:
        if entry["id"] != prev_id + 1:
            problems.append({"kind": "audit_gap", "id": entry["id"], "after": prev_id})
        if entry["prev_hash"] != prev_hash:
            problems.append({"kind": "audit_link", "id": entry["id"]})
        if entry_hash(entry["prev_hash"], entry) != entry["hash"]:
            problems.append({"kind": "audit_altered", "id": entry["id"]})
        prev_hash, prev_id = entry["hash"], entry["id"]
        if len(problems) >= limit:
            break
    return problems

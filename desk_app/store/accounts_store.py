"""Reads and writes of the ``accounts`` table. Password hashing and the lockout
rules live in services/accounts.py; this module only stores what it is given.

Thread model: one thread at a time, like ``DeskStore``.
"""

from __future__ import annotations

from typing import Any

from desk_app.domain.errors import NotFoundError
from desk_app.store.database import Params, read_rows, write_transaction
from desk_app.store.sqlite_db import Database

PUBLIC_COLUMNS = "username, role, full_name, active"


class AccountsStore:
    def __init__(self, db: Database):
        self.db = db

    def _read(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        return read_rows(self.db, sql, params)

    def count(self, *, active_only: bool = False) -> int:
        where = " WHERE active = 1" if active_only else ""
        return int(self._read(f"SELECT count(*) AS n FROM accounts{where}")[0]["n"])

    def list(self) -> list[dict[str, Any]]:
        rows = self._read(f"SELECT {PUBLIC_COLUMNS} FROM accounts ORDER BY username")
        return [{**r, "active": bool(r["active"])} for r in rows]

    def find(self, username: str) -> dict[str, Any] | None:
        rows = self._read("SELECT * FROM accounts WHERE username = ?", (username,))
        return rows[0] if rows else None

    def get(self, username: str) -> dict[str, Any]:
        row = self.find(username)
        if row is None:
            raise NotFoundError("Không có tài khoản {username}.", field="username", username=username)
        return row

    def insert(self, *, username: str, full_name: str, role: str, password_hash: str, now: str) -> None:
        """Inside the caller's transaction when there is one (the guard's, with its audit entry)."""
        with write_transaction(self.db):
            self.db.conn.execute(
                "INSERT INTO accounts (username, full_name, role, password_hash, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (username, full_name, role, password_hash, now, now),
            )

    def update(self, username: str, now: str, **values: Any) -> None:
        columns = ", ".join(f"{k} = ?" for k in values)
        with write_transaction(self.db):
            self.db.conn.execute(
                f"UPDATE accounts SET {columns}, updated_at = ? WHERE username = ?",
                (*values.values(), now, username),
            )

"""The desk's SQLite handle and its migration runner, on the standard library alone.

The store reads and writes through plain ``sqlite3`` (``db.conn``). What it used from
sqlite-utils was this much: a connection holder with nested transactions and the migration
runner. sqlite-utils also imports numpy, click, pluggy and dateutil when it loads (about
half of the start-up time to a listed catalogue, bench/bench_startup.py), so the desk keeps
these few lines instead. The bookkeeping table is the one sqlite-utils writes
(``_sqlite_migrations``: id, migration_set, name, applied_at; unique on set and name), so
databases created by earlier releases open unchanged.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

MIGRATIONS_TABLE = "_sqlite_migrations"


class Database:
    """One SQLite connection (autocommit mode: ``isolation_level=None``); transactions are
    explicit. Used by one thread at a time (store/database.py)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        # Triggers fired by a trigger's own writes run too (sqlite-utils turned this on, and
        # the history and outbox triggers were written with it on).
        conn.execute("PRAGMA recursive_triggers=on")
        self._savepoints = 0

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Database]:
        """A transaction, or a savepoint inside the one already open; rolled back on any
        exception (unless SQLite already ended it, e.g. ``RAISE(ROLLBACK)`` in a trigger)."""
        conn = self.conn
        if not conn.in_transaction:
            conn.execute("BEGIN")
            try:
                yield self
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            return
        self._savepoints += 1
        name = f"desk_sp_{self._savepoints}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield self
        except BaseException:
            if conn.in_transaction:
                conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                conn.execute(f"RELEASE SAVEPOINT {name}")
            raise
        finally:
            self._savepoints -= 1
        conn.execute(f"RELEASE SAVEPOINT {name}")

    def close(self) -> None:
        self.conn.close()


MigrationFn = Callable[[Database], None]


@dataclass(frozen=True)
class Migration:
    name: str
    fn: MigrationFn


@dataclass(frozen=True)
class AppliedMigration:
    name: str
    applied_at: str


class Migrations:
    """A named, ordered set of schema migrations: ``@migrations(name="0001_initial")``
    registers one; ``apply`` runs the pending ones in registration order, each in a
    transaction together with its record in ``_sqlite_migrations``."""

    def __init__(self, name: str):
        self.name = name
        self._migrations: list[Migration] = []

    def __call__(self, *, name: str) -> Callable[[MigrationFn], MigrationFn]:
        def register(fn: MigrationFn) -> MigrationFn:
            if name in self.names():
                raise ValueError(f"Migration {name!r} is already registered in set {self.name!r}")
            self._migrations.append(Migration(name, fn))
            return fn

        return register

    def names(self) -> list[str]:
        """Every migration this build knows, in the order they apply."""
        return [m.name for m in self._migrations]

    def applied(self, db: Database) -> list[AppliedMigration]:
        """The migrations of this set recorded in the database, in the order applied. Reads only."""
        exists = db.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (MIGRATIONS_TABLE,)
        ).fetchone()
        if not exists:
            return []
        rows = db.conn.execute(
            f"SELECT name, applied_at FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid", (self.name,)
        )
        return [AppliedMigration(name, applied_at) for name, applied_at in rows]

    def pending(self, db: Database) -> list[Migration]:
        done = {m.name for m in self.applied(db)}
        return [m for m in self._migrations if m.name not in done]

    def apply(self, db: Database) -> None:
        db.conn.execute(
            f'CREATE TABLE IF NOT EXISTS "{MIGRATIONS_TABLE}" ('
            '"id" INTEGER PRIMARY KEY, "migration_set" TEXT, "name" TEXT, "applied_at" TEXT)'
        )
        db.conn.execute(
            f'CREATE UNIQUE INDEX IF NOT EXISTS "idx_{MIGRATIONS_TABLE}_migration_set_name" '
            f'ON "{MIGRATIONS_TABLE}" ("migration_set", "name")'
        )
        for migration in self.pending(db):
            with db.atomic():
                migration.fn(db)
                db.conn.execute(
                    f"INSERT INTO {MIGRATIONS_TABLE} (migration_set, name, applied_at) VALUES (?, ?, ?)",
                    (self.name, migration.name, str(datetime.now(UTC))),
                )

"""Server database: the same SQL on SQLite (default) and PostgreSQL (``--database-url``).

On SQLite each thread gets its own connection (FastAPI runs handlers on a thread pool). On
PostgreSQL a process holds a bounded pool of connections (``--db-pool-size``, default
``DEFAULT_POOL_SIZE`` or $SYNC_DB_POOL_SIZE), borrowed for one transaction or one read, so
the database sees at most that many connections per process however many threads and
desks there are (a pooler such as PgBouncer may sit in front). Every write
is one transaction; unique constraints back idempotency and dossier codes, so two server
processes on one PostgreSQL database cannot both accept the same record.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sync.server import audit_heads
from sync.server import files as upload_files

VN_TZ = timezone(timedelta(hours=7))


def now_iso() -> str:
    return datetime.now(VN_TZ).replace(microsecond=0).isoformat()


class IntegrityError(Exception):
    """A unique constraint refused a write (both backends)."""


class DatabaseUnavailable(Exception):
    """No database connection could be had in time (pool exhausted, server down)."""


POOL_SIZE_ENV = "SYNC_DB_POOL_SIZE"
DEFAULT_POOL_SIZE = 10
APPLICATION_NAME = "desk-sync-server"  # how pg_stat_activity names this server's connections
CHECK_IDLE_SECONDS = 5.0  # a pooled connection unused this long is checked before use
POOL_TIMEOUT = 10.0  # seconds a request waits for a free connection before 503


def pool_size_default() -> int:
    raw = os.environ.get(POOL_SIZE_ENV, "")
    return int(raw) if raw.isascii() and raw.isdigit() and int(raw) > 0 else DEFAULT_POOL_SIZE


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS desks (
    id TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL,
    desk INTEGER NOT NULL,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    last_seen_at TEXT,
    backlog INTEGER NOT NULL DEFAULT 0,
    pending_bytes BIGINT NOT NULL DEFAULT 0,
    quarantined INTEGER NOT NULL DEFAULT 0,
    app_version TEXT NOT NULL DEFAULT '',
    clock_skew REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS enroll_codes (
    code_hash TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL,
    desk INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    desk_id TEXT
);
-- The answer to an enrollment, kept so a desk whose answer was lost in transit can ask
-- again with the same request id (within the code's validity) and get the same credential.
CREATE TABLE IF NOT EXISTS enroll_requests (
    code_hash TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    desk_id TEXT NOT NULL,
    answered_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    key TEXT PRIMARY KEY,
    desk_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    dossier_code TEXT NOT NULL,
    payload_hash TEXT NOT NULL,
    payload TEXT NOT NULL,
    answer TEXT NOT NULL,
    via TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dossiers (
    code TEXT PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    unit_code TEXT NOT NULL,
    desk INTEGER NOT NULL,
    desk_id TEXT NOT NULL,
    data TEXT NOT NULL,
    received_at TEXT NOT NULL,
    status TEXT NOT NULL,
    status_at TEXT NOT NULL,
    status_source TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dossier_files (
    dossier_code TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (dossier_code, sha256)
);
CREATE TABLE IF NOT EXISTS dossier_events (
    uuid TEXT PRIMARY KEY,
    dossier_code TEXT NOT NULL,
    status TEXT NOT NULL,
    at TEXT NOT NULL,
    source TEXT NOT NULL,
    actor TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    recorded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS changes (
    seq {serial},
    unit_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    dossier_code TEXT NOT NULL DEFAULT '',
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_unit ON changes (unit_code, seq);
-- Nonces of signed requests, kept until the signed time leaves the validity window, so a
-- captured request is answered only once (in the database: every server process shares it).
CREATE TABLE IF NOT EXISTS nonces (
    desk_id TEXT NOT NULL,
    nonce TEXT NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (desk_id, nonce)
);
CREATE INDEX IF NOT EXISTS nonces_expiry ON nonces (expires_at);
CREATE TABLE IF NOT EXISTS flags (
    id {serial},
    dossier_code TEXT NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""

_SCHEMA += audit_heads.SCHEMA  # issue 11: the desks' audit-chain heads
_SCHEMA += upload_files.SCHEMA  # tus upload state: offsets in the database, bytes in the object store

SCHEMA_VERSION = "1"
_KEY_LOCKS = 17  # advisory lock class of idempotency keys (4242, one int, guards schema creation)


class Tx:
    """One open transaction; ``?`` placeholders on both backends."""

    def __init__(self, conn: Any, dialect: str):
        self.conn = conn
        self.dialect = dialect
        self._locked: set[str] = set()  # idempotency keys this transaction holds
        self.writes = 0  # statements other than SELECT run so far
        # Rows this transaction already knows (a batch's prefetch, records.py): stored events
        # by key (None: no such event), and which of the dossier codes checked exist.
        self.known_events: dict[str, dict[str, Any] | None] = {}
        self.checked_codes: set[str] = set()
        self.known_codes: set[str] = set()
        self._pipelined = False

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.dialect == "postgresql" else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        try:
            cur = self.conn.execute(self._sql(sql), tuple(params))
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(str(exc)) from exc
        except Exception as exc:
            if type(exc).__name__ in ("UniqueViolation", "IntegrityError"):
                raise IntegrityError(str(exc)) from exc
            raise
        statement = sql.lstrip().upper()
        if not statement.startswith("SELECT"):
            self.writes += 1
        if self._pipelined:
            if not (statement.startswith(("SELECT", "WITH")) or " RETURNING " in statement):
                return []  # its result (or error) arrives with a later read or the commit
            rows = cur.fetchall()  # waits for this result (and the writes before it)
            return [dict(zip([d[0] for d in cur.description], row, strict=True)) for row in rows]
        if cur.description is None:
            return []
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        rows = self.execute(sql, params)
        return rows[0] if rows else None

    def lock_key(self, key: str) -> None:
        """Serialise transactions that apply the same idempotency key. PostgreSQL reads
        committed data statement by statement: without this, a copy of a record could miss
        the first copy's event row, then see its dossier row a moment later (committed in
        between) and refuse its own record as ``code_taken``. After the lock, the first
        copy has committed or rolled back, and the key lookup sees which. SQLite's
        ``BEGIN IMMEDIATE`` already serialises every writer."""
        if self.dialect == "postgresql" and key not in self._locked:
            self.execute("SELECT pg_advisory_xact_lock(?, hashtext(?))", (_KEY_LOCKS, key))
            self._locked.add(key)

    def lock_keys(self, keys: list[str]) -> None:
        """``lock_key`` for a whole batch in one statement, in one order (by hash) for every
        transaction, so two batches sharing keys wait for each other instead of deadlocking."""
        fresh = sorted(set(keys) - self._locked)
        if self.dialect == "postgresql" and fresh:
            self.execute(
                "SELECT pg_advisory_xact_lock(?, h) "
                "FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest(?::text[]) AS k ORDER BY h) AS ordered",
                (_KEY_LOCKS, fresh),
            )
            self._locked.update(fresh)

    @contextlib.contextmanager
    def pipelined(self) -> Iterator[None]:
        """PostgreSQL pipeline mode: writes are sent without waiting for their answers (a
        read, or the end, collects them), so a batch of records costs a round trip per read
        instead of one per statement. An error of a write surfaces later than the write, so
        the caller must be ready to throw the whole transaction away. SQLite: no change."""
        if self.dialect != "postgresql":
            yield
            return
        with self.conn.pipeline():
            self._pipelined = True
            try:
                yield
            finally:
                self._pipelined = False

    def relaxed_commit(self) -> None:
        """This transaction's commit does not wait for the disk (PostgreSQL
        ``synchronous_commit = off``: a crash may lose it, never corrupt anything). Only for
        writes whose loss is harmless."""
        if self.dialect == "postgresql":
            self.execute("SET LOCAL synchronous_commit = off")

    def lock_changes(self) -> None:
        """Serialise writers of the change feed so sequence numbers commit in order (a
        reader's cursor must never skip a change that commits later with a smaller seq)."""
        if self.dialect == "postgresql":
            self.execute("LOCK TABLE changes IN EXCLUSIVE MODE")


class ServerDB:
    def __init__(self, data_dir: Path, database_url: str | None = None, *, pool_size: int | None = None):
        self.data_dir = Path(data_dir)
        self.url = database_url or ""
        self.dialect = "postgresql" if self.url.startswith(("postgresql://", "postgres://")) else "sqlite"
        self.path = self.data_dir / "server.sqlite3"
        if pool_size is not None and pool_size < 1:
            raise ValueError("--db-pool-size must be at least 1")
        self.pool_size = pool_size or pool_size_default()
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._pool: Any = None
        self._returned: dict[int, float] = {}  # id of a pooled connection -> when it was last given back
        self._broken_at = 0.0  # when a connection was last found lost
        if self.dialect == "postgresql":
            from psycopg_pool import ConnectionPool

            # Autocommit, so a borrowed connection is idle between transactions (none goes back
            # holding one open). One that sat idle is checked when borrowed (one round trip),
            # so after a database restart a request gets a fresh connection, not a dead one;
            # one in steady use is not (that round trip was 13% of a loaded server's time).
            self._pool = ConnectionPool(
                self.url, min_size=1, max_size=self.pool_size, kwargs={"autocommit": True, "application_name": APPLICATION_NAME},
                timeout=POOL_TIMEOUT, open=True, name="sync-server", check=self._check_if_idle,
            )
        self._create_schema()

    @contextlib.contextmanager
    def _borrow(self, timeout: float = POOL_TIMEOUT) -> Iterator[Any]:
        """A connection for one transaction or read: borrowed from the pool (PostgreSQL; a
        connection left broken or mid-transaction is reset or replaced on return) or this
        thread's own (SQLite)."""
        if self._pool is None:
            yield self._conn()
            return
        from psycopg_pool import PoolTimeout

        try:
            conn = self._pool.getconn(timeout=timeout)
        except PoolTimeout as exc:
            raise DatabaseUnavailable(f"no database connection within {timeout:g} s") from exc
        try:
            yield conn
        except Exception as exc:
            if conn.broken:  # the connection was lost (database restarted): 503, the desk retries
                self._broken_at = time.monotonic()  # its siblings in the pool are suspect too
                raise DatabaseUnavailable(type(exc).__name__) from exc
            raise
        finally:
            self._returned[id(conn)] = time.monotonic()
            self._pool.putconn(conn)

    def _check_if_idle(self, conn: Any) -> None:
        """The pool's check of a connection being borrowed: only one unused for a while, or
        given back before another connection was found lost."""
        from psycopg_pool import ConnectionPool

        returned = self._returned.get(id(conn), 0.0)
        if time.monotonic() - returned > CHECK_IDLE_SECONDS or returned <= self._broken_at:
            ConnectionPool.check_connection(conn)

    def ping(self, timeout: float = 2.0) -> None:
        """One trivial query, a connection had within ``timeout`` seconds, else
        ``DatabaseUnavailable`` (the readiness check)."""
        try:
            with self._borrow(timeout) as conn:
                conn.execute("SELECT 1")
        except DatabaseUnavailable:
            raise
        except Exception as exc:
            raise DatabaseUnavailable(type(exc).__name__) from exc

    def _connect(self) -> sqlite3.Connection:
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self.path.exists():  # private from the first byte, whatever the umask
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def _create_schema(self) -> None:
        serial = "BIGSERIAL PRIMARY KEY" if self.dialect == "postgresql" else "INTEGER PRIMARY KEY AUTOINCREMENT"
        with self.transaction() as tx:
            if self.dialect == "postgresql":
                tx.execute("SELECT pg_advisory_xact_lock(4242)")  # two servers starting at once
            for statement in _SCHEMA.format(serial=serial).split(";"):
                if statement.strip():
                    tx.execute(statement)
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('schema', ?) ON CONFLICT (key) DO NOTHING", (SCHEMA_VERSION,)
            )

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tx]:
        if self.dialect == "postgresql":
            with self._borrow() as conn:
                try:
                    with conn.transaction():
                        yield Tx(conn, self.dialect)
                except Exception as exc:
                    if type(exc).__name__ in ("UniqueViolation", "IntegrityError"):
                        raise IntegrityError(str(exc)) from exc
                    raise
            return
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield Tx(conn, self.dialect)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._borrow() as conn:
            return Tx(conn, self.dialect).execute(sql, params)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
        with self._lock:
            for conn in self._all:
                try:
                    conn.close()
                except Exception:
                    pass
            self._all.clear()
        self._local = threading.local()

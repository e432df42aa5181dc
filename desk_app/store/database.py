"""Opening the desk database: pragmas, migrations, refusing files we cannot trust.

Thread model: a ``Database`` is used by one thread at a time (the UI's single DB worker, or
the CLI's main thread). The connection allows hand-over between threads because the UI opens
it on its worker.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from desk_app.domain.errors import StoreError
from desk_app.store.migrations import known_migration_names, migrations
from desk_app.store.sqlite_db import Database
from desk_app.store.writer_lock import writing

# What sqlite3 binds to the ``?`` / ``:name`` placeholders of one statement.
Params = tuple[Any, ...] | list[Any] | dict[str, Any]

DB_FILENAME = "desk.sqlite3"


def translate_sqlite_error(exc: sqlite3.Error, path: Path | str = "") -> StoreError:
    """A clear, translatable message for what SQLite reports. Callers raise it after the
    transaction was rolled back, so the message can promise that nothing was half-written."""
    text = str(exc).lower()
    if "disk is full" in text or "database or disk is full" in text:
        return StoreError("Ổ đĩa đã đầy: không ghi được dữ liệu. Dữ liệu đã lưu trước đó vẫn an toàn.")
    if "not a database" in text or "malformed" in text:
        if path:
            return StoreError(
                "Tệp cơ sở dữ liệu bị hỏng hoặc không phải cơ sở dữ liệu: {path}. "
                "Không có gì bị ghi đè; hãy khôi phục từ bản sao lưu.",
                path=str(path),
            )
        return StoreError("Tệp cơ sở dữ liệu bị hỏng. Không có gì bị ghi đè; hãy khôi phục từ bản sao lưu.")
    if "locked" in text or "busy" in text:
        return StoreError("Cơ sở dữ liệu đang bận, hãy thử lại.")
    if "readonly" in text or "unable to open" in text or "disk i/o" in text:
        return StoreError("Không ghi được vào cơ sở dữ liệu {path}: {detail}.", path=str(path), detail=str(exc))
    return StoreError("Lỗi cơ sở dữ liệu: {detail}.", detail=str(exc))


def open_database(data_dir: Path, *, create: bool = True) -> Database:
    """Open (and migrate) the desk database in ``data_dir``."""
    data_dir = Path(data_dir)
    path = data_dir / DB_FILENAME
    if not path.exists() and not create:
        raise StoreError(
            "Chưa khởi tạo dữ liệu tại {path}: hãy chạy 'desk init' trước.", path=str(data_dir)
        )
    if path.is_dir():
        raise StoreError("Không mở được cơ sở dữ liệu {path}: đây là một thư mục.", path=str(path))
    refuse_lost_database(data_dir)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        make_private(data_dir)
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError("Không mở được thư mục dữ liệu {path}: {detail}.", path=str(data_dir), detail=str(exc)) from exc
    try:
        # Reading the schema first makes a file that is not a database fail here, before any
        # pragma or migration could write to it.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError("Không bật được chế độ ghi an toàn (WAL) cho {path}.", path=str(path))
        # FULL: an intake is on disk before the receipt is printed, even on power loss.
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=10000")
        db = Database(conn)
        _refuse_newer(db)
        if migrations.pending(db):
            migrations.apply(db)
    except sqlite3.Error as exc:
        conn.close()
        raise translate_sqlite_error(exc, path) from exc
    except (StoreError, ValueError):
        conn.close()
        raise
    return db


def refuse_lost_database(data_dir: Path) -> None:
    """A missing or empty database beside page files or a sync credential is a lost desk, not
    a new one: numbering afresh would reuse codes the province already holds."""
    path = data_dir / DB_FILENAME
    try:
        if path.is_file() and path.stat().st_size > 0:
            return
        files = data_dir / "files"
        found = []
        if files.is_dir() and any(p.is_file() for p in files.rglob("*")):
            found.append("files/")
        for name in ("sync-credential.json", DB_FILENAME + "-wal"):
            if (data_dir / name).is_file() and (data_dir / name).stat().st_size > 0:
                found.append(name)
    except OSError:
        return  # the open below reports what is wrong with the folder
    if found:
        raise StoreError(
            "Cơ sở dữ liệu {path} bị mất hoặc rỗng nhưng thư mục vẫn còn dữ liệu của một bàn đã dùng ({found}). "
            "Không khởi tạo lại để tránh trùng mã hồ sơ: hãy khôi phục bản sao lưu (desk restore).",
            path=str(path), found=", ".join(found),
        )


def make_private(data_dir: Path) -> None:
    """The data folder 0700 and the database files 0600 on Linux (docs/security.md, "The desk"):
    citizens' names and ID numbers are not for other accounts of the PC. SQLite gives the -wal
    and -shm files the database file's mode; page files and logs sit in 0700 folders."""
    if os.name != "posix":
        return  # Windows: the installer's ACL on the folder (installers/README.md)
    path = data_dir / DB_FILENAME
    try:
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        data_dir.chmod(0o700)
        for name in (DB_FILENAME, DB_FILENAME + "-wal", DB_FILENAME + "-shm"):
            if (data_dir / name).is_file():
                (data_dir / name).chmod(0o600)
        for name in ("files", "logs"):
            if (data_dir / name).is_dir():
                (data_dir / name).chmod(0o700)
    except OSError:
        pass  # a folder of another account, read-only media: the open says what is wrong


def _refuse_newer(db: Database) -> None:
    applied = {m.name for m in migrations.applied(db)}
    unknown = applied - set(known_migration_names())
    if unknown:
        raise StoreError(
            "Cơ sở dữ liệu được tạo bởi phiên bản phần mềm mới hơn ({names}). "
            "Hãy cập nhật phần mềm; dữ liệu không bị thay đổi.",
            names=", ".join(sorted(unknown)),
        )


def read_rows(db: Database, sql: str, params: Params = (), path: Path | str = "") -> list[dict[str, Any]]:
    """Run a read; rows as dicts, an SQLite failure as the clear ``StoreError``."""
    try:
        cursor = db.conn.execute(sql, params)
    except sqlite3.Error as exc:
        raise translate_sqlite_error(exc, path) from exc
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


@contextlib.contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """BEGIN IMMEDIATE so two processes (UI and CLI) never deadlock on a lock upgrade."""
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    # Queued behind this process's other writers of the file (store/writer_lock.py).
    with writing(conn, lambda: _begin_immediate(conn)):
        try:
            yield db
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise translate_sqlite_error(exc, "") from exc
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise translate_sqlite_error(exc, "") from exc


def _begin_immediate(conn: sqlite3.Connection) -> None:
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        raise translate_sqlite_error(exc, "") from exc

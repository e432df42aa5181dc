"""One writer at a time per database file, inside this process, queued on a Python lock.

The UI has one DB thread (every intake, edit and status change) and the sync loop a second
connection of its own (desk_app/ui/sync_status.py), so its network waits never block the DB
thread. Both write the same SQLite file. Left to SQLite, a writer that finds the file locked
polls it with sleeps that grow to 100 ms (its busy handler): an intake could wait several
times longer than the sync transaction it met. Queued here instead, first come first served,
an intake waits only until the transaction ahead of it commits, and the sync round keeps its
transactions short (store/sync_store.py: confirmations in small chunks, one look at the
backlog per chunk), so that wait stays within tens of milliseconds
(tests/sync/test_intake_beside_sync.py measures it). Another process (the
CLI beside the UI) still meets SQLite's busy timeout, as before.

``observer`` (tests and bench/ only) is called on the writing thread with the seconds the
transaction waited before it held the file.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Observer = Callable[[float], None]

class FairLock:
    """First come, first served: a writer releasing the file and wanting it again at once (a
    sync round committing file after file) goes behind the intake already waiting, instead of
    winning the race for a plain lock again and again."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._next = 0  # the ticket handed to the next writer that arrives
        self._serving = 0  # the ticket that may write now

    def __enter__(self) -> None:
        with self._cond:
            ticket = self._next
            self._next += 1
            while ticket != self._serving:
                self._cond.wait()

    def __exit__(self, *_exc: object) -> None:
        with self._cond:
            self._serving += 1
            self._cond.notify_all()


_locks: dict[str, FairLock] = {}
_guard = threading.Lock()
observer: Observer | None = None


def _path_of(conn: sqlite3.Connection) -> str:
    # Asked each time (microseconds): a connection cannot carry it (no attributes, no weakref).
    rows = conn.execute("PRAGMA database_list").fetchall()
    return next((str(row[2]) for row in rows if row[1] == "main"), "") or f":memory:{id(conn)}"


def _lock_for(conn: sqlite3.Connection) -> FairLock:
    path = _path_of(conn)
    with _guard:
        lock = _locks.get(path)
        if lock is None:
            lock = _locks[path] = FairLock()
        return lock


@contextmanager
def writing(conn: sqlite3.Connection, begin: Callable[[], None]) -> Iterator[None]:
    """Hold the file's writer lock around a whole transaction; ``begin`` starts it (BEGIN
    IMMEDIATE), and the caller's block ends it (COMMIT or ROLLBACK) before this exits."""
    lock = _lock_for(conn)
    started = time.perf_counter()
    with lock:
        begin()
        watcher = observer
        if watcher is not None:
            watcher(time.perf_counter() - started)
        yield

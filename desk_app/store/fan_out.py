"""One read split over several connections at once, so the disk serves its random reads side
by side instead of one after another. Used by ``DeskStore`` for the checks of a search's few
hits (queue_plan.FEW_HITS): cold, each hit is a disk read of its own; eight at a time take 25 ms
where one after another take 61 ms for 473 hits at 1M on this VM (docs/queue-speed.md). SQLite
releases the GIL while it reads, and WAL lets readers run beside each other and beside the
writer. No Qt; the caller's thread waits for the parts (a store thread, never the UI thread).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

# Parts run at once: the gain levels off at eight on this VM's disk (2.5x); an SSD queues more,
# a hard disk reorders what is queued.
WAYS = 8


class FanOut:
    """``WAYS`` read-only connections to one database file and a thread for each, opened on
    first use and kept until ``close``."""

    def __init__(self, path: Path, ways: int = WAYS):
        self.path = path
        self.ways = ways
        self._pool: ThreadPoolExecutor | None = None
        self._free: list[sqlite3.Connection] = []
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False

    def _connection(self) -> sqlite3.Connection:
        with self._lock:
            if self._free:
                return self._free.pop()
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10)
        conn.execute("PRAGMA query_only=ON")  # a reader: nothing it runs can write
        conn.execute("PRAGMA cache_size=-512")  # 512 KB: a part reads a few hundred pages at most
        conn.execute("PRAGMA busy_timeout=10000")
        with self._lock:
            self._all.append(conn)
        return conn

    def _run(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        conn = self._connection()
        try:
            cursor = conn.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            with self._lock:
                self._free.append(conn)

    def map(self, sql: str, param_sets: Sequence[Sequence[Any]]) -> list[list[dict[str, Any]]]:
        """``sql`` once per parameter set, at most ``ways`` at a time; the rows of each, in
        order. An SQLite error in any part is raised here."""
        if self._closed:
            raise RuntimeError("fan-out closed")
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.ways, thread_name_prefix="store-fan-out")
        return list(self._pool.map(lambda params: self._run(sql, params), param_sets))

    def close(self) -> None:
        self._closed = True
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
            self._free.clear()


def split(items: Sequence[Any], ways: int) -> list[list[Any]]:
    """``items`` dealt into at most ``ways`` parts (every ``ways``-th item each), none empty."""
    return [list(items[i::ways]) for i in range(min(ways, len(items)))]

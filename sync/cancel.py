"""Stopping a sync round from another thread (the window closing) within a second or two.

A round spends its time in three kinds of waits: an HTTP exchange in flight (up to the read
timeout, 30 s, on a server that accepted and never answers), a backoff sleep between retries
(up to 30 s), and the database (milliseconds). ``Cancel.set()`` ends the first two at once:
every socket the round's clients opened is shut down (a blocked ``recv`` returns), and the
backoff waits on the event instead of sleeping. The next request then raises
``SyncError(CANCELLED)``, which is never retried. Nothing is half-written: the round writes
only in short transactions between requests, the outbox stays pending until the server
confirmed it, and the server keeps upload offsets (the next round resumes from them).
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING

from sync.errors import CANCELLED, SyncError

if TYPE_CHECKING:  # requests (and socket) stay off the desk's start-up path (the UI builds a Cancel early)
    import socket

    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection
    from urllib3.connectionpool import HTTPConnectionPool


class Cancel:
    """A round's stop signal, shared by the round, its clients and their forks."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._lock = threading.Lock()

    def set(self) -> None:
        """From any thread: stop waiting, cut the connections in flight."""
        self._event.set()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            _cut(sock)

    def clear(self) -> None:
        """Before a new round (a cancel by "sync now" pressed twice, not by closing)."""
        self._event.clear()

    def is_set(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise SyncError(CANCELLED, CANCELLED)

    def wait(self, seconds: float) -> None:
        """Sleep ``seconds`` unless cancelled meanwhile (then raise at once)."""
        self._event.wait(max(0.0, seconds))
        self.check()

    def track(self, sock: socket.socket | None) -> None:
        """A connection a client just opened: cut at once if the round is already cancelled."""
        if sock is None:
            return
        with self._lock:
            self._sockets.add(sock)
        if self._event.is_set():
            _cut(sock)


def _cut(sock: socket.socket) -> None:
    import socket  # loaded already: the connections it cuts came with it

    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


def track_connections(adapter: HTTPAdapter, cancel: Cancel) -> None:
    """Make the pools of ``adapter`` (after its ``init_poolmanager``) hand every connection
    they open to ``cancel``, for both http and https (keeping a custom https pool, such as the
    pinning one of sync/tlspin.py)."""
    manager = adapter.poolmanager
    pools = dict(manager.pool_classes_by_scheme)
    for scheme in ("http", "https"):
        base_pool: type[HTTPConnectionPool] = pools[scheme]
        base_conn: type[HTTPConnection] = base_pool.ConnectionCls  # type: ignore[assignment]

        class Tracked(base_conn):  # type: ignore[valid-type,misc]
            def connect(self) -> None:
                super().connect()
                cancel.track(self.sock)

        pools[scheme] = type(f"Tracked{base_pool.__name__}", (base_pool,), {"ConnectionCls": Tracked})
    manager.pool_classes_by_scheme = pools
    manager.key_fn_by_scheme = dict(manager.key_fn_by_scheme)

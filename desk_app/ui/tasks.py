"""Background work for the Qt UI: the UI thread never waits on disk, network, printer or scanner.

``TaskRunner.db(fn, ...)`` runs ``fn(services, ...)`` on the single DB thread, which owns the
``DeskServices`` (and so the SQLite connection) for the whole session: one writer, no locks.
``TaskRunner.io(fn, ...)`` runs ``fn(...)`` on a small pool for printing, scanning, network.
Results and errors come back on the UI thread through a queued Qt signal, in callbacks.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal, Slot

from desk_app.services.logs import log_error

log = logging.getLogger(__name__)

Callback = Callable[[Any], None] | None


class _Relay(QObject):
    """Lives on the UI thread; a signal emitted from a worker is delivered there (queued)."""

    delivered = Signal(object, object)

    def __init__(self) -> None:
        super().__init__()
        self.delivered.connect(self._deliver)

    @Slot(object, object)
    def _deliver(self, callback, value) -> None:
        if callback is None:
            return
        try:
            callback(value)
        except RuntimeError as exc:
            # The widget that asked for the work was closed and deleted meanwhile (a scan
            # dialog closed while pages were still processing): its answer has no one to go to.
            if "already deleted" not in str(exc):
                raise
            log.debug("dropped a result for a deleted widget: %s", exc)


class TaskRunner(QObject):
    """Runs work off the UI thread. ``services_factory`` is called once, on the DB thread."""

    busy_changed = Signal(bool)

    def __init__(self, services_factory: Callable[[], Any], *, io_workers: int = 2):
        super().__init__()
        self._factory = services_factory
        self._services = None
        self._reader_services = None
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="desk-db")
        # Slow read-only queries (counting 100k search hits) get their own thread and SQLite
        # connection (WAL lets it read beside the writer), so they never hold up a save or the
        # next search's first page queued on the DB thread.
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="desk-read")
        self._io = ThreadPoolExecutor(max_workers=io_workers, thread_name_prefix="desk-io")
        self._relay = _Relay()
        self._pending = 0
        self._lock = threading.Lock()
        self._reads_interrupted = False  # the running read was cut short on purpose

    def _services_on_db_thread(self):
        if self._services is None:
            self._services = self._factory()
        return self._services

    def _services_on_reader_thread(self):
        if self._reader_services is None:
            self._reader_services = self._factory()
        return self._reader_services

    def _track(self, delta: int) -> None:
        with self._lock:
            before = self._pending
            self._pending += delta
            after = self._pending
        if (before == 0) != (after == 0):
            self.busy_changed.emit(after > 0)

    def _submit(self, pool: ThreadPoolExecutor, call: Callable[[], Any], on_done: Callback, on_error: Callback, fn: Any = None) -> Future:
        name = getattr(fn, "__qualname__", None) or type(fn).__name__

        def job():
            try:
                result = call()
            except BaseException as exc:  # every failure is logged and reaches the UI as a callback
                if pool is self._reader and self._reads_interrupted:
                    log.debug("read %s interrupted (a newer search replaced it)", name)
                else:
                    log_error(f"background task {name} failed", exc, log)
                self._relay.delivered.emit(on_error, exc)
                raise
            finally:
                self._track(-1)
            self._relay.delivered.emit(on_done, result)
            return result

        self._track(+1)
        return pool.submit(job)

    def db(self, fn: Callable[..., Any], *args: Any, on_done: Callback = None, on_error: Callback = None, **kwargs: Any) -> Future:
        """Run ``fn(services, *args, **kwargs)`` on the DB thread."""
        return self._submit(self._db, lambda: fn(self._services_on_db_thread(), *args, **kwargs), on_done, on_error, fn)

    def read(self, fn: Callable[..., Any], *args: Any, on_done: Callback = None, on_error: Callback = None, **kwargs: Any) -> Future:
        """Run the read-only ``fn(services, *args, **kwargs)`` on the reader thread, which has
        its own services and connection. Only after the DB thread has opened the database."""
        def call():
            self._reads_interrupted = False  # an interrupt meant for an earlier read is spent
            return fn(self._services_on_reader_thread(), *args, **kwargs)

        return self._submit(self._reader, call, on_done, on_error, fn)

    def interrupt_reads(self) -> None:
        """Abort the statement running on the reader thread (a count nobody waits for any
        more). Safe from the UI thread: sqlite3 interrupt is thread-safe, and the reader never
        writes. The interrupted job reports its error to its on_error callback."""
        services = self._reader_services
        if services is not None:
            self._reads_interrupted = True
            services.store.db.conn.interrupt()

    def io(self, fn: Callable[..., Any], *args: Any, on_done: Callback = None, on_error: Callback = None, **kwargs: Any) -> Future:
        """Run ``fn(*args, **kwargs)`` on the I/O pool (printer, scanner, network, files)."""
        return self._submit(self._io, lambda: fn(*args, **kwargs), on_done, on_error, fn)

    def shutdown(self) -> None:
        """Finish queued work (a save in flight must land), then close the database."""
        self._io.shutdown(wait=True, cancel_futures=False)

        def close_reader():
            if self._reader_services is not None:
                self._reader_services.close()

        self._reader.submit(close_reader)
        self._reader.shutdown(wait=True, cancel_futures=False)

        def close():
            if self._services is not None:
                self._services.close()

        self._db.submit(close)
        self._db.shutdown(wait=True)


def logged_only(_exc: BaseException) -> None:
    """``on_error`` for background work nobody is waiting for (a periodic refresh): the runner
    has already logged the failure; nothing to show, and nothing is swallowed."""

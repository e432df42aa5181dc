"""Background work for the Qt UI: the UI thread never waits on disk, network, printer or scanner.

``TaskRunner.db(fn, ...)`` runs ``fn(services, ...)`` on the single DB thread, which owns the
``DeskServices`` (and so the SQLite connection) for the whole session: one writer, no locks.
``TaskRunner.io(fn, ..., executor=...)`` runs ``fn(...)`` off the UI thread on one of the named
executors below, so a long job never delays an urgent one of another kind (a receipt to
render and print right after a save never waits behind a scan or a sync round's uploads):

- ``io``: files, backups, diagnostics, page images for the viewer (the default);
- ``sync``: sync rounds and the enrolment (network; may take minutes on a poor link);
- ``devices``: scanner hardware and the processing of scanned or imported pages;
- ``render``: rendering forms and printing (the receipt after a save).

``runner.sync(fn, ...)``, ``runner.devices(fn, ...)`` and ``runner.render(fn, ...)`` say the
same as ``runner.io(fn, ..., executor=...)``. Results and errors come back on the UI thread
through a queued Qt signal, in callbacks.

The ``sync`` executor's threads are daemon threads: at exit a round is asked to stop (its
cancel event, desk_app/ui/sync_status.py) and given a few seconds; one still stuck in a network
wait then cannot keep the process alive (it writes nothing outside a committed transaction,
and the server keeps upload offsets, so the next start resumes the round).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from desk_app.services.logs import log_error
from desk_app.ui.changes import Changes

log = logging.getLogger(__name__)

Callback = Callable[[Any], None] | None

IO = "io"
SYNC = "sync"
DEVICES = "devices"
RENDER = "render"
# Workers per executor: two each, so a preview and a print, or a scan and an import, or a
# round and an enrolment, never queue behind each other either.
EXECUTOR_WORKERS = {IO: 2, SYNC: 2, DEVICES: 2, RENDER: 2}
SYNC_GRACE_SECONDS = 2.0  # how long shutdown waits for a cancelled round to reach a safe point
# Long jobs run niced: when the render thread (a receipt) and a scan's page processing both want
# the CPU (and with it the interpreter), the OS lets the receipt go first (bench/
# bench_receipt_under_load.py). Threads they start (upload workers) inherit it. Linux only.
BACKGROUND_NICE = 10


def lower_priority() -> None:
    """Thread initializer for the long-job executors: this thread at ``BACKGROUND_NICE``."""
    if hasattr(os, "setpriority"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICE)
        except OSError:
            pass  # not permitted here: the work runs at normal priority


class _DaemonExecutor(Executor):
    """A small pool of daemon threads: what it runs cannot keep the process alive at exit.
    ``shutdown(timeout=...)`` waits at most that long for the running and queued jobs."""

    def __init__(self, workers: int, name: str, initializer: Callable[[], None] | None = None):
        self._initializer = initializer
        self._jobs: queue.SimpleQueue[tuple[Future, Callable[[], Any]] | None] = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._work, name=f"{name}_{i}", daemon=True) for i in range(workers)]
        self._closed = False
        for thread in self._threads:
            thread.start()

    def _work(self) -> None:
        if self._initializer is not None:
            self._initializer()
        while (job := self._jobs.get()) is not None:
            future, call = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(call())
            except BaseException as exc:  # handed to whoever holds the future
                future.set_exception(exc)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        if self._closed:
            raise RuntimeError("cannot schedule new futures after shutdown")
        future: Future = Future()
        self._jobs.put((future, lambda: fn(*args, **kwargs)))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False, timeout: float | None = None) -> None:
        self._closed = True
        for _thread in self._threads:
            self._jobs.put(None)
        if not wait:
            return
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in self._threads:
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))

    def alive(self) -> int:
        """Threads still running a job (after a shutdown whose wait ran out)."""
        return sum(thread.is_alive() for thread in self._threads)


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

    def __init__(self, services_factory: Callable[[], Any], *, io_workers: int = EXECUTOR_WORKERS[IO]):
        super().__init__()
        self._factory = services_factory
        self._services = None
        self._reader_services = None
        self._shut_down = False
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="desk-db")
        # Slow read-only queries (counting 100k search hits) get their own thread and SQLite
        # connection (WAL lets it read beside the writer), so they never hold up a save or the
        # next search's first page queued on the DB thread.
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="desk-read")
        self._io = ThreadPoolExecutor(max_workers=io_workers, thread_name_prefix="desk-io")
        self._sync = _DaemonExecutor(EXECUTOR_WORKERS[SYNC], "desk-sync", lower_priority)
        self._executors: dict[str, Executor] = {
            IO: self._io,
            SYNC: self._sync,
            DEVICES: ThreadPoolExecutor(max_workers=EXECUTOR_WORKERS[DEVICES], thread_name_prefix="desk-devices",
                                        initializer=lower_priority),
            RENDER: ThreadPoolExecutor(max_workers=EXECUTOR_WORKERS[RENDER], thread_name_prefix="desk-render"),
        }
        self._relay = _Relay()
        # The one change signal of the session: every widget holding the runner can listen.
        self.changes = Changes()
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

    def _submit(self, pool: Executor, call: Callable[[], Any], on_done: Callback, on_error: Callback, fn: Any = None) -> Future:
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
            services.interrupt()

    def io(self, fn: Callable[..., Any], *args: Any, executor: str = IO, on_done: Callback = None, on_error: Callback = None,
           **kwargs: Any) -> Future:
        """Run ``fn(*args, **kwargs)`` on the named executor (``IO``, ``SYNC``, ``DEVICES``,
        ``RENDER``; see the module's docstring)."""
        try:
            pool = self._executors[executor]
        except KeyError as exc:
            raise ValueError(f"unknown executor {executor!r}; one of {sorted(self._executors)}") from exc
        return self._submit(pool, lambda: fn(*args, **kwargs), on_done, on_error, fn)

    def sync(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
        """``io(fn, ..., executor=SYNC)``: sync rounds and the enrolment."""
        return self.io(fn, *args, executor=SYNC, **kwargs)

    def devices(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
        """``io(fn, ..., executor=DEVICES)``: scanners and the pages they make."""
        return self.io(fn, *args, executor=DEVICES, **kwargs)

    def render(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
        """``io(fn, ..., executor=RENDER)``: rendering forms and printing."""
        return self.io(fn, *args, executor=RENDER, **kwargs)

    def finish_background(self) -> None:
        """Wait for every job off the DB and reader threads (tests that keep the database open
        afterwards). The runner takes no more background work after this."""
        for name, pool in self._executors.items():
            if name != SYNC:
                pool.shutdown(wait=True, cancel_futures=False)
        self._sync.shutdown(wait=True, timeout=SYNC_GRACE_SECONDS)

    def finish(self) -> None:
        """Wait for every job, the DB and reader threads' too, and take no more work; the
        services stay open (a test fixture that owns the database closes it itself)."""
        self.finish_background()
        self._reader.shutdown(wait=True, cancel_futures=False)
        self._db.shutdown(wait=True, cancel_futures=False)

    @property
    def shut_down(self) -> bool:
        """True once ``shutdown`` began: a timer that fires now has no runner to ask."""
        return self._shut_down

    def shutdown(self) -> None:
        """Finish queued work (a save in flight must land), then close the database. A sync
        round gets ``SYNC_GRACE_SECONDS`` after its cancel (set by ``SyncLoop.shutdown``
        before this); its daemon thread cannot hold up the exit beyond that."""
        if self._shut_down:  # once: the database is closed already
            return
        self._shut_down = True
        started = time.monotonic()
        self._sync.shutdown(wait=False)
        self.finish_background()
        if self._sync.alive():
            log.warning("a sync round did not stop within %.1f s of the shutdown; left behind", time.monotonic() - started)

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

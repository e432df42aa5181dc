"""Slow read-only queries (the queue's count of 100k search hits) run on their own reader thread
and connection: they never hold up the DB thread, and a stale one can be interrupted."""

import threading

import pytest

from desk_app.services.context import build_services
from desk_app.ui.tasks import TaskRunner

pytestmark = pytest.mark.ui

SLOW = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000000) SELECT count(*) FROM n"


def test_a_slow_read_neither_blocks_the_db_thread_nor_survives_an_interrupt(qtbot, tmp_path, clock):
    runner = TaskRunner(lambda: build_services(tmp_path / "data", clock=clock, actor="t"))
    done, failed, threads = [], [], []
    started = threading.Event()

    def slow_count(services):
        threads.append(threading.current_thread().name)
        started.set()
        return services.store.db.conn.execute(SLOW).fetchone()[0]

    try:
        runner.db(lambda s: s.setup.is_initialised(), on_done=done.append)  # the DB thread opens the file
        qtbot.waitUntil(lambda: len(done) == 1, timeout=10000)
        runner.read(slow_count, on_done=done.append, on_error=failed.append)
        assert started.wait(10)
        # The DB thread still answers at once while the reader is busy.
        runner.db(lambda s: s.store.count_procedures(), on_done=done.append)
        qtbot.waitUntil(lambda: len(done) == 2, timeout=5000)
        assert not failed
        runner.interrupt_reads()
        qtbot.waitUntil(lambda: bool(failed), timeout=10000)
        assert len(done) == 2  # the slow count never delivered a result
        assert threads == ["desk-read_0"]
    finally:
        runner.shutdown()

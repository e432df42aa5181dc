"""The runner's named executors: a long job on one (a scan, a sync round) never delays an
urgent one on another (the receipt's rendering and printing after a save), and a sync round
stuck in the network cannot hold up the exit."""

from __future__ import annotations

import threading
import time

import pytest

from desk_app.ui.tasks import DEVICES, IO, RENDER, SYNC, SYNC_GRACE_SECONDS, TaskRunner


@pytest.fixture
def runner(qapp):
    runner = TaskRunner(lambda: None)
    yield runner
    runner.shutdown()


def _blocked(release: threading.Event, started: threading.Event):
    def job() -> str:
        started.set()
        release.wait(30)
        return "long"

    return job


def test_render_runs_while_scans_and_rounds_fill_their_executors(runner, qtbot):
    release = threading.Event()
    started = [threading.Event() for _ in range(6)]
    # Every worker of devices, sync and io busy, and more queued behind them.
    long_jobs = [runner.io(_blocked(release, started[i]), executor=name)
                 for i, name in enumerate([DEVICES, DEVICES, SYNC, SYNC, IO, IO])]
    long_jobs += [runner.devices(_blocked(release, threading.Event())) for _ in range(3)]
    for event in started:
        assert event.wait(10)
    names: list[str] = []
    receipt = runner.render(lambda: names.append(threading.current_thread().name) or "printed")
    assert receipt.result(timeout=5) == "printed"  # not behind the scans: they are still blocked
    assert names[0].startswith("desk-render")
    assert not any(job.done() for job in long_jobs)
    release.set()
    assert [job.result(timeout=10) for job in long_jobs] == ["long"] * len(long_jobs)


def test_each_executor_runs_on_its_own_threads_and_a_bad_name_is_refused(runner):
    seen = {name: runner.io(lambda: threading.current_thread().name, executor=name).result(timeout=5)
            for name in (IO, SYNC, DEVICES, RENDER)}
    assert {name: thread.split("_")[0] for name, thread in seen.items()} == {
        IO: "desk-io", SYNC: "desk-sync", DEVICES: "desk-devices", RENDER: "desk-render"}
    assert runner.sync(lambda: threading.current_thread().daemon).result(timeout=5) is True
    with pytest.raises(ValueError, match="unknown executor"):
        runner.io(lambda: None, executor="printer")


def test_shutdown_leaves_a_stuck_sync_job_behind_within_its_grace(qapp):
    runner = TaskRunner(lambda: None)
    stuck = threading.Event()
    started = threading.Event()
    runner.sync(_blocked(stuck, started))
    assert started.wait(5)
    began = time.monotonic()
    runner.shutdown()
    assert time.monotonic() - began < SYNC_GRACE_SECONDS + 1.0
    stuck.set()

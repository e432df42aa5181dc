"""Saved data survives a killed process; two processes writing one desk never collide."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

from desk_app.services.context import build_services
from tests.conftest import ROOT

WRITER = textwrap.dedent(
    """
    import json, sys, time
    from desk_app.services.context import build_services
    ctx = build_services(sys.argv[1], actor="proc")
    data = json.loads(sys.argv[2])
    for _ in range(int(sys.argv[3])):
        print(ctx.intake.intake(data).code, flush=True)
    print("done", flush=True)
    time.sleep(120)  # keep the connection open: no close, no checkpoint, until killed
    """
)


def _desk(tmp_path):
    data = tmp_path / "data"
    ctx = build_services(data, actor="setup")
    ctx.setup.configure(unit_code="H14.52.01", desk=2)
    ctx.catalogue.ensure_sample()
    ctx.close()
    return data


def _spawn(data, intake_json, count):
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(data), json.dumps(intake_json), str(count)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_dossier_survives_kill_9_right_after_intake_returns(tmp_path, intake_json):
    data = _desk(tmp_path)
    proc = _spawn(data, intake_json, 1)
    try:
        code = proc.stdout.readline().strip()
        os.kill(proc.pid, signal.SIGKILL)  # the instant the receipt could be printed
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert (data / "desk.sqlite3-wal").exists()  # the commit is only in the WAL: never checkpointed
    ctx = build_services(data)
    try:
        view = ctx.queue.show(code)
        assert view.applicant.full_name == "Nguyễn Thị Đào"
        assert [o["dossier_code"] for o in ctx.store.pending_outbox()] == [code]
    finally:
        ctx.close()


def test_two_processes_on_one_desk_never_repeat_a_code(tmp_path, intake_json):
    data = _desk(tmp_path)
    procs = [_spawn(data, intake_json, 25) for _ in range(2)]
    codes = []
    try:
        for proc in procs:
            for line in proc.stdout:
                if line.strip() == "done":
                    break
                codes.append(line.strip())
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
    assert len(codes) == 50 and len(set(codes)) == 50
    assert all(c.split("-")[-1].startswith("2") for c in codes)

"""An intake never waits more than 50 ms on the sync round's second connection.

The UI's sync loop writes the desk database through its own connection while the DB thread
takes intakes (desk_app/store/writer_lock.py). Here a real round (a server process on
loopback) pushes hundreds of records and dozens of page files and pulls a long change feed,
while another thread commits intakes as fast as it can with its own connection, as the DB
thread does. The wait of every intake transaction before it holds the file is measured
by the writer lock's observer (not by timing the whole intake): the maximum must stay
within 50 ms, a bound of the locking design (short sync transactions, queued writers)."""

from __future__ import annotations

import os
import threading
from datetime import date, timedelta

from desk_app.services.context import build_services
from desk_app.store import writer_lock
from tests.sync.conftest import FAST_CLIENT, add_pages, enroll

RECORDS = 400
PAGE_FILES = 60
FEED_CHANGES = 1200
MAX_WAIT = 0.050
INTAKE_GAP = 0.010


def test_intake_waits_at_most_50_ms_while_a_big_round_runs(desk, server, province, clock, intake_json, monkeypatch):
    desk.sync.vault.use_keyring = False
    enroll(desk, server.url, province)
    codes = [desk.intake.intake(intake_json).code for _ in range(RECORDS)]
    for i, code in enumerate(codes[: PAGE_FILES // 4]):
        add_pages(desk, code, [os.urandom(30_000) + bytes([i, page]) for page in range(4)])
    first = date(2027, 1, 4)
    for i in range(FEED_CHANGES):
        province.publish_calendar((first + timedelta(days=i)).isoformat(), "off" if i % 2 else "work", note=f"n{i}")

    waits: dict[str, list[float]] = {"intake": [], "sync": []}
    roles = threading.local()
    monkeypatch.setattr(writer_lock, "observer", lambda seconds: waits[getattr(roles, "name", "sync")].append(seconds))

    sync_side = build_services(desk.data_dir, clock=clock, actor="t")  # the sync loop's own connection
    sync_side.sync.client_options.update(FAST_CLIENT)
    sync_side.sync.rounds_only()  # as the UI's sync loop builds it (desk_app/ui/sync_status.py)
    rounds: list = []
    done = threading.Event()

    def run_round() -> None:
        try:
            rounds.append(sync_side.sync.sync_once())
        finally:
            done.set()

    def take_intakes() -> None:
        roles.name = "intake"
        while not done.is_set():
            desk.intake.intake(intake_json)
            done.wait(INTAKE_GAP)  # a hundred intakes a second: far busier than any counter

    counter = threading.Thread(target=take_intakes, name="db-thread")
    round_thread = threading.Thread(target=run_round, name="sync")
    counter.start()
    round_thread.start()
    round_thread.join(300)
    counter.join(60)
    sync_side.close()

    assert done.is_set() and rounds, "the round did not finish"
    (summary,) = rounds
    assert not summary.errors, summary
    assert summary.confirmed >= RECORDS and summary.files_uploaded == PAGE_FILES
    assert summary.changes_applied >= FEED_CHANGES
    intake_waits = sorted(waits["intake"])
    assert len(intake_waits) >= 30, "too few intakes during the round to say anything"
    assert len(waits["sync"]) >= 20  # the round really wrote beside the intakes
    worst = intake_waits[-1]
    print(f"\nintake transactions during the round: {len(intake_waits)}, sync transactions: {len(waits['sync'])}, "
          f"wait p50 {intake_waits[len(intake_waits) // 2] * 1000:.2f} ms, "
          f"p95 {intake_waits[int(len(intake_waits) * 0.95)] * 1000:.2f} ms, max {worst * 1000:.2f} ms")
    assert worst <= MAX_WAIT, f"an intake waited {worst * 1000:.1f} ms for the sync connection"

"""The same record pushed concurrently to several server processes on one PostgreSQL
database (a desk retrying after a timeout while its first copy is still being applied, or
two replicas behind the province's proxy): the first copy is ``accepted``, every other
copy ``duplicate`` — never ``rejected: code_taken``, which would make the desk quarantine
a record the server holds (docs/sync-protocol.md section 4)."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from pathlib import Path
from typing import TypedDict

import psycopg

from sync.client import Credential, SyncClient
from sync.errors import SyncError
from tests.sync.conftest import UNIT, ServerProcess

PROCESSES = 3
THREADS = 24
RECORDS = 13  # each pushed THREADS times at once: 312 copies
class Retrying(TypedDict):
    timeout: float
    connect_timeout: float
    max_attempts: int
    backoff_base: float
    backoff_cap: float


RETRYING: Retrying = {"timeout": 30.0, "connect_timeout": 5.0, "max_attempts": 60, "backoff_base": 0.01, "backoff_cap": 0.1}


def fresh_database(pg_url: str, name: str) -> str:
    """The URL of a new, empty database ``name`` in the test's cluster."""
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    return pg_url.rsplit("/", 1)[0] + "/" + name


def received(code: str, key: str) -> dict:
    return {
        "key": key,
        "kind": "dossier.received",
        "dossier_code": code,
        "payload": {
            "dossier": {"uuid": key, "code": code, "received_at": "2026-11-18T09:30:00+07:00", "received_by": "t"},
            "documents": [],
        },
        "created_at": "2026-11-18T09:30:00+07:00",
    }


def push_copies(urls: list[str], credential: Credential, records: list[dict]) -> Counter:
    """Each record in turn pushed by ``THREADS`` threads released together, spread over the
    server processes; the status of every answer is counted (transport errors too)."""
    statuses: Counter = Counter()
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def worker(index: int) -> None:
        client = SyncClient(credential, server_url=urls[index % len(urls)], **RETRYING)
        try:
            for record in records:
                start.wait(60)
                try:
                    [answer] = client.push([record])
                    seen = answer["status"] + (":" + answer["reason"] if "reason" in answer else "")
                except SyncError as exc:
                    seen = f"error:{exc.reason}"
                with lock:
                    statuses[seen] += 1
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    return statuses


def test_same_record_to_several_processes_is_accepted_once(tmp_path: Path, pg_url: str) -> None:
    data = tmp_path / "srv"
    data.mkdir()
    # One province: the same data folder (its key unwraps the desks' secrets) and database.
    url = fresh_database(pg_url, "copies")
    servers = [ServerProcess(data, url).start() for _ in range(PROCESSES)]
    try:
        province = servers[0].province()
        code = province.enroll_code(UNIT, 3)["code"]
        credential = SyncClient(None, server_url=servers[0].url).enroll(code)
        urls = [s.url for s in servers]
        events = [received(f"{UNIT}-261118-{3001 + i}", f"7f0c6a8e-0000-4000-8000-{i:012d}") for i in range(RECORDS)]
        statuses = push_copies(urls, credential, events)
        assert statuses == Counter({"accepted": RECORDS, "duplicate": (THREADS - 1) * RECORDS}), statuses
        rows = province.db.read("SELECT code, count(*) AS n FROM dossiers GROUP BY code ORDER BY code")
        assert [(r["code"], r["n"]) for r in rows] == [(e["dossier_code"], 1) for e in events]
        assert province.db.read("SELECT count(*) AS n FROM events")[0]["n"] == RECORDS
        province.close()
    finally:
        for server in servers:
            server.stop()


def mixed_batch() -> tuple[list[dict], list[str]]:
    """One batch with every kind of answer, and the answers separate pushes would give."""
    a = received(f"{UNIT}-261118-3101", "7f0c6a8e-0000-4000-8000-00000000a001")
    c = received(f"{UNIT}-261118-3102", "7f0c6a8e-0000-4000-8000-00000000a002")
    other = received("000.31.14.H99-261118-3103", "7f0c6a8e-0000-4000-8000-00000000a003")
    changed = json.loads(json.dumps(a))
    changed["payload"]["documents"] = [{"name": "x", "kind": "copy", "count": 1}]
    taken = received(a["dossier_code"], "7f0c6a8e-0000-4000-8000-00000000a004")  # another key, same code
    pages = {"key": "7f0c6a8e-0000-4000-8000-00000000a005", "kind": "dossier.pages", "dossier_code": c["dossier_code"],
             "payload": {"dossier_code": c["dossier_code"], "files": ["ab" * 32]}}
    status_key = "7f0c6a8e-0000-4000-8000-00000000a006"
    status = {"key": status_key, "kind": "dossier.status", "dossier_code": a["dossier_code"],
              "payload": {"event": {"uuid": status_key, "status": "returned", "at": "2026-11-18T10:00:00+07:00"}}}
    events = [a, a, other, c, taken, pages, status, changed]
    return events, ["accepted", "duplicate", "rejected:other_commune", "accepted", "rejected:code_taken",
                    "missing_files", "accepted", "conflict:key_reused"]


def outcome(answer: dict) -> str:
    return answer["status"] + (":" + answer["reason"] if "reason" in answer else "")


def test_a_batch_answers_as_separate_pushes_would(tmp_path: Path, pg_url: str) -> None:
    """The records of a batch share one transaction (pipelined on PostgreSQL): on both
    database engines the answers are the ones separate pushes give, in one pass (no
    record-by-record fallback), and a refused record leaves nothing behind while the
    accepted ones around it stay."""
    from sync.server.admin import Province
    from sync.server.records import Desk

    for name, url in (("sqlite", None), ("postgresql", fresh_database(pg_url, "mixed"))):
        province = Province(tmp_path / name, url)
        try:
            desk = Desk("desk-3", UNIT, 3)
            events, expected = mixed_batch()
            assert [outcome(a) for a in province.records.apply_batch(desk, events, via="http")] == expected, name
            assert province.records.fallbacks == 0, name
            separately = [province.records.apply(desk, event, via="http")["status"] for event in events]
            again = ["duplicate", "duplicate", "rejected", "duplicate", "rejected", "missing_files", "duplicate", "conflict"]
            assert separately == again, name
            stored = sorted(r["code"] for r in province.db.read("SELECT code FROM dossiers"))
            assert stored == [f"{UNIT}-261118-3101", f"{UNIT}-261118-3102"], name
            assert province.db.read("SELECT count(*) AS n FROM events")[0]["n"] == 3
            assert province.db.read("SELECT count(*) AS n FROM dossier_files")[0]["n"] == 0
        finally:
            province.close()


def test_a_batch_that_loses_a_race_is_applied_record_by_record(tmp_path: Path, pg_url: str) -> None:
    """Another process inserts a dossier code while a batch is applying a record with the
    same code (the unique constraint fires inside the batch's shared transaction): the
    batch starts over record by record, the records around it are accepted, the loser is
    refused ``code_taken``, nothing is lost or doubled."""
    from sync.server.admin import Province
    from sync.server.records import Desk

    url = fresh_database(pg_url, "race")
    province = Province(tmp_path / "srv", url)
    try:
        desk = Desk("desk-3", UNIT, 3)
        a, b, c = (received(f"{UNIT}-261118-{3201 + i}", f"7f0c6a8e-0000-4000-8000-00000000b00{i}") for i in range(3))
        other = psycopg.connect(url)  # the other process: inserts b's code, commits later
        other.execute(
            "INSERT INTO dossiers (code, uuid, unit_code, desk, desk_id, data, received_at, status, status_at, status_source, "
            "created_at) VALUES (%s, 'other-uuid', %s, 3, 'desk-3', '{}', 'x', 'received', 'x', 'desk', 'x')",
            (b["dossier_code"], UNIT),
        )
        answers: list[dict] = []
        batch = threading.Thread(target=lambda: answers.extend(province.records.apply_batch(desk, [a, b, c], via="http")))
        batch.start()
        with psycopg.connect(url, autocommit=True) as watcher:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:  # the batch waits on the other's uncommitted row
                row = watcher.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = 'race' AND wait_event_type = 'Lock'")
                if row.fetchone()[0]:  # type: ignore[index]
                    break
                time.sleep(0.02)
            else:
                raise AssertionError("the batch never waited for the other transaction")
        other.commit()
        other.close()
        batch.join(30)
        assert [outcome(x) for x in answers] == ["accepted", "rejected:code_taken", "accepted"]
        assert province.records.fallbacks == 1
        codes = sorted(r["code"] for r in province.db.read("SELECT code FROM dossiers"))
        assert codes == sorted(e["dossier_code"] for e in (a, b, c))
        assert sorted(r["key"] for r in province.db.read("SELECT key FROM events")) == sorted([a["key"], c["key"]])
    finally:
        province.close()

"""The same record pushed concurrently to several server processes on one PostgreSQL
database (a desk retrying after a timeout while its first copy is still being applied, or
two replicas behind the province's proxy): the first copy is ``accepted``, every other
copy ``duplicate`` — never ``rejected: code_taken``, which would make the desk quarantine
a record the server holds (docs/sync-protocol.md section 4)."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

from sync.client import Credential, SyncClient
from sync.errors import SyncError
from tests.sync.conftest import UNIT, ServerProcess

PROCESSES = 3
THREADS = 24
RECORDS = 13  # each pushed THREADS times at once: 312 copies
RETRYING = {"timeout": 30.0, "connect_timeout": 5.0, "max_attempts": 60, "backoff_base": 0.01, "backoff_cap": 0.1}


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
    servers = [ServerProcess(data, pg_url).start() for _ in range(PROCESSES)]
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

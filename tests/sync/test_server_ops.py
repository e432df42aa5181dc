"""Operating the server: a bounded PostgreSQL connection pool per process, health and
readiness endpoints, access logs without personal data."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import psycopg

from sync.client import SyncClient
from tests.sync.conftest import UNIT, ServerProcess


def server_connections(pg_url: str) -> int:
    """Client connections to the cluster other than this one (only the server's remain)."""
    with psycopg.connect(pg_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_postgresql_connections_stay_within_the_pool(tmp_path: Path, pg_url: str) -> None:
    """16 desks sending heartbeats at once through one process with --db-pool-size 3: the
    process never holds more than 3 connections (per-thread connections held one per
    worker thread, up to 40)."""
    data = tmp_path / "srv"
    data.mkdir()
    server = ServerProcess(data, pg_url)
    server.extra = ["--db-pool-size", "3"]
    server.start()
    try:
        province = server.province()
        credentials = [
            SyncClient(None, server_url=server.url).enroll(province.enroll_code(UNIT, 1 + i % 9)["code"]) for i in range(16)
        ]
        province.close()
        stop = threading.Event()
        failures: list[str] = []

        def desk(index: int) -> None:
            client = SyncClient(credentials[index], max_attempts=20, backoff_base=0.01, backoff_cap=0.1)
            try:
                while not stop.is_set():
                    client.heartbeat({"backlog": index, "app_version": "1.0.0"})
            except Exception as exc:  # any failure is reported by the assertion below
                failures.append(repr(exc))
            finally:
                client.close()

        threads = [threading.Thread(target=desk, args=(i,)) for i in range(16)]
        for thread in threads:
            thread.start()
        seen = []
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            seen.append(server_connections(pg_url))
            time.sleep(0.05)
        stop.set()
        for thread in threads:
            thread.join(30)
        assert not failures, failures[:3]
        assert 1 <= max(seen) <= 3, seen
    finally:
        server.stop()

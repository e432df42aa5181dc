"""Operating the server: a bounded PostgreSQL connection pool per process, health and
readiness endpoints, access logs without personal data."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from pathlib import Path

import psycopg
import requests

from sync.client import SyncClient
from tests.sync.conftest import FAST_CLIENT, UNIT, ServerProcess, add_intake, add_pages, enroll


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


def test_healthz_and_readyz_answer_without_authentication(server: ServerProcess) -> None:
    alive = requests.get(server.url + "/healthz", timeout=5)
    assert alive.status_code == 200 and alive.json() == {"status": "ok"}
    ready = requests.get(server.url + "/readyz", timeout=5)
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}
    assert not list((server.data / "health").glob("*")), "the probe object is deleted"


def test_readyz_names_the_files_when_the_store_cannot_write(server: ServerProcess) -> None:
    shutil.rmtree(server.data / "health", ignore_errors=True)
    (server.data / "health").write_bytes(b"")  # a file where the probe's folder goes: writes fail
    answer = requests.get(server.url + "/readyz", timeout=5)
    assert answer.status_code == 503, answer.text
    assert answer.json()["failed"] == "files" and answer.headers["Retry-After"] == "5"
    assert str(server.data) not in answer.text  # no paths in an unauthenticated answer
    assert requests.get(server.url + "/healthz", timeout=5).status_code == 200  # alive all the same


def test_readyz_follows_the_database_down_and_back(tmp_path: Path, pg_url: str) -> None:
    """The server's database refuses connections (and its open ones are cut): /readyz says
    503 ``database`` within the probe timeout, /healthz still 200; connections allowed
    again: ready again, and a signed request works on a fresh pooled connection."""
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS readyz")
        admin.execute("CREATE DATABASE readyz")
    url = pg_url.rsplit("/", 1)[0] + "/readyz"
    data = tmp_path / "srv"
    data.mkdir()
    server = ServerProcess(data, url).start()
    try:
        province = server.province()
        client = SyncClient(SyncClient(None, server_url=server.url).enroll(province.enroll_code(UNIT, 3)["code"]), max_attempts=1)
        province.close()
        assert requests.get(server.url + "/readyz", timeout=5).status_code == 200
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("ALTER DATABASE readyz ALLOW_CONNECTIONS false")
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'readyz'")
            started = time.monotonic()
            down = requests.get(server.url + "/readyz", timeout=10)
            assert time.monotonic() - started < 4
            assert down.status_code == 503 and down.json()["failed"] == "database", down.text
            assert "readyz" not in down.json()["reason"] and "127.0.0.1" not in down.text  # no URL leaks
            assert requests.get(server.url + "/healthz", timeout=5).status_code == 200
            admin.execute("ALTER DATABASE readyz ALLOW_CONNECTIONS true")
        assert requests.get(server.url + "/readyz", timeout=10).status_code == 200
        assert client.whoami()["desk"] == 3
        client.close()
    finally:
        server.stop()


def test_access_log_has_one_line_per_request_and_no_personal_data(desk, tmp_path: Path, intake_json: dict) -> None:
    """A whole sync round (enrollment, heartbeat, tus upload of a page, records, feed) with
    --access-log: every request is one JSON line with its route template, and nothing of the
    dossier — name, ID number, phone, dossier code, file hash, query string — is in the log."""
    data = tmp_path / "srv"
    data.mkdir()
    log = tmp_path / "access.log"
    server = ServerProcess(data)
    server.extra = ["--access-log", str(log)]
    server.start()
    try:
        province = server.province()
        desk.sync.vault.use_keyring = False
        desk.sync.client_options.update(FAST_CLIENT)
        credential = enroll(desk, server.url, province)
        codes = add_intake(desk, intake_json, 2)
        shas = add_pages(desk, codes[0], [os.urandom(40_000)])
        summary = desk.sync.sync_once()
        assert summary.ok, summary
        province.close()
        # Paths that carry a hash or a code: logged as their route template, or not at all.
        requests.head(f"{server.url}/v1/files/{shas[0]}", headers={"Tus-Resumable": "1.0.0"}, timeout=5)
        requests.get(f"{server.url}/v1/no-such-thing/{codes[1]}?after={codes[0]}", timeout=5)
    finally:
        server.stop()  # the listener flushes at shutdown
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    routes = {(line["method"], line["route"]) for line in lines}
    assert {
        ("POST", "/v1/enroll"), ("POST", "/v1/events"), ("GET", "/v1/changes"), ("POST", "/v1/files"),
        ("HEAD", "/v1/files/{sha}"), ("GET", "(unmatched)"),
    } <= routes, routes
    for line in lines:
        assert set(line) == {"time", "method", "route", "status", "ms", "bytes_in", "bytes_out", "desk", "request_id"}
    signed = [line for line in lines if line["route"] == "/v1/events"]
    assert signed and all(line["desk"] == credential["desk_id"] and line["status"] == 200 for line in signed)
    assert max(line["bytes_in"] for line in lines) >= 40_000  # the page's bytes were counted
    text = log.read_text(encoding="utf-8")
    applicant = intake_json["applicant"]
    for secret in [applicant["full_name"], applicant["id_number"], applicant["phone"], applicant["email"], *codes, *shas, "after="]:
        assert secret not in text, secret

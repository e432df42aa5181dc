"""The server on PostgreSQL (a private throwaway cluster, see platform-notes)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.conftest import require
from tests.sync.conftest import FAST_CLIENT, ServerProcess, add_intake, add_pages, enroll, free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _run(cmd: str) -> None:
    as_postgres = os.geteuid() == 0
    full = ["su", "postgres", "-c", cmd] if as_postgres else ["sh", "-c", cmd]
    subprocess.run(full, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def pg_url():
    require((PG_BIN / "initdb").exists(), "PostgreSQL 15 binaries not installed")
    if os.geteuid() == 0:
        require(shutil.which("su") is not None, "su needed to run PostgreSQL as root")
    parent = Path(tempfile.mkdtemp(prefix="pgsync-"))
    os.chmod(parent, 0o755)
    data = parent / "cluster"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    port = free_port()
    _run(f"{PG_BIN}/initdb -D {data} -U app --auth=trust -E UTF8 --locale=C.UTF-8")
    _run(f"{PG_BIN}/pg_ctl -D {data} -l {data}/server.log -o '-p {port} -k {data} -c listen_addresses=127.0.0.1' -w start")
    try:
        yield f"postgresql://app@127.0.0.1:{port}/postgres"
    finally:
        _run(f"{PG_BIN}/pg_ctl -D {data} -m immediate stop")
        shutil.rmtree(parent, ignore_errors=True)


def test_sync_against_postgresql(desk, tmp_path, pg_url, intake_json):
    srv = ServerProcess(tmp_path / "srv", pg_url)
    srv.data.mkdir()
    srv.start()
    try:
        province = srv.province()
        assert province.db.dialect == "postgresql"
        desk.sync.vault.use_keyring = False
        desk.sync.client_options.update(FAST_CLIENT)
        enroll(desk, srv.url, province)
        codes = add_intake(desk, intake_json, 3)
        add_pages(desk, codes[0], [os.urandom(40_000)])
        summary = desk.sync.sync_once()
        assert summary["ok"], summary
        listed = srv.admin("dossiers")  # the CLI finds the database from server.json
        assert sorted(d["code"] for d in listed) == sorted(codes)
        assert len(next(d for d in listed if d["code"] == codes[0])["files"]) == 1
        province.set_status(codes[1], "processing")
        assert desk.sync.sync_once()["changes_applied"] == 1
        assert desk.queue.show(codes[1])["status"] == "processing"
        # Idempotency backed by PostgreSQL's constraints: the same records again are duplicates.
        desk.sync.store.db.conn.execute("UPDATE outbox SET state = 'pending'")
        again = desk.sync.sync_once()
        assert again["ok"] and again["duplicates"] == 4
        assert len(srv.admin("dossiers")) == 3
        province.close()
    finally:
        srv.stop()

"""The server on PostgreSQL (a private throwaway cluster, the ``pg_url`` fixture of conftest.py)."""

from __future__ import annotations

import os

from tests.sync.conftest import FAST_CLIENT, ServerProcess, add_intake, add_pages, enroll


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
        assert summary.ok, summary
        listed = srv.admin("dossiers")  # the CLI finds the database from server.json
        assert sorted(d["code"] for d in listed) == sorted(codes)
        assert len(next(d for d in listed if d["code"] == codes[0])["files"]) == 1
        province.set_status(codes[1], "processing")
        assert desk.sync.sync_once().changes_applied == 1
        assert desk.queue.show(codes[1]).status == "processing"
        # Idempotency backed by PostgreSQL's constraints: the same records again are duplicates.
        desk.sync.store.db.conn.execute("UPDATE outbox SET state = 'pending'")
        again = desk.sync.sync_once()
        assert again.ok and again.duplicates == 4
        assert len(srv.admin("dossiers")) == 3
        province.close()
    finally:
        srv.stop()

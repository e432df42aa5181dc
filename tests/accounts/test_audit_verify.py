"""The audit chain and ``desk verify``: a changed, a deleted and a swapped entry are
each caught; SQLite, page files and outbox problems are reported; exit 0 only when all is well."""

from __future__ import annotations

import json
import sqlite3

import pytest

from desk_app.services.verify import verify_desk
from tests.conftest import desk_cli


@pytest.fixture
def trail(desk, intake_json, clock):
    """A desk with a few audited actions (intake, open, status changes)."""
    codes = []
    for _ in range(3):
        code = desk.intake.intake(intake_json).code
        desk.queue.show(code)
        desk.queue.set_status(code, "processing")
        codes.append(code)
    assert desk.audit.problems() == []
    assert desk.store.db.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] >= 9
    return codes


def tamper(desk, *statements):
    """What someone with the database file could do: drop the append-only triggers and edit."""
    conn = desk.store.db.conn
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("DROP TRIGGER audit_log_no_delete")
    for sql in statements:
        conn.execute(sql)


def kinds(desk):
    return {p["kind"] for p in desk.audit.problems()}


def test_the_table_refuses_edits_and_deletions(desk, trail):
    for sql in ("UPDATE audit_log SET account = 'x' WHERE id = 2", "DELETE FROM audit_log WHERE id = 2"):
        with pytest.raises(sqlite3.IntegrityError):
            desk.store.db.conn.execute(sql)


def test_a_changed_entry_is_detected(desk, trail):
    tamper(desk, """UPDATE audit_log SET after = '{"note":"","status":"result_ready"}' WHERE id = 3""")
    problems = desk.audit.problems()
    assert {"kind": "audit_altered", "id": 3} in problems


def test_a_changed_account_is_detected(desk, trail):
    tamper(desk, "UPDATE audit_log SET account = 'nguoi-khac' WHERE id = 5")
    assert {"kind": "audit_altered", "id": 5} in desk.audit.problems()


def test_a_deleted_entry_is_detected(desk, trail):
    tamper(desk, "DELETE FROM audit_log WHERE id = 4")
    problems = desk.audit.problems()
    assert {"kind": "audit_link", "id": 5} in problems
    assert {"kind": "audit_gap", "id": 5, "after": 3} in problems


def test_a_deleted_entry_with_ids_renumbered_is_detected(desk, trail):
    # Closing the gap by renumbering: the ids are hashed, so every later entry breaks.
    tamper(desk, "DELETE FROM audit_log WHERE id = 4", "UPDATE audit_log SET id = id - 1 WHERE id > 4")
    assert "audit_altered" in kinds(desk) and "audit_link" in kinds(desk)


def test_a_swapped_pair_is_detected(desk, trail):
    # Swap the content (everything but the id) of entries 4 and 5.
    cols = "at, account, action, code, before, after, prev_hash, hash"
    tamper(
        desk,
        f"CREATE TEMP TABLE keep AS SELECT id, {cols} FROM audit_log WHERE id IN (4, 5)",
        "UPDATE audit_log SET (" + cols + ") = (SELECT " + cols + " FROM keep WHERE keep.id = 9 - audit_log.id) "
        "WHERE id IN (4, 5)",
    )
    problems = desk.audit.problems()
    assert {"kind": "audit_link", "id": 4} in problems or {"kind": "audit_altered", "id": 4} in problems
    assert kinds(desk) & {"audit_link", "audit_altered"}


def test_verify_is_ok_on_a_sound_desk_and_lists_each_kind_of_problem(desk, trail, tmp_path):
    report = verify_desk(desk)
    assert report["ok"] and report["problems"] == [] and report["audit_head"]["seq"] >= 9
    conn = desk.store.db.conn
    # outbox: a status change whose outbox record vanished
    event_uuid = conn.execute("SELECT uuid FROM dossier_events WHERE status = 'processing' LIMIT 1").fetchone()[0]
    conn.execute("DELETE FROM outbox WHERE idempotency_key = ?", (event_uuid,))
    tamper(desk, "DELETE FROM audit_log WHERE id = 2")
    report = verify_desk(desk)
    found = {p["kind"] for p in report["problems"]}
    assert not report["ok"] and {"outbox_missing_event", "audit_link"} <= found


def test_verify_reports_a_missing_page_file(desk, trail, tmp_path):
    from desk_app.scanning.samples import text_page

    page = tmp_path / "p.png"
    text_page(dpi=100, noise=0).save(page)
    [stored] = desk.digitise.attach_files(trail[0], "Giấy chứng sinh", [page])
    desk.digitise.blobs.path_for(stored["sha256"]).unlink()
    kinds_found = {p["kind"] for p in verify_desk(desk)["problems"]}
    assert "page_missing" in kinds_found


def test_verify_cli_exit_codes(desk, trail):
    desk.close()
    sound = desk_cli("verify", "--data", str(desk.data_dir))
    assert sound.returncode == 0 and json.loads(sound.stdout)["ok"] is True
    conn = sqlite3.connect(desk.data_dir / "desk.sqlite3")
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET code = 'X' WHERE id = 1")
    conn.commit()
    conn.close()
    broken = desk_cli("verify", "--data", str(desk.data_dir))
    assert broken.returncode == 1 and broken.stdout == ""
    answer = json.loads(broken.stderr)
    assert answer["ok"] is False and answer["error"] == "verify_failed"
    assert {"kind": "audit_altered", "id": 1} in answer["problems"]

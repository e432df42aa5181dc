"""A desk and a real server process: enrollment, files first, records, feed, status."""

from __future__ import annotations

import hashlib
import json
import os
import stat

from tests.conftest import desk_cli
from tests.sync.conftest import UNIT, add_intake, add_pages, server_dossiers


def test_enrolled_credential_is_protected_and_not_in_the_database(enrolled):
    meta = enrolled.sync.store.credential_meta()
    assert meta["storage"] == "file"
    path = enrolled.data_dir / "sync-credential.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    secret = enrolled.sync.credential().secret
    raw = (enrolled.data_dir / "desk.sqlite3").read_bytes()
    assert secret.hex().encode() not in raw and secret not in raw


def test_dossier_with_pages_arrives_with_its_files(enrolled, server, intake_json):
    code = add_intake(enrolled, intake_json)[0]
    pages = [os.urandom(70_000), os.urandom(5_000), b"same page" * 100]
    shas = add_pages(enrolled, code, pages)
    enrolled.queue.set_status(code, "returned" if False else "withdrawn", note="rút")
    assert enrolled.sync.status(ping=False)["synced"] is False
    summary = enrolled.sync.sync_once()
    assert summary.ok, summary
    assert summary.confirmed == 3 and summary.files_uploaded == 3
    [dossier] = server_dossiers(server)
    assert dossier["code"] == code and sorted(dossier["files"]) == sorted(shas)
    assert dossier["status"] == "withdrawn" and dossier["events"] == 2
    for sha, data in zip(shas, pages):
        stored = server.data / "files" / sha[:2] / sha[2:4] / sha
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha == hashlib.sha256(data).hexdigest()
    row = enrolled.store.find_dossier_row(code)
    assert row["synced_at"] is not None
    status = enrolled.sync.status()
    assert status["synced"] and status["online"] and status["outbox_depth"] == 0 and status["bytes_pending"] == 0
    # A second round sends nothing again.
    again = enrolled.sync.sync_once()
    assert again.ok and again.confirmed == 0 and again.file_bytes_sent == 0


def test_files_already_on_the_server_are_not_sent_again(enrolled, server, intake_json):
    codes = add_intake(enrolled, intake_json, 2)
    page = os.urandom(50_000)
    add_pages(enrolled, codes[0], [page])
    first = enrolled.sync.sync_once()
    assert first.file_bytes_sent == len(page)
    add_pages(enrolled, codes[1], [page])  # the same file for another dossier
    enrolled.sync.store.db.conn.execute("DELETE FROM sync_files")  # forget what we knew
    second = enrolled.sync.sync_once()
    assert second.ok and second.file_bytes_sent == 0 and second.files_already_on_server == 1


def test_a_batch_checks_its_files_against_the_store_once(enrolled, server, intake_json):
    """Which files the server already confirmed is one query per batch, not one per file
    (it was re-run inside the comprehension: quadratic in the files of a batch)."""
    code = add_intake(enrolled, intake_json)[0]
    shas = add_pages(enrolled, code, [os.urandom(200) for _ in range(40)])
    store = enrolled.sync.store
    calls: list[int] = []
    real = store.confirmed_files

    def counted(wanted):
        calls.append(len(wanted))
        return real(wanted)

    store.confirmed_files = counted
    summary = enrolled.sync.sync_once()
    assert summary.ok and summary.files_uploaded == len(shas)
    assert calls == [len(shas)]


def test_province_changes_arrive_through_the_feed_with_the_cursor(enrolled, server, province, intake_json):
    codes = add_intake(enrolled, intake_json, 3)
    assert enrolled.sync.sync_once().ok
    province.set_status(codes[0], "accepted")
    province.set_status(codes[0], "result_ready", note="Có kết quả")
    province.set_status(codes[1], "supplement_requested", note="Thiếu giấy chứng sinh")
    province.publish_calendar("2026-12-31", "off", note="Nghỉ bù")
    province.publish_procedure({"code": "1.999999.000.00.00.H14", "name": "Thủ tục thử", "processing_days": 3, "fee": 0})
    # The desk changed codes[1] too, before it heard from the province: flagged.
    enrolled.queue.set_status(codes[1], "withdrawn")
    summary = enrolled.sync.sync_once()
    assert summary.ok, summary
    assert enrolled.queue.show(codes[0]).status == "result_ready"
    history = enrolled.queue.show(codes[0]).history
    assert [h.status for h in history] == ["received", "transferred", "result_ready"]
    assert enrolled.queue.show(codes[1]).status == "withdrawn"  # desk-owned final status kept
    flagged = enrolled.sync.conflicts()
    assert [f["dossier_code"] for f in flagged] == [codes[1]]
    assert enrolled.store.calendar_overrides("province")  # published days: the province's table
    assert enrolled.store.get_procedure("1.999999.000.00.00.H14").name == "Thủ tục thử"
    cursor = enrolled.sync.store.cursor()
    assert cursor >= 5
    # Reading the feed again from an old cursor changes nothing (idempotent application).
    enrolled.sync.store.set_state(feed_cursor=0)
    again = enrolled.sync.sync_once()
    assert again.ok and again.changes_flagged == 0
    assert len(enrolled.queue.show(codes[0]).history) == 3
    assert len(enrolled.sync.conflicts()) == 1
    # The server saw the desk's withdrawal after its own decision: flagged there as well.
    assert province.flags() == [] or all(f["dossier_code"] == codes[1] for f in province.flags())


def test_receipt_tag_verifies_on_the_server(enrolled, server, intake_json):
    import requests

    code = add_intake(enrolled, intake_json)[0]
    tag = enrolled.sync.tag_for(code)
    assert tag and len(tag) == 10
    ok = requests.get(f"{server.url}/v1/receipts/verify", params={"code": code, "tag": tag}, timeout=5).json()
    assert ok == {"code": code, "genuine": True, "on_server": False}
    forged = requests.get(f"{server.url}/v1/receipts/verify", params={"code": code, "tag": "AAAAAAAAAA"}, timeout=5).json()
    assert forged["genuine"] is False
    other = code[:-4] + "3999"
    assert requests.get(f"{server.url}/v1/receipts/verify", params={"code": other, "tag": tag}, timeout=5).json()["genuine"] is False
    enrolled.sync.sync_once()
    assert requests.get(f"{server.url}/v1/receipts/verify", params={"code": code, "tag": tag}, timeout=5).json()["on_server"]


def test_tag_for_is_none_before_enrollment(desk):
    assert desk.sync.tag_for("000.31.14.H14-261118-3001") is None


def test_rejected_record_is_quarantined_without_blocking_others(enrolled, server, intake_json):
    codes = add_intake(enrolled, intake_json, 3)
    # Corrupt the middle dossier's record (as a bug would): the server refuses it.
    conn = enrolled.store.db.conn
    payload = json.loads(conn.execute("SELECT payload FROM outbox WHERE dossier_code = ?", (codes[1],)).fetchone()[0])
    payload["dossier"]["received_at"] = ""
    conn.execute("UPDATE outbox SET payload = ? WHERE dossier_code = ?", (json.dumps(payload), codes[1]))
    enrolled.queue.set_status(codes[1], "withdrawn")  # a later record of the same dossier waits
    summary = enrolled.sync.sync_once()
    assert not summary.ok and summary.quarantined == 1 and summary.pending == 1
    assert sorted(d["code"] for d in server_dossiers(server)) == sorted([codes[0], codes[2]])
    [bad] = enrolled.sync.quarantined()
    assert bad["dossier_code"] == codes[1] and bad["reason"] == "malformed" and bad["error_kind"] == "record"
    status = enrolled.sync.status(ping=False)
    assert status["synced"] is False and status["outbox_depth"] == 2
    # Fixed and retried: both records of that dossier go through.
    payload["dossier"]["received_at"] = "2026-11-18T09:30:00+07:00"
    conn.execute("UPDATE outbox SET payload = ? WHERE dossier_code = ? AND kind = 'dossier.received'", (json.dumps(payload), codes[1]))
    assert enrolled.sync.retry_quarantined() == 1
    assert enrolled.sync.sync_once().ok
    assert len(server_dossiers(server)) == 3


def test_missing_local_file_quarantines_only_that_record(enrolled, server, intake_json):
    codes = add_intake(enrolled, intake_json, 2)
    shas = add_pages(enrolled, codes[0], [os.urandom(1000)])
    add_pages(enrolled, codes[1], [os.urandom(1000)])
    enrolled.sync.blobs.path_for(shas[0]).unlink()
    summary = enrolled.sync.sync_once()
    assert summary.quarantined == 1
    assert enrolled.sync.quarantined()[0]["reason"] == "local_file_missing"
    by_code = {d["code"]: d for d in server_dossiers(server)}
    assert len(by_code[codes[1]]["files"]) == 1 and by_code[codes[0]]["files"] == []


def test_cli_enroll_sync_status_and_exit_codes(tmp_path, server, intake_json):
    data = str(tmp_path / "cli-desk")
    assert desk_cli("init", "--data", data, "--unit-code", UNIT, "--desk", "3", "--commune-code", "01273").returncode == 0
    env = {"DESK_SYNC_KEYRING": "off"}
    code = server.admin("enroll-code", "--unit-code", UNIT, "--desk", "3")["code"]
    done = desk_cli("enroll", "--data", data, "--server", server.url, "--code", code, env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["storage"] == "file"
    reused = desk_cli("enroll", "--data", data, "--server", server.url, "--code", code, env=env)
    assert reused.returncode == 1 and "error" in json.loads(reused.stderr)
    intake = desk_cli("intake", "--allow-missing", "--data", data, "--json", "-", input=json.dumps(intake_json), env=env)
    assert intake.returncode == 0, intake.stderr
    status = json.loads(desk_cli("sync-status", "--data", data, env=env).stdout)
    assert status["online"] is True and status["synced"] is False and status["outbox_depth"] == 1
    assert status["bytes_pending"] > 0 and status["last_confirmed_sync"] is None
    done = desk_cli("sync", "--data", data, "--once", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["ok"] is True
    status = json.loads(desk_cli("sync-status", "--data", data, env=env).stdout)
    assert status["synced"] is True and status["last_confirmed_sync"]
    server.stop()
    offline = json.loads(desk_cli("sync-status", "--data", data, env=env).stdout)
    assert offline["online"] is False and offline["state"] == "offline"
    intake = desk_cli("intake", "--allow-missing", "--data", data, "--json", "-", input=json.dumps(intake_json), env=env)
    failed = desk_cli("sync", "--data", data, "--once", "--timeout", "1", "--max-attempts", "1", env=env)
    assert failed.returncode == 1
    summary = json.loads(failed.stdout)
    assert summary["ok"] is False and summary["errors"][0]["category"] == "transport" and summary["pending"] == 1


def test_heartbeat_reports_backlog_and_version(enrolled, server, province, intake_json):
    add_intake(enrolled, intake_json, 2)
    enrolled.sync.sync_once()
    [desk] = province.list_desks()
    assert desk["backlog"] == 0 and desk["app_version"] and desk["last_seen_at"]

"""A correction made at the desk reaches a real server process as a ``dossier.edited``
record: applied to the stored dossier, kept in its history, idempotent, flagged when the
province had already decided; fields the desk does not own are refused."""

from __future__ import annotations

import json

from tests.sync.conftest import add_intake


def _server_data(province, code):
    [row] = province.db.read("SELECT data FROM dossiers WHERE code = ?", (code,))
    return json.loads(row["data"])


def test_edit_reaches_the_server_and_is_applied(enrolled, server, province, intake_json):
    code = add_intake(enrolled, intake_json)[0]
    assert enrolled.sync.sync_once().ok
    docs = intake_json["documents"] + [{"name": "Giấy đăng ký kết hôn", "kind": "certified_copy", "count": 1}]
    assert enrolled.queue.show(code).synced
    enrolled.edits.edit(code, {"applicant": {"full_name": "Nguyễn Thị Đào Hoa"}, "documents": docs})
    assert not enrolled.queue.show(code).synced  # the correction is not at the province yet
    assert [r["code"] for r in enrolled.queue.search("", view="unsynced")] == [code]
    summary = enrolled.sync.sync_once()
    assert enrolled.queue.show(code).synced
    assert summary.ok and summary.confirmed == 1, summary
    data = _server_data(province, code)
    assert data["dossier"]["applicant_name"] == "Nguyễn Thị Đào Hoa"
    assert [d["name"] for d in data["documents"]] == [d["name"] for d in docs]
    events = province.db.read("SELECT status, note FROM dossier_events WHERE dossier_code = ? ORDER BY recorded_at", (code,))
    assert ("edited", "applicant_name, documents") in [(e["status"], e["note"]) for e in events]
    assert server.admin("flags") == []


def test_edit_after_the_province_decided_is_applied_and_flagged(enrolled, server, province, intake_json):
    code = add_intake(enrolled, intake_json)[0]
    assert enrolled.sync.sync_once().ok
    enrolled.edits.edit(code, {"applicant": {"phone": "0987654321"}})  # offline meanwhile
    server.admin("set-status", code, "processing")
    assert enrolled.sync.sync_once().ok
    assert _server_data(province, code)["dossier"]["phone"] == "0987654321"
    [flag] = server.admin("flags")
    assert flag["reason"] == "edited_after_province_status" and flag["detail"]["fields"] == ["phone"]


def test_server_refuses_edits_of_fields_the_desk_does_not_own(enrolled, server, province, intake_json):
    code = add_intake(enrolled, intake_json)[0]
    assert enrolled.sync.sync_once().ok
    uuid = enrolled.queue.show(code).uuid
    client = enrolled.sync.make_client(enrolled.sync.credential())
    key = "edit-0000-0000-0001"
    hostile = [
        {"key": key, "kind": "dossier.edited", "dossier_code": code,
         "payload": {"dossier_uuid": uuid, "edit": {"uuid": key, "at": "2026-11-18T10:00:00+07:00",
                                                   "changes": {"status": {"before": "received", "after": "returned"}}}}},
        {"key": key + "b", "kind": "dossier.edited", "dossier_code": code,
         "payload": {"dossier_uuid": uuid, "edit": {"uuid": key + "b", "at": "x", "changes": {"documents": {"after": "x"}}}}},
        {"key": key + "c", "kind": "dossier.edited", "dossier_code": code, "payload": {"edit": "x"}},
        {"key": key + "d", "kind": "dossier.edited", "dossier_code": code,
         "payload": {"dossier_uuid": uuid, "edit": {"uuid": key + "d", "at": "2026-11-18T10:00:00+07:00",
                                                   "changes": {"notes": {"after": "x" * 5000}}}}},
        {"key": key + "e", "kind": "dossier.edited", "dossier_code": code,
         "payload": {"dossier_uuid": uuid, "edit": {"uuid": key + "e", "at": "2026-11-18T10:00:00+07:00",
                                                   "changes": {"documents": {
                                                       "after": [{"name": "A", "kind": "original", "count": True}]}}}}},
    ]
    try:
        results = client.push([{**e, "created_at": "2026-11-18T10:00:00+07:00"} for e in hostile])
    finally:
        client.close()
    assert [r["status"] for r in results] == ["rejected"] * 5
    assert results[0]["reason"] == "not_desk_field"
    assert _server_data(province, code)["dossier"]["status"] == "received"

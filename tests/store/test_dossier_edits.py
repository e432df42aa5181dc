"""Correcting a saved dossier: validated like intake, only while at the desk,
history with before/after, one transaction with its outbox record, the CLI contract, and a
reprinted receipt with the corrected data marked as a copy. Also who collected a result."""

import json
import sqlite3

import pytest

from desk_app.domain.errors import StoreError, ValidationError
from desk_app.services.printing import render
from tests.conftest import desk_cli
from tests.forms.helpers import page_texts


def _outbox(desk, kind):
    return [r for r in desk.store.pending_outbox(1000) if r["kind"] == kind]


def test_edit_fixes_a_typo_and_a_forgotten_document_with_history(desk, intake_json):
    code = desk.intake.intake({**intake_json, "applicant": {**intake_json["applicant"], "full_name": "Nguyễn Thi Dao"}}).code
    docs = intake_json["documents"] + [{"name": "Giấy đăng ký kết hôn", "kind": "certified_copy", "count": 1}]
    view = desk.edits.edit(code, {
        "applicant": {"full_name": "Nguyễn Thị Đào", "phone": "0987 654 321"},
        "documents": docs,
        "note": "Sửa họ tên, thêm giấy tờ",
    })
    assert view.applicant.full_name == "Nguyễn Thị Đào" and view.applicant.phone == "0987654321"
    assert [d.name for d in view.documents] == [d["name"] for d in docs]
    [edit] = view.edits
    assert edit.changes["applicant_name"] == {"before": "Nguyễn Thi Dao", "after": "Nguyễn Thị Đào"}
    assert edit.changes["phone"] == {"before": "0912345678", "after": "0987654321"}
    assert len(edit.changes["documents"]["after"]) == 3 and len(edit.changes["documents"]["before"]) == 2
    assert edit.actor == "tester" and edit.note == "Sửa họ tên, thêm giấy tờ"
    assert set(edit.changes) == {"applicant_name", "phone", "documents"}
    # The search finds the corrected name; the outbox holds the edit for the province.
    assert [r["code"] for r in desk.queue.search("thi đào")] == [code]
    [record] = _outbox(desk, "dossier.edited")
    payload = json.loads(record["payload"])
    assert record["idempotency_key"] == edit.uuid == payload["edit"]["uuid"]
    assert payload["dossier_uuid"] == view.uuid and payload["edit"]["changes"] == edit.changes
    # History is append-only in the database itself.
    with pytest.raises(sqlite3.DatabaseError):
        desk.store.db.conn.execute("DELETE FROM dossier_edits")


def test_edit_is_validated_like_intake_and_writes_nothing_when_refused(desk, intake_json):
    code = desk.intake.intake(intake_json).code
    bad = [
        {"applicant": {"full_name": ""}},
        {"applicant": {"id_number": "12345"}},
        {"applicant": {"address": "x" * 501}},
        {"documents": []},
        {"sets": 0},
        {"return_channel": "drone"},
        {"procedure_code": "X"},
        {"applicant": {"nickname": "Đào"}},
        {"applicant": {"full_name": "Nguyễn Thị Đào"}},  # no change at all
    ]
    for changes in bad:
        with pytest.raises(ValidationError):
            desk.edits.edit(code, changes)
    assert desk.queue.show(code).edits == () and _outbox(desk, "dossier.edited") == []


def test_edit_only_while_at_the_desk(desk, intake_json):
    code = desk.intake.intake(intake_json).code
    assert desk.queue.show(code).editable is True
    desk.queue.set_status(code, "transferred")
    with pytest.raises(ValidationError) as info:
        desk.edits.edit(code, {"applicant": {"phone": "0987654321"}})
    assert info.value.field == "status"
    assert desk.queue.show(code).editable is False


def test_edit_refuses_a_dossier_changed_meanwhile(desk, intake_json):
    code = desk.intake.intake(intake_json).code
    row, changes = desk.edits.changes_of(code, {"applicant": {"phone": "0987654321"}})
    desk.edits.edit(code, {"applicant": {"phone": "0911111111"}})  # another writer first
    from desk_app.domain.corrections import EDITABLE_STATUSES

    with pytest.raises(StoreError):
        desk.edits.edits.apply_edit(
            dossier=row, changes=changes, editable_statuses=EDITABLE_STATUSES, at="2026-11-18T09:31:00+07:00",
            actor="x", note="", outbox_payload=lambda e: {"edit": e},
        )
    assert desk.queue.show(code).applicant.phone == "0911111111"
    assert len(_outbox(desk, "dossier.edited")) == 1


def test_reprinted_receipt_shows_corrected_data_as_a_copy(desk, intake_json):
    code = desk.intake.intake(intake_json).code
    first = desk.printing.prepare(code)
    desk.printing.record(first, target="printer:Counter")
    desk.edits.edit(code, {"applicant": {"full_name": "Nguyễn Thị Đào Hoa"}})
    text = " ".join(" ".join(page_texts(render(desk.printing.prepare(code)).data)).split())
    assert "Nguyễn Thị Đào Hoa" in text and "BẢN SAO LẦN 2" in text


def _complete(intake_json):
    """Every document the sample catalogue requires for the procedure, so the CLI takes it."""
    return {**intake_json, "documents": intake_json["documents"] + [{"name": "Căn cước của người đi đăng ký"}]}


def test_cli_edit_contract(tmp_path, intake_json):
    intake_json = _complete(intake_json)
    data = str(tmp_path / "d")
    assert desk_cli("init", "--data", data, "--unit-code", "000.31.14.H14", "--desk", "3", "--commune-code", "01273").returncode == 0
    code = json.loads(desk_cli("intake", "--allow-missing", "--data", data, "--json", "-", input=json.dumps(intake_json)).stdout)["code"]
    changes = tmp_path / "changes.json"
    changes.write_text(json.dumps({"applicant": {"email": "dao.nguyen@example.vn"}, "notes": "Gọi trước khi đến"}), encoding="utf-8")
    done = desk_cli("edit", "--data", data, code, "--json", str(changes))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["code"] == code and out["applicant"]["email"] == "dao.nguyen@example.vn" and out["notes"] == "Gọi trước khi đến"
    assert out["edits"][0]["changes"]["email"]["before"] == "dao@example.vn"
    bad = desk_cli("edit", "--data", data, code, "--json", "-", input=json.dumps({"status": "returned"}))
    assert bad.returncode == 1 and json.loads(bad.stderr)["error"] == "invalid_input"


def test_returned_records_who_collected(desk, intake_json):
    code = desk.intake.intake(intake_json).code
    desk.queue.set_status(code, "result_ready")
    with pytest.raises(ValidationError):
        desk.queue.set_status(code, "returned", collector={"name": "Trần Văn B", "post_tracking": "EE123456789VN"})
    with pytest.raises(ValidationError):
        desk.queue.set_status(code, "returned", collector={"name": "Trần Văn B", "id_number": "123"})
    view = desk.queue.set_status(code, "returned", collector={"name": "Trần Văn Bình", "id_number": "004099001234"})
    returned = view.history[-1]
    assert returned.status == "returned"
    assert returned.collector == {"name": "Trần Văn Bình", "id_number": "004099001234", "post_tracking": ""}
    [record] = [r for r in _outbox(desk, "dossier.status") if json.loads(r["payload"])["event"]["status"] == "returned"]
    assert json.loads(record["payload"])["event"]["collector"]["name"] == "Trần Văn Bình"
    other = desk.intake.intake(intake_json).code
    with pytest.raises(ValidationError):  # a collector only goes with "returned"
        desk.queue.set_status(other, "result_ready", collector={"name": "Trần Văn Bình"})


def test_cli_status_returned_by_post(tmp_path, intake_json):
    intake_json = _complete(intake_json)
    data = str(tmp_path / "d")
    assert desk_cli("init", "--data", data, "--unit-code", "000.31.14.H14", "--desk", "3", "--commune-code", "01273").returncode == 0
    code = json.loads(desk_cli("intake", "--allow-missing", "--data", data, "--json", "-", input=json.dumps(intake_json)).stdout)["code"]
    assert desk_cli("status", "--data", data, code, "result_ready").returncode == 0
    done = desk_cli("status", "--data", data, code, "returned", "--post-tracking", "ee 1234 5678 9vn")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["history"][-1]["collector"]["post_tracking"] == "EE123456789VN"
    shown = json.loads(desk_cli("show", "--data", data, code).stdout)
    assert shown["history"][-1]["collector"]["post_tracking"] == "EE123456789VN"

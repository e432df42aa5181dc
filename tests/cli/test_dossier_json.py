"""The dossier JSON of ``desk intake`` / ``desk status`` / ``desk show`` is a stable contract: the
typed DossierView prints the same keys in the same order, lateness only where it was counted."""

from __future__ import annotations

import json

from tests.conftest import desk_cli

KEYS = ["code", "uuid", "unit_code", "desk", "procedure_code", "procedure_name", "processing_days",
        "processing_hours", "fee", "applicant", "documents", "sets", "return_channel", "notes", "received_at",
        "appointment_at", "received_by", "status", "status_at", "synced", "synced_at", "history", "edits", "editable"]
APPLICANT = ["full_name", "id_number", "birth_date", "gender", "address", "phone", "email"]


def run(*args: str, input: str | None = None) -> dict:
    result = desk_cli(*args, input=input)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_dossier_json_keys_and_order(tmp_path, intake_json):
    data = str(tmp_path / "data")
    run("init", "--data", data, "--unit-code", "000.31.14.H14", "--desk", "3", "--commune-code", "01273")
    saved = run("intake", "--data", data, "--allow-missing", "--json", "-", input=json.dumps(intake_json))
    assert list(saved) == KEYS  # intake does not count lateness
    assert list(saved["applicant"]) == APPLICANT
    assert [list(d) for d in saved["documents"]] == [["name", "kind", "count"]] * len(intake_json["documents"])
    code = saved["code"]
    run("status", "--data", data, code, "result_ready")
    returned = run("status", "--data", data, code, "returned", "--collector-name", "Trần Văn Bình")
    assert list(returned) == [*KEYS, "days_late"] and returned["editable"] is False
    first, ready, back = returned["history"]
    assert list(first) == ["uuid", "status", "at", "actor", "note", "source"]  # no collector key when none
    assert list(back) == ["uuid", "status", "at", "actor", "note", "source", "collector"]
    assert back["collector"] == {"name": "Trần Văn Bình", "id_number": "", "post_tracking": ""}
    shown = run("show", "--data", data, code)
    assert shown == returned and list(shown) == list(returned)

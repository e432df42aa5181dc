"""The headless ``desk`` command through real subprocesses: the automation interface of issue 2."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import ROOT, SAMPLE_QR, desk_cli

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$")


def ok(*args, input=None):
    result = desk_cli(*args, input=input)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def fails(*args, input=None, code=1):
    result = desk_cli(*args, input=input)
    assert result.returncode == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    error = json.loads(result.stderr)
    assert error["error"] and error["message"]
    return error


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "desk"
    out = ok("init", "--data", str(folder), "--unit-code", "000.31.14.H14", "--desk", "3", "--commune-code", "01273")
    assert out["unit_code"] == "000.31.14.H14" and out["desk"] == 3
    assert out["commune_name"] == "Phường Thục Phán" and out["province_name"] == "Cao Bằng"
    assert out["sample_procedures_loaded"] >= 25
    return str(folder)


def test_init_other_unit_style_and_errors(tmp_path):
    out = ok("init", "--data", str(tmp_path / "a"), "--unit-code", "H14.52.01", "--desk", "9")
    assert out["unit_code"] == "H14.52.01" and out["commune_code"] == ""
    assert fails("init", "--data", str(tmp_path / "b"), "--unit-code", "bad", "--desk", "1")["field"] == "unit_code"
    assert fails("init", "--data", str(tmp_path / "c"), "--unit-code", "H14.52.01", "--desk", "10")["field"] == "desk"
    assert (
        fails(
            "init",
            "--data",
            str(tmp_path / "d"),
            "--unit-code",
            "H14.52.01",
            "--desk",
            "1",
            "--commune-code",
            "99999",
        )["error"]
        == "not_found"
    )
    usage = fails("init", "--data", str(tmp_path / "e"), "--desk", "x", code=2)
    assert usage["error"] == "usage"


def test_catalogue_list_and_import(data, tmp_path):
    procs = ok("catalogue", "list", "--data", data)
    assert len(procs) >= 25
    assert {"code", "name", "processing_days", "fee"} <= set(procs[0])
    birth = next(p for p in procs if p["name"] == "Đăng ký khai sinh")
    assert birth["processing_days"] == 0 and birth["fee"] == 0

    book = openpyxl.Workbook()
    book.active.append(["Mã thủ tục", "Tên thủ tục", "Thời hạn giải quyết (ngày)", "Lệ phí"])
    book.active.append(["1.001193.000.00.00.H14", "Đăng ký khai sinh", 0, 0])
    book.active.append(["1.000894.000.00.00.H14", "Đăng ký kết hôn", 5, "15.000"])
    xlsx = tmp_path / "tinh.xlsx"
    book.save(xlsx)
    assert ok("catalogue", "import", "--data", data, str(xlsx)) == {"imported": 2, "errors": []}
    assert [(p["code"], p["fee"]) for p in ok("catalogue", "list", "--data", data)] == [
        ("1.001193.000.00.00.H14", 0), ("1.000894.000.00.00.H14", 15000)]

    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,processing_days\n1.000656.000.00.00.H14,Đăng ký khai tử,0\nX,Sai,1\n", encoding="utf-8")
    error = fails("catalogue", "import", "--data", data, str(bad))
    assert error["error"] == "invalid_row" and error["details"][0].startswith("Dòng 3")
    assert len(ok("catalogue", "list", "--data", data)) == 2  # nothing changed


def test_intake_show_search_status(data, tmp_path, intake_json):
    path = tmp_path / "in.json"
    path.write_text(json.dumps(intake_json, ensure_ascii=False), encoding="utf-8")
    first = ok("intake", "--allow-missing", "--data", data, "--json", str(path))
    assert re.fullmatch(r"000\.31\.14\.H14-\d{6}-3001", first["code"])
    assert ISO_WITH_OFFSET.match(first["received_at"]) and ISO_WITH_OFFSET.match(first["appointment_at"])
    assert datetime.fromisoformat(first["appointment_at"]) > datetime.fromisoformat(first["received_at"])

    qr_intake = {"procedure_code": "1.000894.000.00.00.H14", "cccd_qr": SAMPLE_QR + "\r\n",
                 "applicant": {"phone": "0987 654 321"}, "documents": [{"name": "Tờ khai", "kind": "photocopy", "count": 2}],
                 "sets": 2, "return_channel": "post"}
    second = ok("intake", "--allow-missing", "--data", data, "--json", "-", input=json.dumps(qr_intake, ensure_ascii=False))
    assert second["code"].endswith("-3002")

    shown = ok("show", "--data", data, second["code"])
    assert shown["applicant"] == {"full_name": "Nguyễn Văn An", "id_number": "004099001234", "birth_date": "1999-08-15",
                                  "gender": "Nam", "address": "Tổ 1, Phường Thục Phán, Tỉnh Cao Bằng",
                                  "phone": "0987654321", "email": ""}
    assert shown["status"] == "received" and shown["sets"] == 2 and shown["return_channel"] == "post"
    assert shown["documents"] == [{"name": "Tờ khai", "kind": "photocopy", "count": 2}]
    assert [h["status"] for h in shown["history"]] == ["received"]

    found = ok("search", "--data", data, "nguyen thi dao")
    assert [(r["code"], r["applicant_name"]) for r in found] == [(first["code"], "Nguyễn Thị Đào")]
    assert [r["code"] for r in ok("search", "--data", data, "004099001234")] == [second["code"]]

    changed = ok("status", "--data", data, first["code"], "transferred", "--note", "Chuyển công chức tư pháp")
    assert changed["status"] == "transferred"
    assert [(h["status"], h["note"]) for h in changed["history"]] == [("received", ""), ("transferred", "Chuyển công chức tư pháp")]
    assert all(h["actor"] is not None and ISO_WITH_OFFSET.match(h["at"]) for h in changed["history"])
    assert [r["code"] for r in ok("search", "--data", data, "", "--status", "transferred")] == [first["code"]]
    assert [r["code"] for r in ok("search", "--data", data, "nguyen", "--status", "received")] == [second["code"]]

    assert fails("status", "--data", data, first["code"], "received")["field"] == "status"
    assert fails("status", "--data", data, first["code"], "finished")["field"] == "status"
    assert fails("show", "--data", data, "000.31.14.H14-261118-3999")["error"] == "not_found"
    assert fails("search", "--data", data, "x", "--status", "bogus")["field"] == "status"


@pytest.mark.parametrize(
    "content, field",
    [(b"", "json"), (b"{\"procedure_code\": ", "json"), (b"\xff\xfe\x00", "json"), (b"[1, 2]", None),
     (b'{"procedure_code": "1.001193.000.00.00.H14", "applicant": {"full_name": "An", "phone": "12"}}', "phone")],
)
def test_bad_intake_input_writes_nothing(data, tmp_path, content, field):
    path = tmp_path / "in.json"
    path.write_bytes(content)
    error = fails("intake", "--allow-missing", "--data", data, "--json", str(path))
    assert error.get("field") == field
    assert ok("search", "--data", data, "") == []


@pytest.mark.parametrize("lang, words", [("vi", "Họ tên không được chứa chữ số"), ("en", "full name must not contain digits")])
def test_intake_refuses_a_name_that_is_a_qr_payload(data, intake_json, lang, words):
    """A card's raw QR typed into the name field is refused by the CLI too."""
    bad = dict(intake_json, applicant=dict(intake_json["applicant"], full_name=SAMPLE_QR))
    error = fails("--lang", lang, "intake", "--data", data, "--json", "-", input=json.dumps(bad, ensure_ascii=False))
    assert error["field"] == "full_name" and words in error["message"]
    assert ok("search", "--data", data, "") == []


def test_errors_for_missing_things(tmp_path, intake_json):
    error = fails("intake", "--allow-missing", "--data", str(tmp_path / "none"), "--json", "-", input=json.dumps(intake_json))
    assert error["error"] == "store_error" and "desk init" in error["message"]
    assert not (tmp_path / "none").exists()
    folder = tmp_path / "d"
    ok("init", "--data", str(folder), "--unit-code", "H14.52.01", "--desk", "1")
    assert fails("intake", "--allow-missing", "--data", str(folder), "--json", str(tmp_path / "missing.json"))["field"] == "json"
    future = dict(intake_json, received_at="2099-01-01T08:00:00+07:00")
    assert fails("intake", "--allow-missing", "--data", str(folder), "--json", "-", input=json.dumps(future))["field"] == "received_at"


def test_corrupt_database_is_a_clear_error(tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "desk.sqlite3").write_bytes(b"\x00garbage" * 512)
    error = fails("search", "--data", str(folder), "x")
    assert error["error"] == "store_error" and "bị hỏng" in error["message"]
    assert (folder / "desk.sqlite3").read_bytes() == b"\x00garbage" * 512


def test_english_messages(tmp_path):
    result = desk_cli("--lang", "en", "show", "--data", str(tmp_path / "x"), "A")
    assert result.returncode == 1
    message = json.loads(result.stderr)["message"]
    assert "desk init" in message and "Chưa" not in message


def test_console_script_is_installed(tmp_path):
    script = shutil.which("desk", path=str(Path(sys.executable).parent))
    assert script, "the desk console script is not installed in this environment"
    result = subprocess.run([script, "--version"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and result.stdout.startswith("desk ")


def test_init_officer_is_the_actor_and_receipts_are_not_private(tmp_path, intake_json):
    import os
    import stat

    folder = str(tmp_path / "desk")
    out = ok("init", "--data", folder, "--unit-code", "000.31.14.H14", "--desk", "2", "--officer", "Nguyễn Văn Tiếp")
    assert out["officer_name"] == "Nguyễn Văn Tiếp"
    again = ok("init", "--data", folder, "--unit-code", "000.31.14.H14", "--desk", "2")  # kept when not given
    assert again["officer_name"] == "Nguyễn Văn Tiếp"
    dossier = ok("intake", "--allow-missing", "--data", folder, "--json", "-", input=json.dumps(intake_json))
    assert dossier["received_by"] == "Nguyễn Văn Tiếp"
    shown = ok("status", "--data", folder, dossier["code"], "withdrawn", "--note", "Công dân rút")
    assert shown["history"][-1]["actor"] == "Nguyễn Văn Tiếp"
    error = fails("status", "--data", folder, dossier["code"], "received")
    assert error["message"] == "Không thể chuyển hồ sơ từ trạng thái Rút hồ sơ sang Đã tiếp nhận."
    pdf = tmp_path / "receipt.pdf"
    ok("receipt", "--data", folder, dossier["code"], "--out", str(pdf))
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o666 & ~umask


def test_calendar_list_year_with_sources(data):
    out = ok("calendar", "--data", str(data), "--set", "2026-12-31", "off", "--note", "Nghỉ bù", "--list", "2026")
    days = {d["day"]: d for d in out["days"]}
    assert out["year"] == 2026
    assert days["2026-08-22"]["kind"] == "work" and days["2026-08-22"]["source"] == "law"
    assert days["2026-01-10"]["kind"] == "work" and days["2026-01-10"]["source"] == "official"
    assert days["2026-12-31"] == {"day": "2026-12-31", "kind": "off", "name": "Nghỉ bù", "source": "desk", "reference": ""}
    # One working day after Friday 21/8/2026 is the make-up Saturday 22/8.
    due = ok("calendar", "--data", str(data), "--appointment", "2026-08-21T09:00:00+07:00", "1")["appointment_at"]
    assert due == "2026-08-22T09:00:00+07:00"
    assert fails("calendar", "--data", str(data), "--list", "99999")["error"]

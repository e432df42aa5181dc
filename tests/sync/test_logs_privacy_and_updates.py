"""Issue 9: a full intake (ID-card QR) and a sync round against the real server process leave
log files and a diagnostics zip with no ID number, name or desk secret; the server's heartbeat
answer tells the desk which version to run and the desk shows it."""

from __future__ import annotations

import json
import unicodedata
import zipfile

from desk_app.domain.text import fold
from desk_app.scanning.samples import text_page
from tests.conftest import SAMPLE_QR, desk_cli
from tests.sync.conftest import UNIT, ServerProcess

ENV = {"DESK_SYNC_KEYRING": "off"}
ID_NUMBER, NAME = SAMPLE_QR.split("|")[0], SAMPLE_QR.split("|")[2]


def run(*args, input=None, code=0):
    result = desk_cli(*args, input=input, env=ENV)
    assert result.returncode == code, (args, result.stdout, result.stderr)
    return json.loads(result.stdout) if code == 0 else json.loads(result.stderr)


def _desk(tmp_path, server, intake_json):
    data = str(tmp_path / "desk")
    run("init", "--data", data, "--unit-code", UNIT, "--desk", "3", "--commune-code", "01273")
    code = server.province().enroll_code(UNIT, 3)["code"]
    run("enroll", "--data", data, "--server", server.url, "--code", code)
    return data


def test_logs_and_diagnostics_of_a_full_intake_and_sync_hold_no_personal_data(tmp_path, server, intake_json):
    data = _desk(tmp_path, server, intake_json)
    intake = {**intake_json, "cccd_qr": SAMPLE_QR}
    intake["applicant"] = {"phone": "0987654321", "email": "an@example.vn"}  # the rest comes from the QR
    saved = run("intake", "--allow-missing", "--data", data, "--json", "-", input=json.dumps(intake))
    shown = run("show", "--data", data, saved["code"])
    assert shown["applicant"]["id_number"] == ID_NUMBER and shown["applicant"]["full_name"] == NAME
    page = tmp_path / "p.png"
    text_page(100, seed=1).save(page, dpi=(100, 100))
    run("attach", "--data", data, saved["code"], "--document", intake_json["documents"][0]["name"], str(page))
    # A refused intake: its message quotes the ID number; the log must keep only the template.
    bad = {**intake_json, "applicant": {**intake_json["applicant"], "id_number": ID_NUMBER, "full_name": NAME}}
    run("intake", "--allow-missing", "--data", data, "--json", "-", input=json.dumps(bad), code=1)
    assert run("sync", "--data", data, "--once")["ok"] is True
    secret = json.loads((tmp_path / "desk" / "sync-credential.json").read_text())["secret"]
    zip_path = tmp_path / "support.zip"
    made = run("diagnostics", "--data", data, "--out", str(zip_path))
    assert "report.json" in made["entries"] and "logs/desk.log" in made["entries"]

    logs = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "desk" / "logs").glob("desk.log*"))
    assert "sync round: ok=True" in logs and "desk intake failed" in logs  # the logs do record the work
    with zipfile.ZipFile(zip_path) as archive:
        zipped = "".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    report = json.loads(zipfile.ZipFile(zip_path).read("report.json"))
    assert report["counts"]["pages"] == 1 and report["verify_files"]["ok"] is True
    assert report["sync"]["enrolled"] is True and report["versions"]["app"]
    # The schema as support compares it with the migrations: names and counts, no values.
    tables = {entry["table"]: entry for entry in report["schema"]}
    assert tables["dossiers"]["rows"] == 1 and "applicant_id_number" in str(tables["dossiers"]["columns"])
    assert tables["dossier_pages"]["rows"] == 1 and tables["dossiers"]["indexes"]
    assert any(entry.get("fts") and "columns" not in entry for entry in report["schema"])
    for text in (logs, zipped):
        for needle in (ID_NUMBER, NAME, unicodedata.normalize("NFD", NAME), fold(NAME), secret, "0987654321",
                       "an@example.vn", "Xóm Nà Rỏa"):
            assert needle.lower() not in text.lower(), needle


def test_server_tells_the_version_to_run_and_the_desk_shows_it(tmp_path, intake_json):
    server = ServerProcess(tmp_path / "srv")
    server.data.mkdir()
    server.extra = ["--desk-version", "9.1.0", "--desk-download-url", "https://tinh.example.gov.vn/desk/9.1.0"]
    server.start()
    try:
        data = _desk(tmp_path, server, intake_json)
        assert run("sync-status", "--data", data, "--no-ping")["update"] is None
        assert run("sync", "--data", data, "--once")["ok"] is True
        update = run("sync-status", "--data", data, "--no-ping")["update"]
        assert update == {"version": "9.1.0", "url": "https://tinh.example.gov.vn/desk/9.1.0", "running": update["running"]}
    finally:
        server.stop()


def test_update_notice_ignores_odd_answers_and_older_versions():
    from desk_app.services.updates import from_answer, notice

    assert from_answer({"desk_version": "1.2; rm -rf /"}) is None
    assert from_answer({"desk_version": "2.0", "desk_download_url": "javascript:alert(1)"}) == {"version": "2.0", "url": ""}
    assert from_answer({"desk_version": "", "desk_download_url": "https://x"}) is None
    assert notice({"version": "0.0.1", "url": ""}, "0.1.0") is None
    assert notice({"version": "0.1.0", "url": ""}, "0.1.0") is None
    assert notice({"version": "0.10.0", "url": "https://x/y"}, "0.9.5")["version"] == "0.10.0"

"""The period report on generated data with known answers: each count by the
event's local date, period inclusive, boundaries at both ends of the day."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pypdfium2
import pytest
from openpyxl import load_workbook

from desk_app.domain.calendar import VN_TZ
from tests.conftest import desk_cli

X = "1.004222.000.00.00.H14"  # Đăng ký tạm trú, 3 working days
Y = "2.000908.000.00.00.H14"  # Chứng thực bản sao, 4 hours
DOC = {"X": "Tờ khai thay đổi thông tin cư trú (mẫu CT01)", "Y": "Bản chính giấy tờ, văn bản cần chứng thực"}
PERIOD = (date(2026, 11, 2), date(2026, 11, 6))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


@pytest.fixture
def scenario(desk, clock, intake_json, tmp_path):
    """Seven dossiers around the period Mon 2 - Fri 6 Nov 2026 (see the expected figures)."""
    from desk_app.scanning.samples import text_page

    page = tmp_path / "page.png"
    text_page(dpi=100, noise=0).save(page)
    codes = {}

    def receive(name, when, procedure, officer, pages=False):
        clock.moment = at(when)
        desk.setup.set_officer(officer)
        data = {**intake_json, "procedure_code": procedure,
                "documents": [{"name": DOC["X" if procedure == X else "Y"], "kind": "original", "count": 1}]}
        record = desk.intake.intake(data)
        codes[name] = record
        if pages:
            desk.digitise.attach_files(record.code, DOC["X" if procedure == X else "Y"], [page])

    receive("d5", "2026-10-20T10:00", X, "Cán bộ A")
    receive("d0", "2026-11-01T23:30", Y, "Cán bộ A")  # Sunday night: before the period
    receive("d1", "2026-11-02T00:10", X, "Cán bộ A")  # first minutes of the period
    receive("d6", "2026-11-03T09:00", X, "Cán bộ A")
    receive("d2", "2026-11-04T10:00", Y, "Cán bộ B", pages=True)
    receive("d3", "2026-11-06T23:50", X, "Cán bộ B", pages=True)  # last minutes of the period
    receive("d4", "2026-11-07T00:05", X, "Cán bộ A", pages=True)  # just after

    def status(name, new, moment, officer="Cán bộ C"):
        desk.setup.set_officer(officer)
        desk.queue.set_status(codes[name].code, new, at=moment, note="lý do" if new in ("refused", "withdrawn") else "")

    due0 = datetime.fromisoformat(codes["d0"].appointment_at)
    due1 = datetime.fromisoformat(codes["d1"].appointment_at)
    # The test means something only if these fall inside the period:
    assert PERIOD[0] <= due0.date() <= PERIOD[1] and PERIOD[0] <= due1.date() <= PERIOD[1]
    status("d0", "result_ready", due0 + timedelta(seconds=1))  # late
    status("d0", "returned", at("2026-11-06T23:59:59"))
    status("d1", "result_ready", due1)  # exactly at the appointment: on time
    status("d5", "result_ready", at("2026-11-01T23:59:59"))  # before the period: not counted
    status("d5", "returned", at("2026-11-02T00:00:00"))
    status("d2", "result_ready", at("2026-11-07T00:00:01"))  # after the period: not counted
    status("d6", "refused", at("2026-11-06T16:00"), officer="Cán bộ D")
    status("d6", "returned", at("2026-11-09T08:00"))  # after: not counted
    # The province confirmed d1 (what a sync round's confirmation writes).
    desk.store.db.conn.execute("UPDATE dossiers SET synced_at = '2026-11-02T08:00:00+07:00' WHERE code = ?",
                               (codes["d1"].code,))
    clock.moment = at("2026-11-10T09:00")
    return codes


def test_report_counts_known_answers(desk, scenario):
    report = desk.reports.report(*PERIOD)
    assert {k: report[k] for k in ("received", "processed_on_time", "processed_late", "returned_to_citizen",
                                   "refused", "digitised", "unsynced")} == {
        "received": 4, "processed_on_time": 1, "processed_late": 1, "returned_to_citizen": 2,
        "refused": 1, "digitised": 2, "unsynced": 3,
    }
    assert report["on_time_rate"] == 0.5 and report["digitised_share"] == 0.5
    by_proc = {p["code"]: p for p in report["by_procedure"]}
    assert {k: by_proc[X][k] for k in ("received", "processed_on_time", "returned_to_citizen", "refused",
                                        "digitised", "unsynced")} == {
        "received": 3, "processed_on_time": 1, "returned_to_citizen": 1, "refused": 1, "digitised": 1, "unsynced": 2}
    assert {k: by_proc[Y][k] for k in ("received", "processed_late", "returned_to_citizen", "digitised", "unsynced")} == {
        "received": 1, "processed_late": 1, "returned_to_citizen": 1, "digitised": 1, "unsynced": 1}
    people = {p["name"]: p for p in report["by_receptionist"]}
    assert people["Cán bộ A"]["received"] == 2 and people["Cán bộ B"]["received"] == 2
    assert people["Cán bộ D"]["refused"] == 1 and people["Cán bộ C"]["returned_to_citizen"] == 2
    days = {d["date"]: d for d in report["by_day"]}
    assert list(days) == ["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06"]
    assert [days[d]["received"] for d in days] == [1, 1, 1, 0, 1]
    assert days["2026-11-02"]["returned_to_citizen"] == 1 and days["2026-11-06"]["returned_to_citizen"] == 1
    assert sum(report["by_status"].values()) == 4


def test_one_day_periods_at_the_edges(desk, scenario):
    assert desk.reports.report(date(2026, 11, 1), date(2026, 11, 1))["received"] == 1  # d0 only
    nov7 = desk.reports.report(date(2026, 11, 7), date(2026, 11, 7))
    # d4 received; d2 (4-hour procedure from 4 Nov) reached result ready at 00:00:01: late
    assert (nov7["received"], nov7["digitised"], nov7["processed_late"], nov7["processed_on_time"]) == (1, 1, 1, 0)


def test_bad_period_is_refused(desk):
    from desk_app.domain.errors import ValidationError

    with pytest.raises(ValidationError):
        desk.reports.report(date(2026, 11, 6), date(2026, 11, 2))


def test_report_cli_writes_xlsx_and_a4_pdf_in_vietnamese(desk, scenario, tmp_path):
    desk.close()
    out = tmp_path / "out"
    out.mkdir()
    result = desk_cli("report", "--data", str(desk.data_dir), "--from", "2026-11-02", "--to", "2026-11-06",
                      "--xlsx", str(out / "bc.xlsx"), "--pdf", str(out / "bc.pdf"))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["received"] == 4 and set(report["files"]) == {"xlsx", "pdf"}
    sheet = load_workbook(out / "bc.xlsx")["Tổng hợp"]
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=5, values_only=True)}
    assert values["Tiếp nhận"] == 4 and values["Giải quyết quá hạn"] == 1
    pdf = pypdfium2.PdfDocument(str(out / "bc.pdf"))
    width, height = pdf[0].get_size()
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = pdf[0].get_textpage().get_text_range()
    assert "BÁO CÁO TÌNH HÌNH TIẾP NHẬN" in text and "Đăng ký tạm trú" in text
    # a bad target writes nothing and says why
    bad = desk_cli("report", "--data", str(desk.data_dir), "--from", "2026-11-02", "--to", "2026-11-06",
                   "--pdf", str(out / "bc.txt"))
    assert bad.returncode == 1 and json.loads(bad.stderr)["field"] == "out"


def test_kept_figures_match_a_recount_and_a_drift_is_reported(desk, scenario):
    from desk_app.store.integrity import report_problems

    assert report_problems(desk.store.db) == []
    desk.store.db.conn.execute("UPDATE report_daily SET n = n + 1 WHERE figure = 'received' AND day = '2026-11-04'")
    assert [p["figure"] for p in report_problems(desk.store.db)] == ["received"]


def test_a_release_database_gets_its_figures_on_upgrade(tmp_path):
    """Migration 0006d fills report_daily from what an older desk already holds."""
    import shutil
    from pathlib import Path

    from desk_app.services.context import build_services
    from desk_app.store.integrity import report_problems

    fixture = sorted((Path(__file__).resolve().parent.parent / "fixtures").glob("desk-*.sqlite3"))[0]
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(fixture, data / "desk.sqlite3")
    ctx = build_services(data, actor="upgrade-test")
    try:
        assert report_problems(ctx.store.db) == []
        held = ctx.store.db.conn.execute("SELECT count(*) FROM dossiers").fetchone()[0]
        report = ctx.reports.report(date(2026, 1, 1), date(2026, 12, 31))
        assert held > 0 and report["received"] == held
    finally:
        ctx.close()

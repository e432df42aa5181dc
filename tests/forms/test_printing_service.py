"""Print log, tracking book numbers, settings, book export (PDF and .xlsx), the CLI."""

import json
from datetime import date, timedelta

import pytest

from desk_app.domain.errors import NotFoundError, ValidationError
from tests.conftest import desk_cli
from tests.forms.helpers import page_texts


def test_book_numbers_are_stable_and_sequential(desk, intake_json):
    codes = [desk.intake.intake(intake_json).code for _ in range(3)]
    # The second dossier's slip is printed first: it takes number 1 and keeps it.
    assert desk.printing.prepare(codes[1]).data.book_number == 1
    assert desk.printing.prepare(codes[1]).data.book_number == 1
    book = desk.printing.book(date(2026, 11, 18), date(2026, 11, 18))
    # Rows in order of receipt; the numbers stay the ones already given.
    assert [(r.code, r.number, r.volume) for r in book.rows] == [
        (codes[0], 2, "03/2026"), (codes[1], 1, "03/2026"), (codes[2], 3, "03/2026")
    ]
    assert desk.printing.prepare(codes[2]).data.book_number == 3


def test_failed_print_is_not_counted_and_reprints_are(desk, dossier, tmp_path):
    prepared = desk.printing.prepare(dossier.code)
    assert prepared.data.copy_number == 1
    # Nothing recorded (the printer failed): the next attempt is still the original.
    assert desk.printing.prepare(dossier.code).data.copy_number == 1
    desk.printing.record(prepared, target="printer:Counter")
    assert desk.printing.prepare(dossier.code).data.copy_number == 2
    assert desk.printing.prepare(dossier.code, form="02").data.copy_number == 1
    assert [p["target"] for p in desk.printing.prints(dossier.code)] == ["printer:Counter"]


def test_export_refuses_bad_paths_and_leaves_nothing(desk, dossier, tmp_path):
    with pytest.raises(ValidationError):
        desk.printing.export(dossier.code, tmp_path / "slip.txt")
    (tmp_path / "a-file").write_text("x")  # a missing folder is created (tests/cli/test_export_folders.py); not under a file
    with pytest.raises(ValidationError):
        desk.printing.export(dossier.code, tmp_path / "a-file" / "missing" / "slip.pdf")
    with pytest.raises(NotFoundError):
        desk.printing.export("000.31.14.H14-261118-3999", tmp_path / "slip.pdf")
    assert sorted(tmp_path.iterdir()) == [tmp_path / "a-file", tmp_path / "data"]
    assert desk.printing.prints(dossier.code) == []


def test_settings_are_validated_before_anything_is_written(desk):
    with pytest.raises(ValidationError):
        desk.printing.configure(tracking_url_template="https://x.vn/ok?mahs={code}", bank_bin="12")
    assert desk.printing.settings().tracking_url_template == ""
    with pytest.raises(ValidationError):
        desk.printing.configure(slip_copies=3)
    with pytest.raises(ValidationError):
        desk.printing.configure(default_layout="letter")
    assert desk.printing.configure(thermal_qr_ec="q", print_direct=True).thermal_qr_ec == "Q"
    assert desk.printing.settings().print_direct is True


def test_book_pdf_and_xlsx(desk, intake_json, clock, tmp_path):
    import openpyxl

    first = desk.intake.intake(intake_json).code
    desk.queue.set_status(first, "transferred")
    desk.queue.set_status(first, "result_ready")
    desk.queue.set_status(first, "returned")
    clock.moment += timedelta(days=1)
    second = desk.intake.intake({**intake_json, "applicant": {**intake_json["applicant"], "full_name": "Hoàng Văn Đức"}}).code
    pdf = desk.printing.export_book(date(2026, 11, 1), date(2026, 11, 30), tmp_path / "book.pdf")
    assert pdf["rows"] == 2 and pdf["pages"] >= 1
    text = " ".join(" ".join(page_texts((tmp_path / "book.pdf").read_bytes())).split())
    assert "SỔ THEO DÕI HỒ SƠ" in text and "Nguyễn Thị Đào" in text and "Hoàng Văn Đức" in text
    assert first in text.replace(" ", "")  # the code may wrap inside its narrow column
    xlsx = desk.printing.export_book(date(2026, 11, 1), date(2026, 11, 30), tmp_path / "book.xlsx")
    assert xlsx["rows"] == 2
    book = openpyxl.load_workbook(tmp_path / "book.xlsx")
    rows = [r for r in book.active.iter_rows(values_only=True) if r and r[2] in (first, second)]
    assert [(r[0], r[1], r[2], r[5]) for r in rows] == [
        ("03/2026", 1, first, "Nguyễn Thị Đào"), ("03/2026", 2, second, "Hoàng Văn Đức")
    ]
    assert rows[0][12] is not None and rows[1][12] is None  # returned-to-citizen time
    only_second = desk.printing.export_book(date(2026, 11, 19), date(2026, 11, 19), tmp_path / "b2.xlsx")
    assert only_second["rows"] == 1
    with pytest.raises(ValidationError):
        desk.printing.export_book(date(2026, 11, 19), date(2026, 11, 1), tmp_path / "b3.xlsx")


def test_cli_receipt_book_and_config(tmp_path, intake_json):
    data = str(tmp_path / "d")
    assert desk_cli("init", "--data", data, "--unit-code", "000.31.14.H14", "--desk", "3", "--commune-code", "01273").returncode == 0
    cfg = desk_cli(
        "forms-config",
        "--data",
        data,
        "--tracking-url-template",
        "https://dvc.caobang.gov.vn/tra-cuu?mahs={code}",
        "--copies",
        "2",
    )
    assert cfg.returncode == 0, cfg.stderr
    assert json.loads(cfg.stdout)["slip_copies"] == 2
    bad = desk_cli(
        "forms-config", "--data", data, "--tracking-url-template", "https://x.vn/no-code"
    )
    assert bad.returncode == 1 and json.loads(bad.stderr)["error"] == "invalid_input"
    code = json.loads(desk_cli("intake", "--allow-missing", "--data", data, "--json", "-", input=json.dumps(intake_json)).stdout)["code"]
    out = tmp_path / "slip.pdf"
    result = desk_cli("receipt", "--data", data, code, "--out", str(out), "--layout", "thermal80")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["pages"] == 2 and info["bytes"] == out.stat().st_size and info["qr_payload"].endswith(code)
    form3 = desk_cli(
        "receipt", "--data", data, code, "--out", str(tmp_path / "f3.pdf"), "--form", "03", "--reason", "Không thuộc thẩm quyền"
    )
    assert form3.returncode == 0 and "Không thuộc thẩm quyền" in " ".join(page_texts((tmp_path / "f3.pdf").read_bytes())[0].split())
    missing = desk_cli("receipt", "--data", data, "000.31.14.H14-261118-3999", "--out", str(tmp_path / "x.pdf"))
    assert missing.returncode == 1 and not (tmp_path / "x.pdf").exists()
    today = date.today()
    span = [(today - timedelta(days=2)).isoformat(), (today + timedelta(days=2)).isoformat()]
    book = desk_cli("book", "--data", data, "--from", span[0], "--to", span[1], "--out", str(tmp_path / "book.xlsx"))
    assert book.returncode == 0 and json.loads(book.stdout)["rows"] == 1
    bad_date = desk_cli("book", "--data", data, "--from", "2026-13-01", "--to", "2026-12-31", "--out", str(tmp_path / "b.pdf"))
    assert bad_date.returncode == 1

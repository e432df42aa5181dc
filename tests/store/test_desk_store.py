"""The store on real SQLite files: pragmas, migrations, FTS with đ folding, one transaction per
change with its outbox entry, append-only history, and what happens when things go wrong."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime, timedelta

import pytest

from desk_app.domain.calendar import VN_TZ
from desk_app.domain.errors import (
    ConflictError,
    DeskError,
    NotFoundError,
    StoreError,
    ValidationError,
)
from desk_app.services.context import build_services
from desk_app.store.database import DB_FILENAME
from desk_app.store.search_index import fts_query


def _count(desk, table):
    return desk.store.db.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_pragmas_and_migrations(desk):
    conn = desk.store.db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = 'desk_app'")]
    assert names[0] == "0001_initial"
    desk.close()
    again = build_services(desk.data_dir, clock=desk.clock)  # reopening applies nothing twice
    assert [r[0] for r in again.store.db.conn.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = 'desk_app'")] == names
    again.close()


def test_refuses_a_database_from_a_newer_app(desk, intake_json):
    desk.intake.intake(intake_json)
    desk.store.db.conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('desk_app', '9999_future', 'x')"
    )
    desk.close()
    with pytest.raises(StoreError, match="phiên bản phần mềm mới hơn") as info:
        build_services(desk.data_dir)
    assert "9999_future" in str(info.value)
    conn = sqlite3.connect(desk.data_dir / DB_FILENAME)  # untouched: still one dossier, same rows
    assert conn.execute("SELECT count(*) FROM dossiers").fetchone()[0] == 1
    conn.close()


def test_intake_is_one_transaction_with_its_outbox_entry(desk, intake_json):
    result = desk.intake.intake(intake_json)
    assert result.code == "000.31.14.H14-261118-3001"
    assert result.received_at == "2026-11-18T09:30:00+07:00"
    assert result.appointment_at == "2026-11-18T17:00:00+07:00"  # same-day procedure before 15:00
    outbox = desk.store.pending_outbox()
    assert [(o["kind"], o["dossier_code"], o["idempotency_key"]) for o in outbox] == [
        ("dossier.received", result.code, result.uuid)
    ]
    second = desk.intake.intake(intake_json)
    assert second.code.endswith("-3002")


def test_a_failure_mid_transaction_leaves_nothing(desk, intake_json):
    conn = desk.store.db.conn
    # The outbox insert is the last statement of the intake transaction: make it fail there.
    conn.execute("CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'injected'); END")
    before = {t: _count(desk, t) for t in ("dossiers", "dossier_documents", "dossier_events", "dossier_fts", "outbox", "code_sequence")}
    with pytest.raises(DeskError):
        desk.intake.intake(intake_json)
    assert {t: _count(desk, t) for t in before} == before
    assert not conn.in_transaction
    conn.execute("DROP TRIGGER fail_outbox")
    assert desk.intake.intake(intake_json).code.endswith("-3001")  # the sequence was rolled back too


def test_status_change_and_its_outbox_entry_commit_together(desk, intake_json):
    code = desk.intake.intake(intake_json).code
    conn = desk.store.db.conn
    conn.execute("CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'injected'); END")
    with pytest.raises(DeskError):
        desk.queue.set_status(code, "transferred")
    view = desk.queue.show(code)
    assert view.status == "received" and len(view.history) == 1
    conn.execute("DROP TRIGGER fail_outbox")
    desk.clock.moment += timedelta(hours=2)
    view = desk.queue.set_status(code, "transferred", note="  chuyển  phòng Tư pháp ")
    assert [(h.status, h.actor, h.note) for h in view.history] == [
        ("received", "tester", ""),
        ("transferred", "tester", "chuyển phòng Tư pháp"),
    ]
    assert view.history[1].at == "2026-11-18T11:30:00+07:00"
    assert [o["kind"] for o in desk.store.pending_outbox()] == ["dossier.received", "dossier.status"]
    with pytest.raises(ValidationError):
        desk.queue.set_status(code, "received")


def test_history_is_append_only(desk, intake_json):
    desk.intake.intake(intake_json)
    conn = desk.store.db.conn
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE dossier_events SET actor = 'someone else'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM dossier_events")


def test_search_folds_diacritics_including_d(desk, intake_json):
    code = desk.intake.intake(intake_json).code
    other = dict(intake_json, applicant={**intake_json["applicant"], "full_name": "Trần Văn Đạt",
                                         "id_number": "004099011111", "gender": "Nam", "phone": "0987654321",
                                         "birth_date": "1999-01-01"})
    other_code = desk.intake.intake(other).code
    def codes(text, **kw):
        return [r["code"] for r in desk.queue.search(text, **kw)]
    assert codes("nguyen thi dao") == [code]
    assert codes("NGUYỄN THỊ ĐÀO") == [code]
    assert codes("dat") == [other_code]
    assert codes("Đạt") == [other_code]
    assert codes("004199012345") == [code]
    assert codes("0912 345 678") == [code]
    assert codes("0912345") == [code]
    assert codes(code) == [code]
    assert codes("3002") == [other_code]
    assert codes("khai sinh") == [other_code, code]  # newest first
    assert codes("khai sinh", status="transferred") == []
    assert codes("zzz") == []
    assert desk.queue.search("nguyen")[0]["applicant_name"] == "Nguyễn Thị Đào"


def test_fts_query_shapes():
    assert fts_query("Nguyễn Thị Đào") == '"nguyen"* "thi"* "dao"*'
    assert fts_query("a") == '"a"'
    assert fts_query("0912 345 678") == '("0912345678"*) OR ("0912"* "345"* "678"*)'
    assert fts_query(' "* ( ) ') is None


def test_corrupt_database_file_is_refused_and_left_as_is(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    path = data / DB_FILENAME
    path.write_bytes(b"this is not a database" * 100)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(StoreError, match="bị hỏng"):
        build_services(data)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_uninitialised_folder_is_not_created(tmp_path):
    with pytest.raises(StoreError, match="desk init"):
        build_services(tmp_path / "nothing", create=False)
    assert not (tmp_path / "nothing").exists()


def test_full_disk_loses_nothing(desk, intake_json):
    saved = desk.intake.intake(intake_json).code
    conn = desk.store.db.conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")  # the file cannot grow any more: a full disk
    big = dict(intake_json, notes="x" * 1900, documents=[{"name": f"Giấy tờ {i} " + "y" * 250} for i in range(100)])
    with pytest.raises(StoreError, match="Ổ đĩa đã đầy"):
        for _ in range(20):
            desk.intake.intake(big)
    assert not conn.in_transaction
    conn.execute("PRAGMA max_page_count = 1073741823")
    assert desk.queue.show(saved).applicant.full_name == "Nguyễn Thị Đào"
    n = _count(desk, "dossiers")
    assert _count(desk, "outbox") == n and _count(desk, "dossier_events") == n == _count(desk, "dossier_fts")
    assert desk.intake.intake(intake_json).code.endswith(f"-{3000 + n + 1}")


def test_wrong_clock(desk, intake_json):
    with pytest.raises(ValidationError, match="ở tương lai") as info:
        desk.intake.intake({**intake_json, "received_at": "2026-11-18T10:00:00+07:00"})
    assert info.value.field == "received_at"
    with pytest.raises(ValidationError, match="quá xa trong quá khứ"):
        desk.intake.intake({**intake_json, "received_at": "2026-08-01T10:00:00"})
    # Paper intake during an outage, entered later: coded and scheduled on its own day.
    late = desk.intake.intake({**intake_json, "received_at": "2026-11-16T16:00:00"})
    assert late.code == "000.31.14.H14-261116-3001"
    assert late.appointment_at == "2026-11-17T17:00:00+07:00"
    desk.clock.moment = datetime(2026, 11, 18, 7, 0, tzinfo=VN_TZ)  # set back 2.5 hours
    with pytest.raises(ValidationError, match="chậm hơn hồ sơ đã lưu gần nhất"):
        desk.intake.intake(intake_json)
    desk.clock.moment = datetime(2001, 1, 1, 8, 0, tzinfo=VN_TZ)  # a dead CMOS battery
    with pytest.raises(ValidationError, match="Đồng hồ máy tính đang sai"):
        desk.intake.intake(intake_json)


def test_unknown_or_retired_procedure(desk, intake_json, tmp_path):
    with pytest.raises(NotFoundError):
        desk.intake.intake({**intake_json, "procedure_code": "1.999999.000.00.00.H14"})
    path = tmp_path / "province.csv"
    path.write_text("code,name,processing_days\n1.000894.000.00.00.H14,Đăng ký kết hôn,0\n", encoding="utf-8")
    assert desk.catalogue.import_file(path) == {"imported": 1, "errors": []}
    assert [p.code for p in desk.catalogue.list()] == ["1.000894.000.00.00.H14"]  # the sample gave way
    with pytest.raises(NotFoundError, match="không còn trong danh mục"):
        desk.intake.intake(intake_json)


def test_catalogue_import_with_a_bad_row_changes_nothing(desk, tmp_path):
    before = [p.code for p in desk.catalogue.list()]
    path = tmp_path / "province.csv"
    path.write_text("code,name,processing_days\n1.000894.000.00.00.H14,Đăng ký kết hôn,0\n1.1,Sai,x\n", encoding="utf-8")
    with pytest.raises(DeskError) as info:
        desk.catalogue.import_file(path)
    assert info.value.details and info.value.details[0].startswith("Dòng 3")
    assert [p.code for p in desk.catalogue.list()] == before
    assert desk.catalogue.import_file(path, allow_partial=True)["imported"] == 1


def test_catalogue_find_is_diacritics_insensitive(desk):
    assert desk.catalogue.find("khai sinh")[0].name == "Đăng ký khai sinh"
    assert desk.catalogue.find("dang ky ket hon")[0].name == "Đăng ký kết hôn"


def test_desk_identity_cannot_change_once_it_numbered_dossiers(desk, intake_json):
    desk.setup.configure(unit_code="000.31.14.H14", desk=3, commune_code="01273")  # same: fine
    desk.intake.intake(intake_json)
    with pytest.raises(ConflictError):
        desk.setup.configure(unit_code="000.31.14.H14", desk=4)
    assert desk.setup.config().desk == 3


def test_calendar_overrides_are_used(desk, intake_json):
    from datetime import date

    desk.setup.set_day(date(2026, 11, 19), "off", "Nghỉ bù")
    proc = "1.001022.000.00.00.H14"  # 3 working days
    result = desk.intake.intake({**intake_json, "procedure_code": proc})
    # Thu 19 off, Mon 23 work, Tue 24 holiday: Fri 20, Mon 23, Wed 25
    assert result.appointment_at == "2026-11-25T09:30:00+07:00"
    with pytest.raises(ValidationError):
        desk.setup.set_day(date(2026, 11, 19), "holiday")


def test_status_change_with_a_clock_set_back_is_refused(desk, intake_json):
    code = desk.intake.intake(intake_json).code
    desk.clock.moment += timedelta(hours=3)
    desk.queue.set_status(code, "transferred")
    desk.clock.moment -= timedelta(hours=2)
    with pytest.raises(ValidationError, match="sớm hơn lần thay đổi trước"):
        desk.queue.set_status(code, "processing")
    assert desk.queue.show(code).status == "transferred"


def test_damaged_setting_is_a_clear_error(desk):
    desk.store.db.conn.execute("UPDATE settings SET value = '' WHERE key = 'desk'")
    with pytest.raises(StoreError, match="bị hỏng"):
        desk.setup.config()


def test_commune_comes_from_the_official_list():
    from desk_app.services.setup import communes_of_province, lookup_commune

    communes = communes_of_province(4)  # Cao Bằng
    assert len(communes) == 56
    assert ("01273", "Phường Thục Phán") in communes
    assert lookup_commune("01290") == ("Xã Bảo Lâm", "Cao Bằng")
    with pytest.raises(ValidationError):
        lookup_commune("abc")
    with pytest.raises(NotFoundError):
        lookup_commune("99999")


def test_zero_byte_database_file_opens_as_an_uninitialised_desk(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / DB_FILENAME).write_bytes(b"")  # e.g. a crash right after the file was created
    ctx = build_services(data, create=False)
    try:
        with pytest.raises(NotFoundError, match="desk init"):
            ctx.setup.config()
        assert ctx.queue.search("") == []
    finally:
        ctx.close()

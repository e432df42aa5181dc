"""Accounts, sign-in, lockout and the permission matrix, at the services."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk_app.domain import permissions as P
from desk_app.domain.errors import AuthError, ForbiddenError, ValidationError
from desk_app.services.accounts import FREE_ATTEMPTS, check_password, hash_password, lock_seconds
from tests.accounts.conftest import PASSWORDS, login


def test_password_hash_is_salted_scrypt_and_checks():
    first, second = hash_password("mat-khau-1"), hash_password("mat-khau-1")
    assert first.startswith("scrypt$32768$8$1$") and first != second
    assert check_password("mat-khau-1", first)
    assert not check_password("mat-khau-2", first)
    assert not check_password("mat-khau-1", "garbage")


def test_fresh_desk_works_without_accounts(desk, intake_json):
    assert not desk.accounts.has_accounts()
    code = desk.intake.intake(intake_json).code
    assert desk.queue.set_status(code, "refused", note="thiếu giấy tờ").status == "refused"


def test_first_account_must_be_admin_and_later_need_an_admin(desk):
    with pytest.raises(ValidationError):
        desk.accounts.add("an", "receptionist", "Nguyễn An", "mat-khau-123")
    desk.accounts.add("admin", "admin", "Quản Trị", "mat-khau-123")
    with pytest.raises(AuthError):
        desk.accounts.add("an", "receptionist", "Nguyễn An", "mat-khau-123")
    with pytest.raises(ValidationError):
        desk.accounts.create_first_admin("admin2", "Quản Trị 2", "mat-khau-123")
    desk.accounts.login("admin", "mat-khau-123")
    desk.accounts.add("an", "receptionist", "Nguyễn An", "mat-khau-123")
    desk.accounts.logout()
    desk.accounts.login("an", "mat-khau-123")
    with pytest.raises(ForbiddenError):
        desk.accounts.add("binh", "receptionist", "Bình", "mat-khau-123")
    assert [a["username"] for a in desk.accounts.list()] == ["admin", "an"]


def test_passwords_never_reach_the_audit_trail(staffed):
    login(staffed, "admin")
    staffed.accounts.reset_password("tiepnhan", "mat-khau-moi-1")
    dump = repr(staffed.audit.entries()) + repr(staffed.store.db.conn.execute("SELECT * FROM audit_log").fetchall())
    for password in [*PASSWORDS.values(), "mat-khau-moi-1"]:
        assert password not in dump


def test_lockout_grows_and_admin_reset_lifts_it(staffed, clock):
    start = clock.moment
    for _ in range(FREE_ATTEMPTS - 1):
        with pytest.raises(AuthError):
            staffed.accounts.login("tiepnhan", "sai-mat-khau")
    with pytest.raises(AuthError):
        staffed.accounts.login("tiepnhan", "sai-mat-khau")  # this failure locks for 30 s
    with pytest.raises(AuthError) as locked:
        staffed.accounts.login("tiepnhan", PASSWORDS["tiepnhan"])  # right password, still locked
    assert "tạm khóa" in locked.value.message
    clock.moment = start + timedelta(seconds=31)
    with pytest.raises(AuthError):
        staffed.accounts.login("tiepnhan", "sai-mat-khau")  # next failure: 60 s
    clock.moment = start + timedelta(seconds=31 + 45)
    with pytest.raises(AuthError) as still:
        staffed.accounts.login("tiepnhan", PASSWORDS["tiepnhan"])
    assert "tạm khóa" in still.value.message
    assert lock_seconds(FREE_ATTEMPTS) == 30 and lock_seconds(FREE_ATTEMPTS + 1) == 60
    assert lock_seconds(FREE_ATTEMPTS + 20) == 3600
    login(staffed, "admin")
    staffed.accounts.reset_password("tiepnhan", "mat-khau-moi-1")
    staffed.accounts.logout()
    assert staffed.accounts.login("tiepnhan", "mat-khau-moi-1").role == "receptionist"


def test_success_resets_the_failure_count(staffed):
    for _ in range(FREE_ATTEMPTS - 1):
        with pytest.raises(AuthError):
            staffed.accounts.login("tiepnhan", "sai-mat-khau")
    login(staffed, "tiepnhan")
    for _ in range(FREE_ATTEMPTS - 1):
        with pytest.raises(AuthError):
            staffed.accounts.login("tiepnhan", "sai-mat-khau")
    login(staffed, "tiepnhan")  # not locked: the count started again


def test_unknown_and_disabled_accounts_get_the_same_answer(staffed):
    login(staffed, "admin")
    staffed.accounts.disable("giamsat")
    staffed.accounts.logout()
    with pytest.raises(AuthError) as unknown:
        staffed.accounts.login("khongco", "mat-khau-123")
    with pytest.raises(AuthError) as disabled:
        staffed.accounts.login("giamsat", PASSWORDS["giamsat"])
    assert unknown.value.message == disabled.value.message


def test_the_last_admin_cannot_be_disabled(staffed):
    login(staffed, "admin")
    with pytest.raises(ValidationError):
        staffed.accounts.disable("admin")


def test_a_disabled_account_loses_its_session_at_once(staffed, intake_json):
    login(staffed, "tiepnhan")
    staffed.intake.intake(intake_json)
    staffed.store.db.conn.execute("UPDATE accounts SET active = 0 WHERE username = 'tiepnhan'")
    with pytest.raises(AuthError):
        staffed.intake.intake(intake_json)


def _call(ctx, permission, code, intake_json):
    """One service call per permission that the guard checks."""
    calls = {
        P.INTAKE: lambda: ctx.intake.missing_documents(intake_json),
        P.VIEW: lambda: ctx.queue.show(code),
        P.STATUS: lambda: ctx.queue.set_status(code, "processing"),
        P.REFUSE: lambda: ctx.queue.set_status(code, "refused", note="thiếu giấy tờ"),
        P.SCAN: lambda: ctx.digitise.check_target(code, "Giấy chứng sinh"),
        P.PRINT: lambda: ctx.printing.prepare(code),
        P.EXPORT: lambda: ctx.printing.book(ctx.clock().date(), ctx.clock().date()),
        P.REPORT: lambda: ctx.reports.report(ctx.clock().date(), ctx.clock().date()),
        P.AUDIT: lambda: ctx.audit.entries(),
        P.ACCOUNTS: lambda: ctx.accounts.reset_password("giamsat", PASSWORDS["giamsat"]),
        P.SETTINGS: lambda: ctx.setup.set_officer("Nông Văn Nhận"),
        P.CALENDAR: lambda: ctx.setup.set_day(ctx.clock().date() + timedelta(days=40), None),
        P.SYNC: lambda: ctx.sync.retry_quarantined(),
        P.CLOCK: lambda: ctx.desk_clock.recover("đồng hồ đã sai"),
    }
    return calls[permission]


@pytest.mark.parametrize("username", ["tiepnhan", "giamsat", "admin"])
def test_permission_matrix_at_the_services(staffed, intake_json, clock, username):
    """Every checked permission x this role: allowed calls pass, the others raise Forbidden;
    with nobody signed in, all raise Auth. Three services on one folder, one session each."""
    from desk_app.services.context import build_services

    role = {"tiepnhan": "receptionist", "giamsat": "supervisor", "admin": "admin"}[username]
    login(staffed, "admin")  # makes the dossiers
    user = build_services(staffed.data_dir, clock=clock, actor="x")
    nobody = build_services(staffed.data_dir, clock=clock, actor="x")
    try:
        login(user, username)
        tested = [p for p in P.PERMISSIONS if p not in (P.REASSIGN, P.CATALOGUE, P.ENROLL, P.BACKUP)]
        for permission in tested:
            code = staffed.intake.intake(intake_json).code  # a fresh received dossier for each call
            with pytest.raises(AuthError):
                _call(nobody, permission, code, intake_json)()
            call = _call(user, permission, code, intake_json)
            if P.allowed(role, permission):
                call()
            else:
                with pytest.raises(ForbiddenError):
                    call()
    finally:
        user.close()
        nobody.close()


def test_refused_or_withdrawn_is_refused_to_a_receptionist_and_nothing_is_written(staffed, intake_json):
    login(staffed, "tiepnhan")
    code = staffed.intake.intake(intake_json).code
    entries_before = staffed.store.db.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    for status in ("refused", "withdrawn"):
        with pytest.raises(ForbiddenError):
            staffed.queue.set_status(code, status, note="lý do")
    assert staffed.queue.show(code).status == "received"
    outbox = staffed.store.db.conn.execute("SELECT count(*) FROM outbox WHERE kind = 'dossier.status'").fetchone()[0]
    assert outbox == 0
    # only the "opened" entry of show() was added
    assert staffed.store.db.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == entries_before + 1
    staffed.accounts.logout()
    login(staffed, "giamsat")
    assert staffed.queue.set_status(code, "refused", note="lý do").status == "refused"


def test_changes_record_the_account(staffed, intake_json):
    login(staffed, "tiepnhan")
    code = staffed.intake.intake(intake_json).code
    staffed.queue.set_status(code, "processing")
    shown = staffed.queue.show(code)
    assert shown.received_by == "Nông Văn Nhận"
    assert shown.history[-1].actor == "Nông Văn Nhận"
    staffed.accounts.logout()
    login(staffed, "giamsat")
    actions = [(e["user"], e["action"], e["code"]) for e in staffed.audit.entries(code=code)]
    assert actions == [
        ("tiepnhan", "dossier.create", code),
        ("tiepnhan", "dossier.status", code),
        ("tiepnhan", "dossier.open", code),
    ]
    status_entry = staffed.audit.entries(code=code)[1]
    assert status_entry["before"] == {"status": "received"}
    assert status_entry["after"] == {"status": "processing", "note": ""}

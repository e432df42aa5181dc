"""The issue 11 CLI contract through real ``desk`` subprocesses: users, sign-in, auth/forbidden
errors with nothing written, the permission matrix per command."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.accounts.conftest import PASSWORDS
from tests.conftest import desk_cli


def run(*args, user=None, password=None, input=None):
    env = {"DESK_PASSWORD": password if password is not None else PASSWORDS.get(user or "", "")}
    if user:
        args = (*args, "--user", user)
    return desk_cli(*args, input=input, env=env)


def ok(*args, **kw):
    result = run(*args, **kw)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def error(*args, **kw):
    result = run(*args, **kw)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    return json.loads(result.stderr)["error"]


def snapshot(data: str) -> tuple:
    """Everything a refused command must leave untouched (the audit trail included)."""
    conn = sqlite3.connect(Path(data) / "desk.sqlite3")
    try:
        return tuple(
            conn.execute(f"SELECT count(*), coalesce(max(rowid), 0) FROM {t}").fetchone()
            for t in ("dossiers", "dossier_events", "outbox", "audit_log", "accounts", "calendar_overrides")
        ) + (conn.execute("SELECT group_concat(status) FROM dossiers").fetchone(),)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def staffed_cli(tmp_path_factory):
    data = str(tmp_path_factory.mktemp("cli") / "desk")
    ok("init", "--data", data, "--unit-code", "000.31.14.H14", "--desk", "3", "--commune-code", "01273")
    # The first account: an admin, no credentials needed.
    assert error("users", "add", "--data", data, "--username", "giamsat", "--role", "supervisor",
                 "--full-name", "Lý Thị Giám", "--password-stdin", input=PASSWORDS["giamsat"] + "\n") == "invalid_input"
    ok("users", "add", "--data", data, "--username", "admin", "--role", "admin", "--full-name", "Hoàng Văn Quản",
       "--password-stdin", input=PASSWORDS["admin"] + "\n")
    # Later ones need an admin's credentials.
    assert error("users", "add", "--data", data, "--username", "giamsat", "--role", "supervisor",
                 "--full-name", "Lý Thị Giám", "--password-stdin", input=PASSWORDS["giamsat"] + "\n") == "auth"
    for username, role, name in (("giamsat", "supervisor", "Lý Thị Giám"), ("tiepnhan", "receptionist", "Nông Văn Nhận")):
        ok("users", "add", "--data", data, "--username", username, "--role", role, "--full-name", name,
           "--password-stdin", input=PASSWORDS[username] + "\n", user="admin")
    return data


def test_users_list_contract(staffed_cli):
    assert ok("users", "list", "--data", staffed_cli) == [
        {"username": "admin", "role": "admin", "full_name": "Hoàng Văn Quản", "active": True},
        {"username": "giamsat", "role": "supervisor", "full_name": "Lý Thị Giám", "active": True},
        {"username": "tiepnhan", "role": "receptionist", "full_name": "Nông Văn Nhận", "active": True},
    ]


def _intake(data, tmp_path, intake_json, user="tiepnhan") -> str:
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(intake_json, ensure_ascii=False), encoding="utf-8")
    return ok("intake", "--data", data, "--json", str(path), "--allow-missing", user=user)["code"]


def test_no_or_wrong_credentials_are_auth_and_write_nothing(staffed_cli, tmp_path, intake_json):
    code = _intake(staffed_cli, tmp_path, intake_json)
    before = snapshot(staffed_cli)
    assert error("status", "--data", staffed_cli, code, "processing") == "auth"
    assert error("show", "--data", staffed_cli, code) == "auth"
    assert error("intake", "--data", staffed_cli, "--json", str(tmp_path / "intake.json"), "--allow-missing") == "auth"
    assert snapshot(staffed_cli) == before
    # A wrong password is refused too; only the failure counter (lockout) is kept.
    assert error("status", "--data", staffed_cli, code, "processing", user="giamsat", password="sai-mat-khau") == "auth"
    after = snapshot(staffed_cli)
    assert after[:3] == before[:3] and after[-1] == before[-1]


def test_receptionist_cannot_refuse_or_withdraw_a_supervisor_can(staffed_cli, tmp_path, intake_json):
    code = _intake(staffed_cli, tmp_path, intake_json)
    before = snapshot(staffed_cli)
    for status in ("refused", "withdrawn"):
        assert error("status", "--data", staffed_cli, code, status, "--note", "thiếu", user="tiepnhan") == "forbidden"
    assert snapshot(staffed_cli) == before
    assert ok("status", "--data", staffed_cli, code, "refused", "--note", "thiếu giấy tờ", user="giamsat")["status"] == "refused"


# command line (after "--data DIR") per action; CODE is replaced by a fresh dossier's code.
MATRIX = {
    "show": (["show", "CODE"], {"receptionist", "supervisor", "admin"}),
    "search": (["search", "dao"], {"receptionist", "supervisor", "admin"}),
    "status": (["status", "CODE", "processing"], {"receptionist", "supervisor", "admin"}),
    "withdraw": (["status", "CODE", "withdrawn", "--note", "rút"], {"supervisor", "admin"}),
    "receipt": (["receipt", "CODE", "--out", "OUT/slip.pdf"], {"receptionist", "supervisor", "admin"}),
    "report": (["report", "--from", "2026-11-01", "--to", "2026-11-30"], {"supervisor", "admin"}),
    "book": (["book", "--from", "2026-11-01", "--to", "2026-11-30", "--out", "OUT/book.xlsx"], {"supervisor", "admin"}),
    "calendar": (["calendar", "--set", "2027-01-04", "off"], {"admin"}),
    "disable": (["users", "disable", "nobody"], {"admin"}),
    "backup": (["backup", "--out", "OUT/sao-luu"], {"admin"}),
}


@pytest.fixture(scope="module")
def fresh_codes(staffed_cli):
    """Received dossiers made in-process (one per matrix cell), to keep subprocesses few."""
    from desk_app.services.context import build_services

    data = {"procedure_code": "1.001193.000.00.00.H14", "applicant": {"full_name": "Nguyễn Thị Đào"},
            "documents": [{"name": "Giấy chứng sinh", "kind": "original", "count": 1}]}
    ctx = build_services(Path(staffed_cli), actor="x")
    try:
        ctx.accounts.login("admin", PASSWORDS["admin"])
        return iter([ctx.intake.intake(data).code for _ in range(3 * len(MATRIX))])
    finally:
        ctx.close()


@pytest.mark.parametrize("action", list(MATRIX))
def test_permission_matrix_through_the_cli(staffed_cli, fresh_codes, tmp_path, action):
    argv, allowed = MATRIX[action]
    for user, role in (("tiepnhan", "receptionist"), ("giamsat", "supervisor"), ("admin", "admin")):
        code = next(fresh_codes)
        args = [a.replace("CODE", code).replace("OUT", str(tmp_path)) for a in argv]
        args.insert(1 if args[0] != "users" else 2, "--data")
        args.insert(2 if args[0] != "users" else 3, staffed_cli)
        result = run(*args, user=user)
        if role in allowed:
            # allowed: passes the permission check (disable of an unknown account is not_found)
            assert result.returncode == 0 or json.loads(result.stderr)["error"] == "not_found", result.stderr
        else:
            assert result.returncode == 1 and json.loads(result.stderr)["error"] == "forbidden", result.stderr


def test_disable_and_reset_password(staffed_cli):
    ok("users", "add", "--data", staffed_cli, "--username", "tam", "--role", "receptionist", "--full-name", "Tạm Thời",
       "--password-stdin", input="mat-khau-tam-1\n", user="admin")
    assert ok("search", "--data", staffed_cli, user="tam", password="mat-khau-tam-1") is not None
    assert ok("users", "reset-password", "--data", staffed_cli, "tam", "--password-stdin", input="mat-khau-tam-2\n",
              user="admin")["username"] == "tam"
    assert error("search", "--data", staffed_cli, user="tam", password="mat-khau-tam-1") == "auth"
    ok("search", "--data", staffed_cli, user="tam", password="mat-khau-tam-2")
    assert ok("users", "disable", "--data", staffed_cli, "tam", user="admin")["active"] is False
    assert error("search", "--data", staffed_cli, user="tam", password="mat-khau-tam-2") == "auth"
    assert error("users", "reset-password", "--data", staffed_cli, "tam", "--password-stdin", input="x" * 9 + "\n",
                 user="giamsat") == "forbidden"


def test_audit_filters_and_verify(staffed_cli, tmp_path, intake_json):
    code = _intake(staffed_cli, tmp_path, intake_json)
    ok("status", "--data", staffed_cli, code, "processing", user="tiepnhan")
    as_supervisor = {"password": PASSWORDS["giamsat"]}
    entries = ok("audit", "--data", staffed_cli, "--code", code, "--as", "giamsat", **as_supervisor)
    assert [(e["user"], e["action"]) for e in entries] == [("tiepnhan", "dossier.create"), ("tiepnhan", "dossier.status")]
    assert set(entries[0]) == {"at", "user", "action", "code", "before", "after"}
    by_admin = ok("audit", "--data", staffed_cli, "--user", "admin", "--as", "giamsat", **as_supervisor)
    assert by_admin and all(e["user"] == "admin" for e in by_admin)
    none = ok("audit", "--data", staffed_cli, "--from", "2000-01-01", "--to", "2000-01-02", "--as", "giamsat", **as_supervisor)
    assert none == []
    result = ok("verify", "--data", staffed_cli)
    assert result["ok"] is True and result["problems"] == []

"""The example unit code (000.00.00.H14) through the real ``desk`` command: refused by
``desk init``, and a desk still using it (set up by 0.1) refuses intake in words."""

from __future__ import annotations

import json

from tests.conftest import desk_cli


def configured(folder) -> bool:
    from desk_app.services.context import build_services

    if not (folder / "desk.sqlite3").exists():
        return False
    ctx = build_services(folder)
    try:
        return ctx.setup.is_initialised()
    finally:
        ctx.close()


def test_init_refuses_the_example_unit_code(tmp_path):
    result = desk_cli("init", "--data", str(tmp_path / "d"), "--unit-code", "000.00.00.H14", "--desk", "1")
    assert result.returncode == 1 and result.stdout == ""
    error = json.loads(result.stderr)
    assert error["field"] == "unit_code" and "mã mẫu" in error["message"]
    assert not configured(tmp_path / "d")


def test_intake_on_a_desk_still_using_the_example_code_is_refused(tmp_path, clock, intake_json):
    from desk_app.services.context import build_services

    folder = tmp_path / "d"
    ctx = build_services(folder, clock=clock, actor="tester")
    try:
        ctx.setup.configure(unit_code="000.31.14.H14", desk=1, commune_code="01273")
        ctx.catalogue.ensure_sample()
        ctx.store.set_settings({"unit_code": "000.00.00.H14"})  # as 0.1's set-up dialog left it
    finally:
        ctx.close()
    payload = json.dumps({**intake_json, "received_at": None})
    result = desk_cli("intake", "--data", str(folder), "--json", "-", input=payload, env={"DESK_LANG": "en"})
    assert result.returncode == 1 and result.stdout == "", result.stderr
    error = json.loads(result.stderr)
    assert error["field"] == "unit_code"
    assert "example unit code 000.00.00.H14" in error["message"] and "cannot take in dossiers" in error["message"]
    ctx = build_services(folder, clock=clock, actor="tester")
    try:
        assert ctx.store.dossier_count() == 0
    finally:
        ctx.close()

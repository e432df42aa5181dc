"""Databases written by released versions must open and upgrade in this one.

Each release leaves a small database in tests/fixtures/ (made with the real `desk` CLI of that
release); never edit or regenerate an old fixture — add a new one per release.
"""

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from desk_app.domain.calendar import VN_TZ
from desk_app.services.context import build_services
from desk_app.store.migrations import known_migration_names, migrations
from tests.conftest import FixedClock

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RELEASES = sorted(FIXTURES.glob("desk-*.sqlite3"))


@pytest.mark.parametrize("fixture", RELEASES, ids=[p.stem for p in RELEASES])
def test_release_database_upgrades_and_keeps_its_dossiers(tmp_path, fixture):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(fixture, data / "desk.sqlite3")
    clock = FixedClock(datetime(2026, 11, 23, 10, 0, tzinfo=VN_TZ))  # after the fixture was written
    ctx = build_services(data, clock=clock, actor="upgrade-test")
    try:
        applied = [m.name for m in migrations.applied(ctx.store.db)]
        assert applied == known_migration_names()
        old = ctx.queue.show("000.31.14.H14-261120-2001")
        assert old.applicant.full_name == "Nguyễn Văn An"
        assert [e.status for e in old.history] == ["received"]
        assert [r["code"] for r in ctx.queue.search("nguyen van an")] == ["000.31.14.H14-261120-2001"]
        # The desk keeps numbering after the old dossier, never reusing its code.
        new = ctx.intake.intake(
            {
                "procedure_code": old.procedure_code,
                "applicant": {"full_name": "Lương Thị Đạt"},
                "documents": [{"name": "Tờ khai", "kind": "original", "count": 1}],
                "received_at": "2026-11-20T11:00:00+07:00",  # taken on paper that day
            }
        )
        assert new.code == "000.31.14.H14-261120-2002"
    finally:
        ctx.close()


def test_there_is_a_fixture_for_the_current_release():
    from desk_app import __version__

    assert (FIXTURES / f"desk-{__version__}.sqlite3").exists()

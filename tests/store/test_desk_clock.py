"""A desk whose clock ran a year ahead is not locked for a year: the province's time
at the next sync shows the dossier was stamped in the future, or a supervisor declares "the
clock was wrong" (audited); codes never repeat; a jump of the clock shows in the status."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from desk_app.domain.calendar import VN_TZ
from desk_app.domain.errors import AuthError, ForbiddenError, ValidationError
from desk_app.services.sync_round import note_contact
from desk_app.store.sync_store import SyncStore
from tests.accounts.conftest import PASSWORDS, staffed  # noqa: F401  (fixture)
from tests.conftest import desk_cli

TODAY = datetime(2026, 11, 18, 9, 30, tzinfo=VN_TZ)
A_YEAR_AHEAD = datetime(2027, 11, 18, 9, 30, tzinfo=VN_TZ)


def contact(desk, skew_seconds: float) -> None:
    """What a sync round or a status ping records when the province answers."""
    note_contact(SyncStore(desk.store.db), {"clock_skew": skew_seconds}, desk.clock().isoformat())


def take_one_a_year_ahead(desk, intake_json) -> str:
    desk.clock.moment = A_YEAR_AHEAD
    code = desk.intake.intake(intake_json).code
    assert code == "000.31.14.H14-271118-3001"
    desk.clock.moment = TODAY + timedelta(hours=1)  # the clock is corrected
    return code


def test_a_sync_after_the_correction_unlocks_intake_by_itself(desk, intake_json):
    take_one_a_year_ahead(desk, intake_json)
    with pytest.raises(ValidationError, match="chậm hơn hồ sơ đã lưu gần nhất"):
        desk.intake.intake(intake_json)
    contact(desk, 2.0)  # the province answers: this PC's clock is right now
    status = desk.sync.status(ping=False)
    assert "ahead_when_saved" in status["clock_problems"] and status["clock_warning"]
    assert desk.intake.intake(intake_json).code == "000.31.14.H14-261118-3001"
    # When that day really comes, its counter continues: the code of a year ago is not reused.
    desk.clock.moment = A_YEAR_AHEAD + timedelta(hours=1)
    assert desk.intake.intake(intake_json).code == "000.31.14.H14-271118-3002"


def test_a_sync_while_the_clock_is_still_ahead_also_shows_it(desk, intake_json):
    desk.clock.moment = A_YEAR_AHEAD
    desk.intake.intake(intake_json)
    contact(desk, (A_YEAR_AHEAD - TODAY).total_seconds())  # synced before anyone noticed
    desk.clock.moment = TODAY + timedelta(minutes=30)
    assert desk.intake.intake(intake_json).code == "000.31.14.H14-261118-3001"


def test_supervised_recovery_offline(staffed, intake_json):
    desk = staffed
    desk.accounts.login("tiepnhan", PASSWORDS["tiepnhan"])
    take_one_a_year_ahead(desk, intake_json)
    with pytest.raises(ValidationError, match="desk clock-recover"):
        desk.intake.intake(intake_json)
    assert "behind" in desk.sync.status(ping=False)["clock_problems"]
    with pytest.raises(ForbiddenError):
        desk.desk_clock.recover("đồng hồ chạy nhanh một năm")
    desk.accounts.logout()
    with pytest.raises(AuthError):
        desk.desk_clock.recover("đồng hồ chạy nhanh một năm")
    desk.accounts.login("giamsat", PASSWORDS["giamsat"])
    with pytest.raises(ValidationError):
        desk.desk_clock.recover("   ")
    done = desk.desk_clock.recover("đồng hồ chạy nhanh một năm, đã chỉnh lúc 10:30")
    assert done["by"] == "Lý Thị Giám" and done["newest_created_at"].startswith("2027-11-18")
    entry = [e for e in desk.audit.entries() if e["action"] == "clock.recover"]
    assert len(entry) == 1 and "đã chỉnh" in str(entry[0]["after"])
    assert desk.intake.intake(intake_json).code == "000.31.14.H14-261118-3001"
    assert desk.sync.status(ping=False)["clock_problems"] == []
    # After the recovery the corrected clock is checked against the dossiers saved since.
    desk.clock.moment = TODAY - timedelta(hours=2)
    with pytest.raises(ValidationError, match="chậm hơn hồ sơ đã lưu gần nhất"):
        desk.intake.intake(intake_json)


def test_a_jump_between_two_answers_is_warned_at_once(desk, intake_json):
    contact(desk, 1.0)
    assert desk.sync.status(ping=False)["clock_jump"] is None
    # A clock set back behind the province's time at its last answer is refused.
    desk.clock.moment = TODAY - timedelta(hours=3)
    with pytest.raises(ValidationError, match="giờ của tỉnh"):
        desk.intake.intake(intake_json)
    desk.clock.moment = TODAY
    desk.clock.moment += timedelta(minutes=10)
    contact(desk, 1.0 + 6 * 3600)  # someone moved the clock six hours ahead
    status = desk.sync.status(ping=False)
    assert status["clock_warning"] and "jump" in status["clock_problems"]
    assert status["clock_jump"]["seconds"] == pytest.approx(6 * 3600, abs=1)
    contact(desk, 2.0)  # set right again: the warning goes
    assert desk.sync.status(ping=False)["clock_jump"] is None


def test_cli_clock_recover(tmp_path, intake_json):
    import json

    data = tmp_path / "data"
    assert desk_cli("init", "--data", str(data), "--unit-code", "000.31.14.H14", "--desk", "3").returncode == 0
    missing = desk_cli("clock-recover", "--data", str(data))
    assert missing.returncode == 2
    done = desk_cli("clock-recover", "--data", str(data), "--note", "BIOS về năm 2027, đã chỉnh")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["note"] == "BIOS về năm 2027, đã chỉnh"

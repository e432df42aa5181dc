"""Working days as the government sets them: make-up Saturdays, official swaps shipped as data,
province days from the change feed, and the desk's own override winning over both."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from desk_app.domain.calendar import OFF, VN_TZ, WORK, WorkCalendar

# The official 2025 and 2026 schedules for civil servants (days off on weekdays, make-up
# Saturdays), as the government announced them: Tết 2025 25/1-2/2, 30/4-1/5 2025 with Friday 2/5
# swapped for Saturday 26/4; 2/9 2025 on 1-2/9; New Year 2026 1-4/1 with Friday 2/1 swapped for
# Saturday 10/1 (12729/VPCP-KGVX); Tết 2026 14-22/2; Hùng Kings 2026 observed Monday 27/4;
# 2/9 2026 with Monday 31/8 swapped for Saturday 22/8; Culture Day 24/11 from 2026.
WEEKDAYS_OFF = {
    2025: ["2025-01-01", "2025-01-27", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31",
           "2025-04-07", "2025-04-30", "2025-05-01", "2025-05-02", "2025-09-01", "2025-09-02"],
    2026: ["2026-01-01", "2026-01-02", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19",
           "2026-02-20", "2026-04-27", "2026-04-30", "2026-05-01", "2026-08-31", "2026-09-01",
           "2026-09-02", "2026-11-24"],
}
MAKE_UP_SATURDAYS = {2025: ["2025-04-26"], 2026: ["2026-01-10", "2026-08-22"]}


def _days(texts):
    return {date.fromisoformat(t) for t in texts}


def test_official_schedules_2025_and_2026():
    cal = WorkCalendar()
    for year in (2025, 2026):
        off, work = _days(WEEKDAYS_OFF[year]), _days(MAKE_UP_SATURDAYS[year])
        day = date(year, 1, 1)
        while day.year == year:
            expected = (day.weekday() < 5 and day not in off) or day in work
            assert cal.is_working_day(day) is expected, day
            day += timedelta(days=1)


def test_one_working_day_after_friday_before_make_up_saturday():
    # Friday 21/8/2026 + 1 working day is Saturday 22/8 (make-up day), not Monday 24/8.
    received = datetime(2026, 8, 21, 9, 0, tzinfo=VN_TZ)
    assert WorkCalendar().appointment(received, days=1) == datetime(2026, 8, 22, 9, 0, tzinfo=VN_TZ)


def test_new_year_2026_swap_from_shipped_data():
    received = datetime(2025, 12, 31, 9, 0, tzinfo=VN_TZ)
    # 1/1 and 2/1 off, 3-4/1 weekend: the next working day is Monday 5/1.
    assert WorkCalendar().appointment(received, days=1) == datetime(2026, 1, 5, 9, 0, tzinfo=VN_TZ)
    # Without the shipped notice the package alone would have said Friday 2/1.
    assert WorkCalendar(official={}).appointment(received, days=1).date() == date(2026, 1, 2)


def test_layers_desk_over_province_over_official_over_law():
    day = date(2026, 1, 10)  # official make-up Saturday
    assert WorkCalendar().is_working_day(day)
    assert not WorkCalendar(province={day: OFF}).is_working_day(day)
    assert WorkCalendar(province={day: OFF}, overrides={day: WORK}).is_working_day(day)
    listed = {d.day: d for d in WorkCalendar(province={day: OFF}).special_days(2026)}
    assert listed[day].source == "province" and listed[day].kind == OFF
    assert listed[date(2026, 8, 22)].source == "law" and listed[date(2026, 8, 22)].kind == WORK


@settings(max_examples=300, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 20)),
    days=st.integers(min_value=0, max_value=30),
)
def test_appointment_is_never_on_a_day_off_nor_too_early(start, days):
    cal = WorkCalendar()
    received = start.replace(tzinfo=VN_TZ)
    due = cal.appointment(received, days=days)
    assert cal.is_working_day(due.date())
    assert due >= received
    # At least `days` working days strictly after the day counting starts.
    begin = cal.effective_start(received).date()
    working_between = sum(
        1 for n in range(1, (due.date() - begin).days + 1) if cal.is_working_day(begin + timedelta(days=n))
    )
    assert working_between >= days


def test_cli_lists_days_with_their_source(desk):
    from desk_app.store.sync_store import SyncStore

    days = {d["day"]: d for d in desk.setup.calendar_year(2026)}
    assert days["2026-01-02"]["source"] == "official" and "12729/VPCP-KGVX" in days["2026-01-02"]["reference"]
    assert days["2026-08-22"] == {**days["2026-08-22"], "kind": "work", "source": "law"}
    # A province day arrives through the feed; the desk's own choice for the same day wins.
    feed = [
        {"kind": "calendar.override", "payload": {"day": "2026-12-31", "kind": "off", "note": "Tỉnh cho nghỉ"}},
        {"kind": "calendar.override", "payload": {"day": "2026-01-10", "kind": "off"}},
        {"kind": "calendar.override", "payload": {"day": "not a day", "kind": "off"}},
    ]
    counts = SyncStore(desk.store.db).apply_changes(feed, 3, "2026-11-18T09:30:00+07:00")
    assert counts["applied"] == 2 and counts["ignored"] == 1
    desk.setup.set_day(date(2026, 1, 10), WORK, "Bàn vẫn làm")
    days = {d["day"]: d for d in desk.setup.calendar_year(2026)}
    assert days["2026-12-31"]["source"] == "province" and days["2026-12-31"]["name"] == "Tỉnh cho nghỉ"
    assert days["2026-01-10"]["source"] == "desk" and days["2026-01-10"]["kind"] == "work"
    assert desk.setup.calendar().is_working_day(date(2026, 1, 10))
    assert not desk.setup.calendar().is_working_day(date(2026, 12, 31))


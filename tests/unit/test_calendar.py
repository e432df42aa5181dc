"""Working days and appointments: the domain doc's worked examples, same-day rule, overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from desk_app.domain.calendar import OFF, VN_TZ, WORK, WorkCalendar, WorkingHours
from desk_app.domain.errors import ValidationError


def at(y, m, d, hh=9, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=VN_TZ)


def test_tet_2026_worked_example():
    due = WorkCalendar().appointment(at(2026, 2, 13, 9, 0), days=5)  # Friday before Tết
    assert due == at(2026, 2, 27, 9, 0)


def test_hung_kings_and_may_day_worked_example():
    assert WorkCalendar().appointment(at(2026, 4, 24, 10, 15), days=3) == at(2026, 5, 4, 10, 15)


def test_weekend_and_holidays_are_off():
    cal = WorkCalendar()
    assert not cal.is_working_day(date(2026, 2, 17))  # Tết
    assert not cal.is_working_day(date(2026, 9, 2))
    assert not cal.is_working_day(date(2026, 11, 24))  # Vietnamese Culture Day from 2026
    assert not cal.is_working_day(date(2026, 11, 21))  # Saturday
    assert cal.is_working_day(date(2026, 11, 23))


def test_same_day_before_cutoff_is_due_today():
    assert WorkCalendar().appointment(at(2026, 11, 18, 14, 59), days=0) == at(2026, 11, 18, 17, 0)


def test_same_day_after_cutoff_is_due_next_working_day():
    # Friday 15:01 -> Monday; Monday 23/11 is a working day, Tuesday 24/11 a holiday.
    assert WorkCalendar().appointment(at(2026, 11, 20, 15, 1), days=0) == at(2026, 11, 23, 17, 0)
    assert WorkCalendar().appointment(at(2026, 11, 23, 15, 0), days=0) == at(2026, 11, 25, 17, 0)


def test_same_day_with_working_hours():
    cal = WorkCalendar()
    assert cal.appointment(at(2026, 11, 18, 8, 0), days=0, hours=2) == at(2026, 11, 18, 10, 0)
    # 3 working hours from 10:30: 1 h before lunch, 2 h after it.
    assert cal.appointment(at(2026, 11, 18, 10, 30), days=0, hours=3) == at(2026, 11, 18, 15, 30)
    # received during lunch: counting starts at 13:30
    assert cal.appointment(at(2026, 11, 18, 12, 0), days=0, hours=1) == at(2026, 11, 18, 14, 30)
    # received on a Sunday: due Monday
    assert cal.appointment(at(2026, 11, 22, 10, 0), days=0, hours=2) == at(2026, 11, 23, 9, 30)


def test_received_after_hours_counts_from_next_morning():
    # Wednesday 18:00 + 1 working day -> counting starts Thursday 07:30 -> due Friday 07:30
    assert WorkCalendar().appointment(at(2026, 11, 18, 18, 0), days=1) == at(2026, 11, 20, 7, 30)


def test_override_extra_day_off():
    cal = WorkCalendar(overrides={date(2026, 11, 19): OFF})
    assert cal.appointment(at(2026, 11, 18, 9, 0), days=1) == at(2026, 11, 20, 9, 0)


def test_override_make_up_working_saturday():
    # Government make-up Saturday: counts as a working day.
    cal = WorkCalendar(overrides={date(2026, 11, 21): WORK})
    assert cal.is_working_day(date(2026, 11, 21))
    assert cal.appointment(at(2026, 11, 20, 9, 0), days=1) == at(2026, 11, 21, 9, 0)
    # A holiday can also be turned into a working day.
    assert WorkCalendar(overrides={date(2026, 11, 24): WORK}).is_working_day(date(2026, 11, 24))


def test_custom_working_hours_and_cutoff():
    hours = WorkingHours.from_dict({"afternoon_end": "16:30", "same_day_cutoff": "14:00"})
    cal = WorkCalendar(hours=hours)
    assert cal.appointment(at(2026, 11, 18, 14, 30), days=0) == at(2026, 11, 19, 16, 30)
    assert hours.as_dict()["afternoon_end"] == "16:30"


@pytest.mark.parametrize("data", [{"morning_start": "25:00"}, {"morning_end": "14:00"}])
def test_bad_working_hours(data):
    with pytest.raises(ValidationError):
        WorkingHours.from_dict(data)


def test_negative_days_refused():
    with pytest.raises(ValidationError):
        WorkCalendar().appointment(at(2026, 11, 18), days=-1)


def test_other_timezone_input_is_converted():
    moment = datetime(2026, 2, 13, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam
    assert WorkCalendar().appointment(moment, days=5) == at(2026, 2, 27, 9, 0)

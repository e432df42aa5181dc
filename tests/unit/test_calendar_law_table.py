"""The law calendar shipped with the app (resources/calendar/law_vn.json) says exactly what the
installed ``holidays`` package computes, year by year; the calendar reads it without importing
the package."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

from desk_app.domain import calendar
from desk_app.domain.calendar import WorkCalendar, compute_law_days


def test_every_shipped_year_equals_the_package():
    shipped = calendar._shipped_law_days()
    assert set(shipped) == set(range(2015, 2046))
    for year, days in shipped.items():
        # After upgrading holidays: python -m desk_app.domain.calendar_law_table
        assert days == compute_law_days(year), year


def test_a_year_outside_the_table_is_computed():
    calendar._law_days.cache_clear()
    assert calendar._law_days(2050) == compute_law_days(2050)
    assert date(2050, 9, 2) in calendar._law_days(2050)


def test_working_days_need_no_holidays_import():
    code = (
        "import sys\n"
        "from datetime import date\n"
        "from desk_app.domain.calendar import WorkCalendar\n"
        "cal = WorkCalendar()\n"
        "assert not cal.is_working_day(date(2026, 2, 17))  # Tết\n"
        "assert cal.add_working_days(date(2026, 4, 24), 1) == date(2026, 4, 28)  # Hùng Kings' day on Monday 27\n"
        "print('holidays' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
    assert not WorkCalendar().is_working_day(date(2026, 4, 27))

"""The one home of date/time formats: Vietnamese order, Vietnam time, lenient with damaged text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from desk_app.domain.codes import code_day, dossier_code
from desk_app.domain.formats import (
    clock_time,
    file_day,
    file_stamp,
    iso_date_shown,
    short_time,
    vn_date,
    vn_datetime,
)


def test_moments_show_in_vietnam_time_time_before_date() -> None:
    moment = datetime(2026, 11, 18, 2, 30, 5, tzinfo=UTC)  # 09:30 in Vietnam
    assert vn_datetime(moment) == "09:30 18/11/2026"
    assert clock_time(moment) == "09:30:05"
    # late evening UTC is already the next day at the desk
    assert vn_date(datetime(2026, 11, 18, 20, 0, tzinfo=UTC)) == "19/11/2026"
    assert vn_date(date(1999, 5, 20)) == "20/05/1999"


def test_naive_moments_are_taken_as_vietnam_time() -> None:
    assert vn_datetime(datetime(2026, 1, 2, 7, 5)) == "07:05 02/01/2026"
    assert clock_time(datetime(2026, 1, 2, 7, 5, 9)) == "07:05:09"


def test_stored_iso_text() -> None:
    assert short_time("2026-11-18T09:30:00+07:00") == "09:30 18/11/2026"
    assert short_time("2026-11-18T02:30:00+00:00") == "09:30 18/11/2026"
    assert short_time("") == "" and short_time(None) == ""
    assert short_time("hỏng") == "hỏng"  # a damaged record still shows something
    assert iso_date_shown("1999-05-20") == "20/05/1999"
    assert iso_date_shown("2026-11-18T09:30:00+07:00") == "18/11/2026"
    assert iso_date_shown(None) == ""


def test_file_names_sort_in_time_order() -> None:
    early, late = datetime(2026, 9, 30, 23, 59, 59), datetime(2026, 10, 1, 0, 0, 0)
    assert file_stamp(early) == "20260930-235959" and file_stamp(early) < file_stamp(late)
    assert file_day(date(2026, 12, 1)) == "20261201"


def test_code_day_is_the_day_in_the_dossier_code() -> None:
    day = date(2026, 11, 18)
    assert code_day(day) == "261118"
    assert dossier_code("000.00.00.H01", day, 1, 7).split("-")[1] == code_day(day)
    assert code_day(day + timedelta(days=44)) == "270101"

"""Overdue means the office still owes the result: a dossier with its result ready (or returned,
refused, withdrawn) is never overdue, in the queue view, the supervisor's summary or the
dossier; lateness is counted in working days by the desk's calendar."""

from __future__ import annotations

from datetime import date, datetime

from desk_app.domain.calendar import VN_TZ, WorkCalendar
from desk_app.domain.lateness import LatenessCounter


def test_days_late_count_working_days_only():
    due = datetime(2026, 11, 19, 9, 30, tzinfo=VN_TZ)  # Thursday
    late = LatenessCounter(WorkCalendar(), datetime(2026, 11, 23, 10, 0, tzinfo=VN_TZ))  # next Monday
    assert late.days_late("processing", due) == 2  # Friday and Monday, not the weekend
    assert late.days_late("result_ready", due) is None
    assert late.days_late("returned", due) is None
    assert LatenessCounter(WorkCalendar(), datetime(2026, 11, 19, 11, 0, tzinfo=VN_TZ)).days_late("received", due) == 0
    assert LatenessCounter(WorkCalendar(), datetime(2026, 11, 19, 9, 0, tzinfo=VN_TZ)).days_late("received", due) is None
    # The desk's extra day off is not counted.
    off = WorkCalendar(overrides={date(2026, 11, 20): "off"})
    assert LatenessCounter(off, datetime(2026, 11, 23, 10, 0, tzinfo=VN_TZ)).days_late("received", due) == 1


def test_result_ready_is_not_overdue_anywhere(desk, clock, intake_json):
    codes = [desk.intake.intake(intake_json).code for _ in range(3)]
    desk.queue.set_status(codes[1], "result_ready")
    desk.queue.set_status(codes[2], "withdrawn", note="Công dân rút")
    # Appointments at 17:00 the same Wednesday; now the next Monday: Thursday, Friday, Monday late.
    clock.moment = datetime(2026, 11, 23, 10, 0, tzinfo=VN_TZ)
    summary = desk.queue.summary()
    assert summary["overdue"] == 1
    flt = desk.queue.make_filter(view="overdue")
    assert [row["code"] for row in desk.queue.page(flt)] == [codes[0]]
    assert desk.queue.show(codes[0]).days_late == 3
    assert desk.queue.show(codes[1]).days_late is None
    rows = {row["code"]: row["days_late"] for row in desk.queue.page(desk.queue.make_filter(view="all"))}
    assert rows == {codes[0]: 3, codes[1]: None, codes[2]: None}
    assert [r["days_late"] for r in desk.queue.search("", view="overdue")] == [3]
    # The desk marks Friday as a day off: two working days late.
    desk.setup.set_day(date(2026, 11, 20), "off", "Nghỉ bù")
    assert desk.queue.show(codes[0]).days_late == 2

"""Working-day calendar and appointment dates.

Working days skip Saturdays, Sundays and Vietnamese public holidays (the ``holidays`` package
computes lunar Tết and Hùng Kings' day), corrected by an editable override table: each year the
government decides extra days off and make-up working Saturdays, so the desk needs both.

All times are Vietnam local time (UTC+07:00, no daylight saving). We use a fixed offset rather
than a tz database so Windows PCs without tzdata behave the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

import holidays

from desk_app.domain.errors import ValidationError

VN_TZ = timezone(timedelta(hours=7), "ICT")
OFF = "off"
WORK = "work"


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.VN(years=year).keys())


@dataclass(frozen=True)
class WorkingHours:
    """Office sessions of the desk; defaults are the common commune schedule."""

    morning_start: time = time(7, 30)
    morning_end: time = time(11, 30)
    afternoon_start: time = time(13, 30)
    afternoon_end: time = time(17, 0)
    same_day_cutoff: time = time(15, 0)

    def sessions(self) -> tuple[tuple[time, time], ...]:
        return ((self.morning_start, self.morning_end), (self.afternoon_start, self.afternoon_end))

    def as_dict(self) -> dict[str, str]:
        return {k: getattr(self, k).strftime("%H:%M") for k in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> "WorkingHours":
        values = {}
        for key in cls.__dataclass_fields__:
            if key in data and data[key]:
                try:
                    values[key] = time.fromisoformat(data[key])
                except ValueError:
                    raise ValidationError(
                        "Giờ làm việc không hợp lệ: {value}.", field=key, value=data[key]
                    ) from None
        hours = cls(**values)
        if not (hours.morning_start < hours.morning_end <= hours.afternoon_start < hours.afternoon_end):
            raise ValidationError("Giờ làm việc buổi sáng và buổi chiều không hợp lệ.", field="hours")
        return hours


@dataclass
class WorkCalendar:
    """Which days are working days, and how to count working time forward."""

    overrides: dict[date, str] = field(default_factory=dict)
    hours: WorkingHours = field(default_factory=WorkingHours)

    def is_working_day(self, day: date) -> bool:
        override = self.overrides.get(day)
        if override == WORK:
            return True
        if override == OFF:
            return False
        return day.weekday() < 5 and day not in _public_holidays(day.year)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        for _ in range(400):  # a year of days off would be a configuration error
            day += timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ValidationError("Lịch làm việc không có ngày làm việc nào trong một năm.")

    def add_working_days(self, day: date, count: int) -> date:
        for _ in range(count):
            day = self.next_working_day(day)
        return day

    def _at(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, VN_TZ)

    def effective_start(self, moment: datetime) -> datetime:
        """When counting starts: the moment itself inside office hours on a working day,
        else the next opening (after lunch, next morning, next working day)."""
        local = moment.astimezone(VN_TZ)
        day, clock = local.date(), local.timetz().replace(tzinfo=None)
        if self.is_working_day(day):
            for start, end in self.hours.sessions():
                if clock < start:
                    return self._at(day, start)
                if start <= clock < end:
                    return local.replace(second=0, microsecond=0)
        return self._at(self.next_working_day(day), self.hours.morning_start)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        remaining = timedelta(hours=hours)
        current = self.effective_start(start)
        while True:
            day = current.date()
            for s_start, s_end in self.hours.sessions():
                session_end = self._at(day, s_end)
                session_start = self._at(day, s_start)
                if current >= session_end:
                    continue
                current = max(current, session_start)
                available = session_end - current
                if remaining <= available:
                    return current + remaining
                remaining -= available
                current = session_end
            current = self._at(self.next_working_day(day), self.hours.morning_start)

    def appointment(
        self, received_at: datetime, *, days: int, hours: float | None = None
    ) -> datetime:
        """The return appointment for a procedure of ``days`` working days
        (0 = same day, optionally limited to ``hours`` working hours).

        Same-day procedures received after the cut-off (15:00) are due the next working day.
        Multi-day procedures are due at the same clock time on the N-th working day after the
        (effective) day of receipt.
        """
        if days < 0 or (hours is not None and hours < 0):
            raise ValidationError("Thời hạn giải quyết không hợp lệ.", field="processing_days")
        start = self.effective_start(received_at)
        if days == 0:
            received_local = received_at.astimezone(VN_TZ)
            late = (
                start.date() == received_local.date()
                and start.timetz().replace(tzinfo=None) >= self.hours.same_day_cutoff
            )
            if late:
                start = self._at(self.next_working_day(start.date()), self.hours.morning_start)
            closing = self._at(start.date(), self.hours.afternoon_end)
            if hours:
                return min(self.add_working_hours(start, hours), closing)
            return closing
        due_day = self.add_working_days(start.date(), days)
        return self._at(due_day, start.timetz().replace(tzinfo=None))


def now_vn() -> datetime:
    return datetime.now(VN_TZ).replace(microsecond=0)

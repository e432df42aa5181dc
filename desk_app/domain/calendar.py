"""Working-day calendar and appointment dates.

Working days skip Saturdays, Sundays and Vietnamese public holidays (the ``holidays`` package
computes lunar Tết and Hùng Kings' day, and lists the make-up working Saturdays the government swaps
for bridge days). Each year the government decides more swaps by notice, so four layers decide a
day, the first that speaks wins (docs/calendar.md):

1. the desk's own override table (``overrides``),
2. days the province published through the change feed (``province``),
3. official swaps shipped with the app as dated data with their source
   (``desk_app/resources/calendar/official_vn.json``),
4. the law: weekends, public holidays and make-up Saturdays from ``holidays``.

All times are Vietnam local time (UTC+07:00, no daylight saving). We use a fixed offset rather
than a tz database so Windows PCs without tzdata behave the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Any

from desk_app.domain.errors import ValidationError

VN_TZ = timezone(timedelta(hours=7), "ICT")
OFF = "off"
WORK = "work"

# Where a day's status comes from, in the order that decides it.
SOURCE_DESK = "desk"
SOURCE_PROVINCE = "province"
SOURCE_OFFICIAL = "official"
SOURCE_LAW = "law"


@dataclass(frozen=True)
class CalendarDay:
    """One day that is not an ordinary weekday/weekend: a day off or a make-up working day."""

    day: date
    kind: str  # OFF or WORK
    name: str
    source: str  # SOURCE_*
    reference: str = ""  # the notice or table it comes from

    def as_dict(self) -> dict[str, str]:
        return {
            "day": self.day.isoformat(),
            "kind": self.kind,
            "name": self.name,
            "source": self.source,
            "reference": self.reference,
        }


LAW_TABLE = "law_vn.json"  # in desk_app/resources/calendar/, written by domain/calendar_law_table.py


@lru_cache(maxsize=64)
def _law_days(year: int) -> dict[date, tuple[str, str]]:
    """The year's public holidays (OFF) and make-up Saturdays (WORK) by law.

    Read from the table shipped with the app (``holidays``' answers for the years around
    now, checked against the package by tests/unit/test_calendar_law_table.py); other years are
    computed by ``holidays`` on first use. Importing and asking the package costs ~130 ms, which
    the first appointment date or queue page would otherwise wait for."""
    days = _shipped_law_days().get(year)
    return days if days is not None else compute_law_days(year)


def compute_law_days(year: int) -> dict[date, tuple[str, str]]:
    import holidays

    table = holidays.country_holidays("VN", years=year, language="vi")
    days: dict[date, tuple[str, str]] = {day: (OFF, str(name)) for day, name in table.items()}
    for day in getattr(table, "weekend_workdays", ()):
        if day.year == year:
            days[day] = (WORK, "Ngày làm việc bù")
    return days


def _calendar_file(name: str) -> Any:
    """A JSON file shipped in desk_app/resources/calendar/."""
    from desk_app.paths import resources_dir

    return json.loads((resources_dir() / "calendar" / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _shipped_law_days() -> dict[int, dict[date, tuple[str, str]]]:
    try:
        return {
            int(year): {date.fromisoformat(item["day"]): (item["kind"], item["name"]) for item in items}
            for year, items in _calendar_file(LAW_TABLE)["years"].items()
        }
    except (OSError, ValueError, KeyError, TypeError):  # a damaged install: the package still knows
        return {}


@lru_cache(maxsize=1)
def _official_days() -> dict[date, tuple[str, str, str]]:
    """Swaps shipped with the app (kind, name, source notice)."""
    data = _calendar_file("official_vn.json")
    return {
        date.fromisoformat(item["day"]): (item["kind"], item.get("name", ""), item.get("source", ""))
        for item in data.get("days", [])
        if item.get("kind") in (OFF, WORK)
    }


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
    def from_dict(cls, data: dict[str, str]) -> WorkingHours:
        values = {}
        for key in cls.__dataclass_fields__:
            if key in data and data[key]:
                try:
                    values[key] = time.fromisoformat(data[key])
                except ValueError as exc:
                    raise ValidationError(
                        "Giờ làm việc không hợp lệ: {value}.", field=key, value=data[key]
                    ) from exc
        hours = cls(**values)
        if not (hours.morning_start < hours.morning_end <= hours.afternoon_start < hours.afternoon_end):
            raise ValidationError("Giờ làm việc buổi sáng và buổi chiều không hợp lệ.", field="hours")
        return hours


@dataclass
class WorkCalendar:
    """Which days are working days, and how to count working time forward."""

    overrides: dict[date, str] = field(default_factory=dict)  # the desk's own: wins over all
    hours: WorkingHours = field(default_factory=WorkingHours)
    province: dict[date, str] = field(default_factory=dict)  # published through the change feed
    official: dict[date, tuple[str, str, str]] | None = None  # None: the days shipped with the app

    def _official(self) -> dict[date, tuple[str, str, str]]:
        return _official_days() if self.official is None else self.official

    def is_working_day(self, day: date) -> bool:
        for layer in (self.overrides, self.province):
            kind = layer.get(day)
            if kind in (OFF, WORK):
                return kind == WORK
        official = self._official().get(day)
        if official is not None:
            return official[0] == WORK
        law = _law_days(day.year).get(day)
        if law is not None:
            return law[0] == WORK
        return day.weekday() < 5

    def special_days(self, year: int, *, notes: dict[date, str] | None = None) -> list[CalendarDay]:
        """Every day of ``year`` that differs from the plain weekday/weekend rule or that some
        layer names, with the layer that decides it (what ``desk calendar --list`` prints)."""
        notes = notes or {}
        found: dict[date, CalendarDay] = {}
        for day, (kind, name) in _law_days(year).items():
            found[day] = CalendarDay(day, kind, name, SOURCE_LAW, "holidays")
        for day, (kind, name, source) in self._official().items():
            if day.year == year:
                found[day] = CalendarDay(day, kind, name, SOURCE_OFFICIAL, source)
        for source, layer in ((SOURCE_PROVINCE, self.province), (SOURCE_DESK, self.overrides)):
            for day, kind in layer.items():
                if day.year == year and kind in (OFF, WORK):
                    found[day] = CalendarDay(day, kind, notes.get(day, ""), source)
        return [found[day] for day in sorted(found)]

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

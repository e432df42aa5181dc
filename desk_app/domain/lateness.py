"""How late a dossier is: only one still awaiting its result can be late, and lateness is
counted in working days (the legal deadlines are in working days), by the desk's calendar.

"Late by 0 working days" means the appointment passed earlier today (or on a day off since):
it is said as "trễ hạn hôm nay", never hidden.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from desk_app.domain.calendar import VN_TZ, WorkCalendar
from desk_app.domain.dossier import AWAITING_RESULT

# A dossier years overdue still shows a number, without counting every day since.
MAX_COUNTED_DAYS = 3660


class LatenessCounter:
    """Working days late for many dossiers against one clock (a queue page shares few
    appointment days, so each day's count is computed once)."""

    def __init__(self, calendar: WorkCalendar, now: datetime):
        self.calendar = calendar
        self.now = now.astimezone(VN_TZ)
        self._by_day: dict[date, int] = {}

    def days_late(self, status: str, appointment_at: str | datetime) -> int | None:
        """None when not late (result ready, returned, refused, withdrawn, or not yet due)."""
        if status not in AWAITING_RESULT:
            return None
        due = appointment_at if isinstance(appointment_at, datetime) else datetime.fromisoformat(appointment_at)
        due = due.astimezone(VN_TZ)
        if self.now <= due:
            return None
        day = due.date()
        if day not in self._by_day:
            today = self.now.date()
            count, current = 0, day + timedelta(days=1)
            stop = min(today, day + timedelta(days=MAX_COUNTED_DAYS))
            while current <= stop:
                count += self.calendar.is_working_day(current)
                current += timedelta(days=1)
            self._by_day[day] = count
        return self._by_day[day]

"""How the desk writes dates and times: the one home of the format strings.

People read dates the Vietnamese way in both languages: dd/mm/yyyy, a 24-hour clock, the time
before the date ("09:30 18/11/2026") as on the forms printed at the desk, which receptionists copy.
Every moment is shown in Vietnam time (``VN_TZ``); a naive moment is taken as Vietnam time already.
File names use sortable stamps (year first) so a folder listing is in time order.
"""

from __future__ import annotations

from datetime import date, datetime

from desk_app.domain.calendar import VN_TZ

DATE = "%d/%m/%Y"
TIME = "%H:%M"
CLOCK = "%H:%M:%S"
DATETIME = f"{TIME} {DATE}"
FILE_DAY = "%Y%m%d"
FILE_STAMP = "%Y%m%d-%H%M%S"

# The same orders in Qt's pattern language, for QDateEdit / QDateTimeEdit display formats.
QT_DATE = "dd/MM/yyyy"
QT_DATETIME = "HH:mm dd/MM/yyyy"


def vn_local(moment: datetime) -> datetime:
    """``moment`` in Vietnam time; a naive moment is already Vietnam time."""
    return moment.astimezone(VN_TZ) if moment.tzinfo is not None else moment


def vn_date(day: date) -> str:
    """date(1999, 5, 20) -> '20/05/1999' (a datetime gives its Vietnam-time day)."""
    if isinstance(day, datetime):
        day = vn_local(day)
    return day.strftime(DATE)


def vn_datetime(moment: datetime) -> str:
    """A moment -> '09:30 18/11/2026' in Vietnam time."""
    return vn_local(moment).strftime(DATETIME)


def clock_time(moment: datetime) -> str:
    """A moment -> '09:30:05' in Vietnam time (a retry or unlock later today)."""
    return vn_local(moment).strftime(CLOCK)


def short_time(iso: str | None) -> str:
    """A stored ISO time -> '09:30 18/11/2026'; '' for none; text that is not an ISO time is
    shown as it is (a damaged record still says something rather than failing the view)."""
    if not iso:
        return ""
    try:
        return vn_datetime(datetime.fromisoformat(iso))
    except ValueError:
        return iso


def iso_date_shown(iso: str | None) -> str:
    """A stored ISO date (or the date part of an ISO time) -> '20/05/1999'; '' for none."""
    if not iso:
        return ""
    return date.fromisoformat(iso[:10]).strftime(DATE)


def file_day(day: date) -> str:
    """date(2026, 12, 1) -> '20261201', for file names."""
    return day.strftime(FILE_DAY)


def file_stamp(moment: datetime) -> str:
    """A moment -> '20261201-135936', for file and folder names (sorts in time order)."""
    return moment.strftime(FILE_STAMP)

"""How the UI shows and reads dates, times and coded values. Pure functions, no Qt.

Dates are shown the Vietnamese way (dd/mm/yyyy, 24-hour clock) in both languages: the forms
printed at the desk use that order and receptionists type it.
"""

from __future__ import annotations

import re
from datetime import date

from desk_app.domain.dossier import DOCUMENT_KINDS, RETURN_CHANNELS, STATUS_LABELS
from desk_app.domain.errors import ValidationError
from desk_app.domain.formats import iso_date_shown, short_time
from desk_app.i18n import Translator

_DATE_PARTS = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})\s*$")


def show_datetime(iso: str | None) -> str:
    """'2026-11-18T09:30:00+07:00' -> '09:30 18/11/2026'."""
    return short_time(iso)


def show_date(iso: str | None) -> str:
    """'1999-05-20' -> '20/05/1999'."""
    return iso_date_shown(iso)


def read_date(text: str, *, field: str) -> str:
    """What a receptionist types ('20/05/1999', '20.5.1999', '20051999') -> ISO date, '' if
    empty."""
    text = (text or "").strip()
    if not text:
        return ""
    match = _DATE_PARTS.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    elif text.isdigit() and len(text) == 8:
        day, month, year = int(text[:2]), int(text[2:4]), int(text[4:])
    else:
        raise ValidationError("Ngày không hợp lệ: {value} (nhập theo dạng ngày/tháng/năm).", field=field, value=text)
    try:
        return date(year, month, day).isoformat()
    except ValueError as exc:
        raise ValidationError("Ngày không hợp lệ: {value} (nhập theo dạng ngày/tháng/năm).", field=field, value=text) from exc


def status_label(tr: Translator, status: str) -> str:
    return tr(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def kind_label(tr: Translator, kind: str) -> str:
    return tr(DOCUMENT_KINDS[kind]) if kind in DOCUMENT_KINDS else kind


def channel_label(tr: Translator, channel: str) -> str:
    return tr(RETURN_CHANNELS[channel]) if channel in RETURN_CHANNELS else channel


def money(amount: int | float | None) -> str:
    """12000 -> '12.000 đ' (Vietnamese thousands separator)."""
    value = int(amount or 0)
    return f"{value:,}".replace(",", ".") + " đ"


def pages_text(tr: Translator, n: int) -> str:
    """'1 trang' / '3 trang': Vietnamese has one form, English needs 'page' / 'pages'."""
    return tr("1 trang") if n == 1 else tr("{n} trang", n=n)


def late_text(tr: Translator, days_late: int | None) -> str:
    """How late a dossier is, in words (never by colour alone); "" when it is not late.
    Counted in working days, as the legal deadlines are (domain/lateness.py)."""
    if days_late is None:
        return ""
    if days_late == 0:
        return tr("Trễ hạn (từ hôm nay)")
    return tr("Trễ hạn {days} ngày làm việc", days=days_late)

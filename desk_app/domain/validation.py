"""Validation of what a receptionist types: ID numbers, dates, phones, emails."""

from __future__ import annotations

import re
from datetime import date, datetime

from desk_app.domain.errors import ValidationError
from desk_app.domain.formats import vn_date
from desk_app.domain.text import fold
from desk_app.i18n import N_

ID_NUMBER_RE = re.compile(r"^\d{12}$")
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
OLD_ID_RE = re.compile(r"^\d{9}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Mobile numbers: 10 digits starting 03/05/07/08/09; landlines 02xx + 7-8 digits (11 digits).
MOBILE_RE = re.compile(r"^0[35789]\d{8}$")
LANDLINE_RE = re.compile(r"^02\d{9}$")


def parse_id_number(value: str, *, birth_date: date | None = None, gender: str | None = None) -> str:
    """A 12-digit citizen ID. The 4th digit encodes gender and century of birth
    (0/1 = 1900s male/female, 2/3 = 2000s, 4/5 = 2100s...), the 5th-6th the birth year.
    When the birth date or gender is known, they must agree with the number.
    """
    value = re.sub(r"[\s.\-]", "", value or "")
    if not ID_NUMBER_RE.match(value):
        raise ValidationError(
            "Số định danh cá nhân phải gồm đúng 12 chữ số (đã nhập: {value}).",
            field="id_number",
            value=value[:20],
        )
    code = int(value[3])
    century = 1900 + (code // 2) * 100
    year = century + int(value[4:6])
    if birth_date is not None and birth_date.year != year:
        raise ValidationError(
            "Số định danh {value} ứng với năm sinh {year}, không khớp ngày sinh {birth}.",
            field="id_number",
            value=value,
            year=year,
            birth=vn_date(birth_date),
        )
    if gender in ("Nam", "Nữ"):
        expected = "Nam" if code % 2 == 0 else "Nữ"
        if expected != gender:
            raise ValidationError(
                "Số định danh {value} ứng với giới tính {expected}, không khớp giới tính đã nhập.",
                field="id_number",
                value=value,
                expected=expected,
            )
    return value


def parse_iso_date(value: str, *, field: str) -> date:
    text = (value or "").strip()
    try:
        # Python 3.11 also reads 20260213 or 2026-W07-5; the CLI contract is YYYY-MM-DD only.
        if not ISO_DATE_RE.match(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError(
            "Ngày không hợp lệ: {value} (định dạng YYYY-MM-DD).", field=field, value=value
        ) from exc


def parse_ddmmyyyy(value: str, *, field: str) -> date:
    value = (value or "").strip()
    try:
        return datetime.strptime(value, "%d%m%Y").date()
    except ValueError as exc:
        raise ValidationError(
            "Ngày không hợp lệ: {value} (định dạng ddmmyyyy).", field=field, value=value
        ) from exc


def check_birth_date(value: date, *, today: date) -> date:
    if value > today:
        raise ValidationError("Ngày sinh không được sau ngày hôm nay.", field="birth_date")
    if value.year < 1900:
        raise ValidationError("Năm sinh không hợp lệ.", field="birth_date")
    return value


def normalize_phone(value: str | None) -> str:
    """Accept spaces, dots, dashes and +84; return the national 0-prefixed form or ''."""
    raw = (value or "").strip()
    if not raw:
        return ""
    digits = re.sub(r"[\s.\-()]", "", raw)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if MOBILE_RE.match(digits) or LANDLINE_RE.match(digits):
        return digits
    raise ValidationError(
        "Số điện thoại không hợp lệ: {value} (di động 10 số bắt đầu bằng 03, 05, 07, 08, 09).",
        field="phone",
        value=raw,
    )


def normalize_email(value: str | None) -> str:
    raw = (value or "").strip()
    if not raw:
        return ""
    if not EMAIL_RE.match(raw):
        raise ValidationError("Địa chỉ email không hợp lệ: {value}.", field="email", value=raw)
    return raw.lower()


def normalize_gender(value: str | None) -> str:
    raw = (value or "").strip()
    folded = fold(raw)
    if folded in ("nam", "male", "m"):
        return "Nam"
    if folded in ("nu", "female", "f"):
        return "Nữ"
    raise ValidationError(
        "Giới tính phải là Nam hoặc Nữ (đã nhập: {value}).", field="gender", value=raw
    )


# What each field is called on the form, so an error names it ("Địa chỉ quá dài ...") rather
# than saying "the value" (a label param is translated by DeskError.translated).
FIELD_LABELS: dict[str, str] = {
    "full_name": N_("Họ tên"),
    "address": N_("Địa chỉ"),
    "notes": N_("Ghi chú"),
    "documents": N_("Tên giấy tờ"),
    "sets": N_("Số bộ"),
    "officer_name": N_("Họ tên cán bộ"),
    "phone": N_("Số điện thoại"),
    "email": N_("Email"),
}


def field_label(field: str) -> str:
    return FIELD_LABELS.get(field, N_("Nội dung"))


def check_length(value: str, *, field: str, maximum: int) -> str:
    if len(value) > maximum:
        raise ValidationError(
            "{label} quá dài ({length} ký tự, tối đa {maximum} ký tự).",
            field=field, label=field_label(field), length=len(value), maximum=maximum,
        )
    return value

"""Dossier codes: ``{unit identifier}-{yymmdd}-{NNNN}``.

Collision-free numbering without any network, for up to 9 desks of one commune:
the sequence of the day is ``{desk digit}{per-desk counter}``. Desk 3's dossiers of a day are
3001, 3002, ... 3999; desk 7's are 7001... The counter is kept per desk and per day in the
local store, so two desks can never produce the same code, and a desk never repeats one.
A desk that takes more than 999 dossiers in one day continues with five digits (31000,
31001, ...): a longer sequence never equals a four-digit one, so uniqueness still holds.
"""

from __future__ import annotations

import re
from datetime import date

from desk_app.domain.errors import ValidationError
from desk_app.i18n import N_

# QCVN 102:2016 style: 000.00.06.H56 (read right to left: province letter code last).
UNIT_QCVN_RE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")
# Decision 20/2020/QĐ-TTg style: H15.50.05.13 (province code first, 2-4 dot groups).
UNIT_QD20_RE = re.compile(r"^[A-Z]\d{2}(?:\.\d{1,3}){1,4}$")
PROCEDURE_CODE_RE = re.compile(r"^\d\.\d{6}(?:\.[0-9A-Z]{2,3}){0,4}$")
# Any dossier code of the province (4-digit sequences; some ministry systems use 6-7 digits),
# not only ours: a slip printed by the provincial system must be recognised too.
DOSSIER_CODE_RE = re.compile(
    r"^(?P<unit>[0-9A-Z.]+)-(?P<day>\d{6})-(?P<seq>\d{4,7})$"
)

MAX_DESKS = 9
MAX_PER_DAY = 9999  # per desk: 999 on four digits, then 1000..9999 on five


def normalize_unit_code(value: str) -> str:
    code = (value or "").strip().upper()
    if UNIT_QCVN_RE.match(code) or UNIT_QD20_RE.match(code):
        return code
    raise ValidationError(
        "Mã định danh đơn vị không hợp lệ: {value} (ví dụ 000.31.14.H14 hoặc H14.52.01).",
        field="unit_code",
        value=value,
    )


# The set-up screen of 0.1 prefilled 000.00.00.H14: all-zero groups name the province's own
# People's Committee (QCVN 102 reads right to left), never a commune's one-stop desk. A desk
# numbering dossiers under it would collide with every other desk that kept the example.
PLACEHOLDER_UNIT_RE = re.compile(r"^000\.00\.00\.[A-Z]\d{2}$")
PLACEHOLDER_MESSAGE = N_(
    "Mã {value} chỉ là mã mẫu (mã của cấp tỉnh), không phải mã định danh của xã/phường: "
    "hãy nhập mã của đơn vị mình (ví dụ 000.31.14.H14 hoặc H14.52.01)."
)


def is_placeholder_unit_code(value: str) -> bool:
    return bool(PLACEHOLDER_UNIT_RE.match((value or "").strip().upper()))


def check_real_unit_code(value: str) -> str:
    """A unit identifier a desk may number dossiers with: well formed and not the example."""
    code = normalize_unit_code(value)
    if is_placeholder_unit_code(code):
        raise ValidationError(PLACEHOLDER_MESSAGE, field="unit_code", value=code)
    return code


def check_desk_number(desk: int) -> int:
    if not isinstance(desk, int) or not 1 <= desk <= MAX_DESKS:
        raise ValidationError(
            "Số bàn tiếp nhận phải từ 1 đến {max} (đã nhập: {value}).",
            field="desk",
            max=MAX_DESKS,
            value=desk,
        )
    return desk


def sequence_for(desk: int, counter: int) -> str:
    """The day's sequence text for the ``counter``-th dossier of ``desk``."""
    check_desk_number(desk)
    if not 1 <= counter <= MAX_PER_DAY:
        raise ValidationError(
            "Bàn {desk} đã dùng hết số thứ tự hồ sơ của ngày.", field="code", desk=desk
        )
    return f"{desk}{counter:03d}" if counter <= 999 else f"{desk}{counter:04d}"


def code_day(day: date) -> str:
    """The day part of a dossier code, date(2026, 11, 18) -> '261118' (also the counter's key)."""
    return day.strftime("%y%m%d")


def dossier_code(unit_code: str, day: date, desk: int, counter: int) -> str:
    return f"{unit_code}-{code_day(day)}-{sequence_for(desk, counter)}"


def parse_dossier_code(code: str) -> dict[str, str] | None:
    """Split a code into unit, day and sequence; None when it is not a dossier code."""
    match = DOSSIER_CODE_RE.match((code or "").strip().upper())
    if not match:
        return None
    unit = match.group("unit")
    if not (UNIT_QCVN_RE.match(unit) or UNIT_QD20_RE.match(unit)):
        return None
    return match.groupdict()


def check_procedure_code(value: str) -> str:
    code = (value or "").strip().upper()
    if not PROCEDURE_CODE_RE.match(code):
        raise ValidationError(
            "Mã thủ tục không đúng định dạng (ví dụ 1.001193.000.00.00.H14): {value}.",
            field="procedure_code",
            value=value,
        )
    return code

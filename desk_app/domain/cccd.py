"""Citizen ID card (CCCD / căn cước) QR payload parsing.

Payload: ``ID|old ID|full name|ddmmyyyy|Nam/Nữ|address|issue ddmmyyyy`` (one UTF-8 line).
Tolerant by design: at least 6 fields, the 7th optional, extra fields ignored, empty old ID
accepted, stray whitespace/BOM/CR/zero-width characters and text typed before the payload
ignored (a keyboard-wedge scanner types into whatever field has focus, maybe after other text,
even after digits already typed into the ID-number field).

Pure functions, any thread.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from desk_app.domain.errors import ValidationError
from desk_app.domain.text import normalize_spaces
from desk_app.domain.validation import normalize_gender, parse_id_number

# The payload starts with the 12-digit ID right before the first '|'. No look-behind: when the
# scan lands after digits already in a field ("0912345678004099001234|..."), the regex search
# still finds the 12 digits that touch the '|'.
_START = re.compile(r"(\d{12})[ \t]*\|")
_NOT_DIGIT = re.compile(r"\D")
# BOM, zero-width spaces/joiners and other format characters some scanners or IMEs emit.
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060\x00"), None)
_OLD_ID = re.compile(r"\d{9}|\d{12}")
MAX_PAYLOAD = 2000  # a real payload is ~150 characters; never parse megabytes typed by mistake


@dataclass(frozen=True)
class CccdData:
    id_number: str
    old_id_number: str
    full_name: str
    birth_date: date
    gender: str
    address: str
    issue_date: date | None

    def as_applicant(self) -> dict[str, str]:
        return {
            "full_name": self.full_name,
            "id_number": self.id_number,
            "birth_date": self.birth_date.isoformat(),
            "gender": self.gender,
            "address": self.address,
        }


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text.translate(_INVISIBLE))


def looks_like_cccd(text: str) -> bool:
    """Cheap check used on every keystroke batch: does this text hold a QR payload?"""
    return bool(text) and text.count("|") >= 5 and _START.search(_clean(text)) is not None


def qr_shaped_span(text: str, *, min_fields: int = 7) -> tuple[int, int] | None:
    """Where text shaped like a card's QR sits in ``text`` (what a field received): from the
    12-digit ID right before a '|' to the end of its line, with ``min_fields`` or more
    '|'-separated fields. None when there is none. In a field, 6 fields are not enough: a scan
    cut short by a stall has not finished typing its issue date yet."""
    if text.count("|") < min_fields - 1:
        return None
    match = _START.search(text[: MAX_PAYLOAD * 2])
    if match is None:
        return None
    start = match.start()
    line = text[start:].split("\n", 1)[0].split("\r", 1)[0]
    if line.count("|") < min_fields - 1:
        return None
    return start, start + len(line)


def _parse_date(raw: str, *, field: str) -> date:
    digits = _NOT_DIGIT.sub("", raw)
    if len(digits) == 8:
        try:
            return date(int(digits[4:]), int(digits[2:4]), int(digits[:2]))
        except ValueError:
            pass
    raise ValidationError(
        "Mã QR căn cước có ngày không hợp lệ: {value}.", field=field, value=raw.strip()[:20]
    )


def parse_cccd_qr(text: str | bytes) -> CccdData:
    """Parse the QR text; raise ValidationError with a Vietnamese message when it is not one.

    Never raises anything else, whatever the input (property-tested).
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if not isinstance(text, str) or not text.strip():
        raise ValidationError("Không đọc được mã QR căn cước.", field="cccd_qr")
    text = _clean(text)
    match = _START.search(text)
    if not match:
        raise ValidationError(
            "Không phải mã QR căn cước: cần bắt đầu bằng số định danh 12 chữ số và dấu |.",
            field="cccd_qr",
        )
    lines = text[match.start():].splitlines()
    body = lines[0][:MAX_PAYLOAD]  # the scanner's Enter ends the payload
    fields = [f.strip() for f in body.split("|")]
    if len(fields) < 6:
        raise ValidationError(
            "Mã QR căn cước thiếu thông tin ({count} trường, cần ít nhất 6).",
            field="cccd_qr",
            count=len(fields),
        )
    id_number, old_id, name, dob_raw, gender_raw, address = fields[:6]
    issue_raw = fields[6] if len(fields) > 6 else ""
    birth = _parse_date(dob_raw, field="birth_date")
    gender = normalize_gender(gender_raw)
    id_number = parse_id_number(id_number, birth_date=birth, gender=gender)
    name = normalize_spaces(name)
    if not name:
        raise ValidationError("Mã QR căn cước không có họ tên.", field="full_name")
    # Old 9-digit CMND, or the 12-digit number of an earlier card; anything else is dropped
    # (informative only, never a reason to refuse the card).
    old_id = old_id if _OLD_ID.fullmatch(old_id) else ""
    issue = None
    if issue_raw:
        try:
            issue = _parse_date(issue_raw, field="issue_date")
        except ValidationError:
            issue = None  # the issue date is informative only; never block intake on it
    return CccdData(
        id_number=id_number,
        old_id_number=old_id,
        full_name=name,
        birth_date=birth,
        gender=gender,
        address=normalize_spaces(address),
        issue_date=issue,
    )

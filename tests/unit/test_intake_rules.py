"""Validation of intake input: ID numbers, dates, phones, documents, statuses."""

from __future__ import annotations

from datetime import date

import pytest

from desk_app.domain.dossier import (
    RECEIVED,
    RESULT_READY,
    RETURNED,
    TRANSITIONS,
    check_transition,
    parse_intake,
)
from desk_app.domain.errors import ValidationError
from desk_app.domain.validation import (
    normalize_email,
    normalize_phone,
    parse_id_number,
    parse_iso_date,
)
from tests.conftest import SAMPLE_QR

TODAY = date(2026, 11, 18)


@pytest.mark.parametrize(
    "raw, expected",
    [("0912345678", "0912345678"), ("0912 345 678", "0912345678"), ("+84 912.345.678", "0912345678"),
     ("84912345678", "0912345678"), ("02063852123", "02063852123"), ("", "")],
)
def test_phones(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "0112345678", "09123456789", "abc", "+1 555 1234"])
def test_bad_phones_have_a_vietnamese_message(raw):
    with pytest.raises(ValidationError) as info:
        normalize_phone(raw)
    assert info.value.field == "phone"
    assert "Số điện thoại không hợp lệ" in str(info.value)


def test_id_numbers():
    assert parse_id_number("004 199 012 345") == "004199012345"
    assert parse_id_number("004199012345", birth_date=date(1999, 5, 20), gender="Nữ") == "004199012345"
    assert parse_id_number("004305012345", birth_date=date(2005, 1, 1), gender="Nữ") == "004305012345"
    for bad in ("00419901234", "0041990123456", "00419901234a", ""):
        with pytest.raises(ValidationError, match="12 chữ số"):
            parse_id_number(bad)
    with pytest.raises(ValidationError, match="năm sinh 1999"):
        parse_id_number("004199012345", birth_date=date(1998, 5, 20))
    with pytest.raises(ValidationError, match="giới tính Nữ"):
        parse_id_number("004199012345", gender="Nam")


def test_dates():
    assert parse_iso_date("1999-05-20", field="birth_date") == date(1999, 5, 20)
    for bad in ("20/05/1999", "19990520", "1999-02-30", "2026-W07-5", ""):
        with pytest.raises(ValidationError, match="YYYY-MM-DD"):
            parse_iso_date(bad, field="birth_date")


def test_email():
    assert normalize_email(" Dao@Example.VN ") == "dao@example.vn"
    with pytest.raises(ValidationError):
        normalize_email("dao@")


def test_parse_intake_full(intake_json):
    request = parse_intake(intake_json, today=TODAY)
    assert request.applicant.full_name == "Nguyễn Thị Đào"
    assert [d.kind for d in request.documents] == ["original", "original"]
    assert request.return_channel == "desk"


def test_qr_fills_the_applicant_and_keeps_contacts():
    request = parse_intake(
        {"procedure_code": "1.001193.000.00.00.H14", "cccd_qr": SAMPLE_QR, "applicant": {"phone": "0912345678"}},
        today=TODAY,
    )
    assert request.applicant.full_name == "Nguyễn Văn An"
    assert request.applicant.birth_date == "1999-08-15"
    assert request.applicant.phone == "0912345678"


@pytest.mark.parametrize(
    "patch, field",
    [
        ({"applicant": {"full_name": ""}}, "full_name"),
        ({"applicant": "Nguyễn Văn An"}, "applicant"),
        ({"applicant": {"full_name": "123"}}, "full_name"),
        ({"applicant": {"full_name": "An", "birth_date": "2027-01-01"}}, "birth_date"),
        ({"applicant": {"full_name": "An", "gender": "X"}}, "gender"),
        ({"procedure_code": ""}, "procedure_code"),
        ({"documents": [{"name": "A", "kind": "scan"}]}, "documents"),
        ({"documents": [{"name": "A", "count": 0}]}, "documents"),
        ({"documents": [{"name": "A", "count": 1.5}]}, "documents"),
        ({"documents": {"name": "A"}}, "documents"),
        ({"sets": "many"}, "sets"),
        ({"sets": True}, "sets"),
        ({"return_channel": "email"}, "return_channel"),
        ({"received_at": "yesterday"}, "received_at"),
        ({"cccd_qr": "not a card"}, "cccd_qr"),
    ],
)
def test_parse_intake_errors(intake_json, patch, field):
    with pytest.raises(ValidationError) as info:
        parse_intake({**intake_json, **patch}, today=TODAY)
    assert info.value.field == field


@pytest.mark.parametrize("name", [SAMPLE_QR, "Nguyễn Văn An|", "Lò Thị 2", "Nguyễn Văn An 004099001234"])
def test_a_name_with_a_bar_or_digits_is_refused_naming_the_field(intake_json, name):
    from desk_app.i18n import Translator

    bad = {**intake_json, "applicant": {**intake_json["applicant"], "full_name": name}}
    with pytest.raises(ValidationError) as info:
        parse_intake(bad, today=TODAY)
    assert info.value.field == "full_name"
    assert str(info.value).startswith("Họ tên không được chứa chữ số hoặc ký tự |")
    assert info.value.translated(Translator("en")).startswith("The full name must not contain digits")


def test_not_an_object():
    with pytest.raises(ValidationError):
        parse_intake(["x"], today=TODAY)


def test_status_transitions():
    check_transition(RECEIVED, RESULT_READY)
    check_transition(RESULT_READY, RETURNED)
    with pytest.raises(ValidationError, match="Không thể chuyển"):
        check_transition(RETURNED, RECEIVED)
    with pytest.raises(ValidationError, match="Trạng thái không hợp lệ"):
        check_transition(RECEIVED, "done")
    assert all(RECEIVED not in allowed for allowed in TRANSITIONS.values())  # nothing goes back to "received"

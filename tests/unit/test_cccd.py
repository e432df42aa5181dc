"""ID-card QR parsing: worked examples from the domain doc and property-based round trips."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from desk_app.domain.cccd import looks_like_cccd, parse_cccd_qr, qr_shaped_span
from desk_app.domain.errors import ValidationError
from tests.conftest import SAMPLE_QR


def test_doc_example():
    card = parse_cccd_qr(SAMPLE_QR)
    assert card.id_number == "004099001234"
    assert card.old_id_number == "123456789"
    assert card.full_name == "Nguyễn Văn An"
    assert card.birth_date == date(1999, 8, 15)
    assert card.gender == "Nam"
    assert card.address == "Tổ 1, Phường Thục Phán, Tỉnh Cao Bằng"
    assert card.issue_date == date(2024, 7, 10)
    assert card.as_applicant()["birth_date"] == "1999-08-15"


@pytest.mark.parametrize(
    "text",
    [
        "004099001234||Nguyễn Văn An|15081999|Nam|Tổ 1, Phường Thục Phán, Tỉnh Cao Bằng|10072024",  # empty old ID
        "004099001234|123456789|Nguyễn Văn An|15081999|Nam|Tổ 1, Phường Thục Phán, Tỉnh Cao Bằng",  # 6 fields
        SAMPLE_QR + "|extra|fields|ignored",
        "\ufeff" + SAMPLE_QR + "\r\n",  # BOM and the scanner's CR LF
        "  004099001234 | 123456789 |  Nguyễn  Văn An |15081999| Nam |Tổ 1, Phường Thục Phán, Tỉnh Cao Bằng |10072024  ",
        "Nguyễn Văn " + SAMPLE_QR,  # typed after text already in the name field
        "0912345678" + SAMPLE_QR,  # typed after digits already in the phone field
        "first line\n" + SAMPLE_QR + "\nnext line",
        SAMPLE_QR.replace("Nguyễn", "Nguye\u0302\u0303n"),  # decomposed (NFD) diacritics
        SAMPLE_QR.encode("utf-8"),
    ],
)
def test_tolerant_variants(text):
    card = parse_cccd_qr(text)
    assert card.id_number == "004099001234"
    assert card.full_name == "Nguyễn Văn An"
    assert card.birth_date == date(1999, 8, 15)
    assert card.gender == "Nam"


def test_empty_old_id_and_bad_issue_date_do_not_block():
    card = parse_cccd_qr("004099001234||Nguyễn Văn An|15081999|Nam|Tổ 1|99999999")
    assert card.old_id_number == ""
    assert card.issue_date is None


@pytest.mark.parametrize(
    "text, field",
    [
        ("", "cccd_qr"),
        ("hello world", "cccd_qr"),
        ("004099001234|123456789|Nguyễn Văn An|15081999|Nam", "cccd_qr"),  # 5 fields
        ("004099001234|123456789|Nguyễn Văn An|31021999|Nam|Tổ 1", "birth_date"),
        ("004099001234|123456789|Nguyễn Văn An|15081999|Khác|Tổ 1", "gender"),
        ("004099001234|123456789||15081999|Nam|Tổ 1", "full_name"),
        ("004099001234|123456789|Nguyễn Văn An|15081998|Nam|Tổ 1", "id_number"),  # year ≠ ID digits
        ("004099001234|123456789|Nguyễn Văn An|15081999|Nữ|Tổ 1", "id_number"),  # gender ≠ ID digit
    ],
)
def test_clear_errors(text, field):
    with pytest.raises(ValidationError) as info:
        parse_cccd_qr(text)
    assert info.value.field == field
    assert info.value.message  # a Vietnamese template for the translator


SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đặng", "Nông", "Lục", "Bế", "Đàm"]
MIDDLES = ["Văn", "Thị", "Đức", "Thu", "Ngọc", ""]
GIVENS = ["An", "Đào", "Đạt", "Hương", "Tuấn", "Lường", "Ánh", "Sầm"]
addresses = st.text(
    alphabet=st.characters(blacklist_characters="|\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029", blacklist_categories=("Cs", "Cc", "Cf")),
    max_size=80,
)


@st.composite
def cards(draw):
    year = draw(st.integers(1900, 2099))
    birth = draw(st.dates(date(year, 1, 1), date(year, 12, 31)))
    gender = draw(st.sampled_from(["Nam", "Nữ"]))
    century_digit = (year // 100 - 19) * 2 + (0 if gender == "Nam" else 1)
    id_number = f"{draw(st.integers(1, 96)):03d}{century_digit}{year % 100:02d}{draw(st.integers(0, 999999)):06d}"
    old = draw(st.sampled_from(["", f"{draw(st.integers(0, 999999999)):09d}"]))
    name = " ".join(p for p in (draw(st.sampled_from(SURNAMES)), draw(st.sampled_from(MIDDLES)), draw(st.sampled_from(GIVENS))) if p)
    address = draw(addresses)
    issue = draw(st.one_of(st.none(), st.dates(date(2016, 1, 1), date(2030, 12, 31))))
    extra = draw(st.lists(st.text(alphabet="abc123 ", max_size=5), max_size=3))
    return id_number, old, name, birth, gender, address, issue, extra


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(cards(), st.sampled_from(["", "\ufeff", "Nguyễn ", "0912345678", "abc\n"]), st.sampled_from(["", "\r", "\r\n", "\n"]))
def test_round_trip(card, prefix, suffix):
    id_number, old, name, birth, gender, address, issue, extra = card
    fields = [id_number, old, name, birth.strftime("%d%m%Y"), gender, address]
    if issue is not None or extra:
        fields.append(issue.strftime("%d%m%Y") if issue else "")
    fields += extra if (issue is not None or extra) else []
    text = prefix + "|".join(fields) + suffix
    assert looks_like_cccd(text)
    parsed = parse_cccd_qr(text)
    assert parsed.id_number == id_number
    assert parsed.old_id_number == old
    assert parsed.full_name == name
    assert parsed.birth_date == birth
    assert parsed.gender == gender
    assert parsed.address == unicodedata.normalize("NFC", " ".join(address.split()))
    assert parsed.issue_date == issue


@settings(max_examples=500)
@given(st.one_of(st.text(), st.text(alphabet="0123456789|Nam Nữ\r\n\ufeff", max_size=120), st.binary(max_size=200)))
@example("000000000000|||||")
@example("004099001234|1|2|00000000|Nam|x")
@example("999999999999|x|y|29022001|nu|z")
def test_garbage_never_crashes(text):
    try:
        parse_cccd_qr(text)
    except ValidationError:
        pass


@pytest.mark.parametrize(
    "text, span",
    [
        (SAMPLE_QR, (0, len(SAMPLE_QR))),
        ("ghi " + SAMPLE_QR, (4, 4 + len(SAMPLE_QR))),
        ("0041" + SAMPLE_QR, (4, 4 + len(SAMPLE_QR))),  # after digits typed into the ID field
        (SAMPLE_QR + "\r\nnext line", (0, len(SAMPLE_QR))),
        (SAMPLE_QR.rsplit("|", 1)[0], None),  # 6 fields: a scan not finished typing
        ("a|b|c|d|e|f|g|h", None),  # bars, but no 12-digit ID before the first
        ("Nguyễn Văn An", None),
        ("", None),
    ],
)
def test_qr_shaped_span_finds_a_card_payload_in_a_field(text, span):
    assert qr_shaped_span(text) == span

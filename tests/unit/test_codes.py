"""Dossier codes: format, both unit-identifier styles, uniqueness across 9 offline desks."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk_app.domain.codes import (
    MAX_PER_DAY,
    check_desk_number,
    check_procedure_code,
    dossier_code,
    normalize_unit_code,
    parse_dossier_code,
    sequence_for,
)
from desk_app.domain.errors import ValidationError


@pytest.mark.parametrize("unit", ["000.31.14.H14", "000.00.06.H56", "H14.52.01", "H15.50.05.13", " h14.52.01 "])
def test_both_unit_styles(unit):
    code = dossier_code(normalize_unit_code(unit), date(2023, 10, 27), 3, 61)
    assert code == f"{unit.strip().upper()}-231027-3061"
    assert parse_dossier_code(code) == {"unit": unit.strip().upper(), "day": "231027", "seq": "3061"}


@pytest.mark.parametrize("unit", ["", "H14", "000.31.14", "ABC.52.01", "000.31.14.H14-1", "000.31.14.14H"])
def test_bad_unit_codes(unit):
    with pytest.raises(ValidationError) as info:
        normalize_unit_code(unit)
    assert info.value.field == "unit_code"


def test_real_example_parses():
    # A provincial system's code (sequence 0361) is recognised too, e.g. on a scanned slip.
    assert parse_dossier_code("000.00.06.H56-231027-0361") == {"unit": "000.00.06.H56", "day": "231027", "seq": "0361"}
    assert parse_dossier_code("000.00.06.H56-231027-361") is None
    assert parse_dossier_code("000.00.06.H56-2310-3361") is None
    assert parse_dossier_code("not a code") is None


@pytest.mark.parametrize("desk", [0, 10, -1, "3"])
def test_desk_numbers(desk):
    with pytest.raises(ValidationError):
        check_desk_number(desk)


def test_sequence_layout_and_overflow():
    assert sequence_for(1, 1) == "1001"
    assert sequence_for(9, 999) == "9999"
    assert sequence_for(3, 1000) == "31000"  # five digits after 999: never equal to a four-digit one
    assert sequence_for(3, MAX_PER_DAY) == "39999"
    with pytest.raises(ValidationError):
        sequence_for(3, MAX_PER_DAY + 1)
    with pytest.raises(ValidationError):
        sequence_for(3, 0)


def test_every_code_of_a_day_is_unique_exhaustively():
    seen = {sequence_for(d, c) for d in range(1, 10) for c in range(1, MAX_PER_DAY + 1)}
    assert len(seen) == 9 * MAX_PER_DAY


@settings(max_examples=200)
@given(
    st.lists(st.tuples(st.integers(1, 9), st.integers(1, MAX_PER_DAY)), min_size=2, max_size=50, unique=True),
    st.dates(date(2025, 7, 1), date(2099, 12, 31)),
)
def test_distinct_desk_counter_pairs_never_share_a_code(pairs, day):
    codes = [dossier_code("000.31.14.H14", day, d, c) for d, c in pairs]
    assert len(set(codes)) == len(codes)
    for (d, c), code in zip(pairs, codes):
        seq = parse_dossier_code(code)["seq"]
        assert seq[0] == str(d) and int(seq[1:]) == c  # the code says which desk made it


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(1, 9), min_size=1, max_size=3000))
def test_nine_desks_numbering_offline(intakes):
    """Each desk keeps only its own counter (no network); the union of their codes is unique."""
    counters: dict[int, int] = {}
    codes = []
    for desk in intakes:
        counters[desk] = counters.get(desk, 0) + 1
        codes.append(dossier_code("H14.52.01", date(2026, 2, 13), desk, counters[desk]))
    assert len(set(codes)) == len(codes)


@pytest.mark.parametrize("code", ["1.000494.000.00.00.H29", "2.000815.000.00.00.H55", "1.001193", "1.001193.000.00.00.h14"])
def test_procedure_codes(code):
    assert check_procedure_code(code) == code.upper()


@pytest.mark.parametrize("code", ["", "1.0494", "x.000494", "1.000494.000.00.00.H29.ZZ.ZZ"])
def test_bad_procedure_codes(code):
    with pytest.raises(ValidationError):
        check_procedure_code(code)

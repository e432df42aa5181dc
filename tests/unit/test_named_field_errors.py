"""Field errors name the field they are about ("Địa chỉ quá dài (tối đa N ký tự)"), in both
languages."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from desk_app.domain.dossier import parse_intake
from desk_app.domain.errors import ValidationError
from desk_app.i18n import Translator

TODAY = date(2026, 11, 18)


def intake(**changes) -> dict:
    base: dict[str, Any] = {"procedure_code": "X", "applicant": {"full_name": "Lò Thị Mai"}, "documents": [{"name": "Tờ khai"}]}
    for key, value in changes.items():
        if key in ("full_name", "address"):
            base["applicant"] = {**base["applicant"], key: value}
        else:
            base[key] = value
    return base


@pytest.mark.parametrize(
    ("changes", "field", "vi", "en"),
    [
        ({"address": "x" * 501}, "address", "Địa chỉ quá dài (501 ký tự, tối đa 500 ký tự).", "Address is too long"),
        ({"full_name": "Lò " * 100}, "full_name", "Họ tên quá dài", "Full name is too long"),
        ({"notes": "n" * 2001}, "notes", "Ghi chú quá dài (2001 ký tự, tối đa 2000 ký tự).", "Notes is too long"),
        ({"sets": 0}, "sets", "Số bộ phải từ 1 đến 99 (đã nhập: 0).", "Sets must be from 1 to 99"),
        ({"sets": "ba"}, "sets", "Số bộ phải là số nguyên (đã nhập: ba).", "Sets must be a whole number"),
        ({"documents": [{"name": "Tờ khai", "count": 1000}]}, "documents", "Số lượng giấy tờ phải từ 1 đến 999",
         "Document count must be from 1 to 999"),
    ],
)
def test_the_message_names_the_field(changes, field, vi, en):
    with pytest.raises(ValidationError) as caught:
        parse_intake(intake(**changes), today=TODAY)
    assert caught.value.field == field
    assert caught.value.translated(Translator("vi")).startswith(vi)
    assert caught.value.translated(Translator("en")).startswith(en)

"""The intake form's checks field by field, before a save: each field at fault, in form order,
with the domain's own rules (the service checks the whole intake again when saving). Pure: the
page passes what its fields hold."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from desk_app.domain import validation as rules
from desk_app.domain.dossier import parse_applicant
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.ui.formatting import read_date

FORM_ORDER = ["full_name", "id_number", "birth_date", "address", "phone", "email", "procedure_code", "documents"]


def field_errors(texts: dict[str, str], *, gender: str | None, procedure_chosen: bool, documents_ticked: bool,
                 today: date) -> list[DeskError]:
    """``texts``: the applicant's fields as typed (full_name, id_number, birth_date as shown,
    address, phone, email)."""
    errors: list[DeskError] = []

    def check(rule: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return rule(*args, **kwargs)
        except DeskError as exc:
            errors.append(exc)
            return None

    check(parse_applicant, {"full_name": texts["full_name"]}, today=today)  # the name rules
    birth_text = check(read_date, texts["birth_date"], field="birth_date")
    birth = None
    if birth_text:
        birth = check(lambda: rules.check_birth_date(rules.parse_iso_date(birth_text, field="birth_date"), today=today))
    if texts["id_number"].strip():
        check(rules.parse_id_number, texts["id_number"], birth_date=birth, gender=gender)
    check(rules.check_length, texts["address"], field="address", maximum=500)
    check(rules.normalize_phone, texts["phone"])
    check(rules.normalize_email, texts["email"])
    if not procedure_chosen:
        errors.append(ValidationError("Chưa chọn thủ tục hành chính.", field="procedure_code"))
    elif not documents_ticked:
        errors.append(ValidationError("Chưa đánh dấu giấy tờ nào đã nhận: hồ sơ chưa được lưu.", field="documents"))
    errors.sort(key=lambda e: FORM_ORDER.index(e.field) if e.field in FORM_ORDER else len(FORM_ORDER))
    return errors

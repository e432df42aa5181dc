"""Rules for correcting a saved dossier and for recording who collected its result.

A dossier may be corrected while it is still at the desk: status ``received``, i.e. taken in
and not yet handed over for processing. Once transferred (or further), the processing office
works on what it was given; a correction then goes through a supplement request (form 02),
not an edit. Only intake fields change, the ones the desk owns in the sync protocol
(docs/sync-protocol.md, "Field ownership"): code, procedure, receipt time and status never.
"""

from __future__ import annotations

import re
from typing import Any

from desk_app.domain.dossier import RECEIVED, RETURNED
from desk_app.domain.errors import ValidationError
from desk_app.domain.text import normalize_spaces
from desk_app.domain.validation import check_length, parse_id_number
from desk_app.i18n import N_

EDITABLE_STATUSES = frozenset({RECEIVED})

# Applicant keys of the intake JSON -> dossier columns.
APPLICANT_COLUMNS = {
    "full_name": "applicant_name",
    "id_number": "applicant_id_number",
    "birth_date": "applicant_birth_date",
    "gender": "applicant_gender",
    "address": "applicant_address",
    "phone": "phone",
    "email": "email",
}
OTHER_FIELDS = ("sets", "return_channel", "notes", "documents")
# Every field an edit may change (= sync.protocol.DESK_EDIT_FIELDS).
EDIT_FIELDS = tuple(APPLICANT_COLUMNS.values()) + OTHER_FIELDS
# Keys of an edit request (the CLI's changes.json, the UI's edit dialog).
REQUEST_KEYS = frozenset({"applicant", "cccd_qr", "note", *OTHER_FIELDS})

EDIT_FIELD_LABELS = {
    "applicant_name": N_("Họ tên"),
    "applicant_id_number": N_("Số định danh"),
    "applicant_birth_date": N_("Ngày sinh"),
    "applicant_gender": N_("Giới tính"),
    "applicant_address": N_("Địa chỉ"),
    "phone": N_("Số điện thoại"),
    "email": N_("Email"),
    "sets": N_("Số bộ"),
    "return_channel": N_("Nơi trả kết quả"),
    "notes": N_("Ghi chú"),
    "documents": N_("Giấy tờ"),
}

_TRACKING = re.compile(r"^[A-Z0-9-]{6,40}$")


def check_request(changes: object) -> dict[str, Any]:
    if not isinstance(changes, dict):
        raise ValidationError("Nội dung sửa phải là một đối tượng JSON.", field="changes")
    unknown = sorted(set(changes) - REQUEST_KEYS)
    if unknown:
        raise ValidationError(
            "Không sửa được {names}: chỉ sửa thông tin người nộp, giấy tờ, số bộ, nơi trả kết quả và ghi chú.",
            field="changes",
            names=", ".join(unknown),
        )
    applicant = changes.get("applicant") or {}
    if not isinstance(applicant, dict):
        raise ValidationError("Thông tin người nộp (applicant) phải là một đối tượng JSON.", field="applicant")
    unknown = sorted(set(applicant) - set(APPLICANT_COLUMNS))
    if unknown:
        raise ValidationError("Trường không hợp lệ trong applicant: {names}.", field="applicant", names=", ".join(unknown))
    return changes


def check_editable(status: str, code: str) -> None:
    if status not in EDITABLE_STATUSES:
        from desk_app.domain.dossier import STATUS_LABELS

        raise ValidationError(
            "Hồ sơ {code} đang ở trạng thái “{status}”: chỉ sửa được khi hồ sơ còn ở Bộ phận Một cửa "
            "(trạng thái “Đã tiếp nhận”).",
            field="status",
            code=code,
            status=STATUS_LABELS.get(status, status),
        )


def parse_collector(
    *, status: str, name: str = "", id_number: str = "", post_tracking: str = ""
) -> dict[str, str] | None:
    """Who collected the result of a "returned" dossier: a person (name, optional 12-digit ID)
    or the post (its tracking number). None when nothing is given."""
    name = normalize_spaces(name or "")
    id_number = (id_number or "").strip()
    tracking = re.sub(r"\s+", "", post_tracking or "").upper()
    if not (name or id_number or tracking):
        return None
    if status != RETURNED:
        raise ValidationError("Người nhận kết quả chỉ ghi khi trả kết quả.", field="collector")
    if tracking:
        if name or id_number:
            raise ValidationError(
                "Chọn một: người nhận tại quầy hoặc gửi qua bưu điện (mã bưu gửi).", field="post_tracking"
            )
        if not _TRACKING.match(tracking):
            raise ValidationError(
                "Mã bưu gửi không hợp lệ: {value} (6-40 chữ in hoặc số).", field="post_tracking", value=tracking[:40]
            )
        return {"name": "", "id_number": "", "post_tracking": tracking}
    if not name:
        raise ValidationError("Chưa nhập họ tên người nhận kết quả.", field="collector_name")
    check_length(name, field="collector_name", maximum=200)
    if not any(ch.isalpha() for ch in name) or "|" in name or any(ch.isdigit() for ch in name):
        raise ValidationError("Họ tên người nhận không hợp lệ: {value}.", field="collector_name", value=name[:50])
    return {"name": name, "id_number": parse_id_number(id_number) if id_number else "", "post_tracking": ""}

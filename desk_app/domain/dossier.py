"""The dossier (hồ sơ) as the desk records it: applicant, procedure, documents, status events."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from desk_app.domain.cccd import parse_cccd_qr
from desk_app.domain.errors import ValidationError
from desk_app.domain.text import normalize_spaces
from desk_app.domain.validation import (
    check_birth_date,
    check_length,
    field_label,
    normalize_email,
    normalize_gender,
    normalize_phone,
    parse_id_number,
    parse_iso_date,
)
from desk_app.i18n import N_

# Status events, in the order a dossier usually goes through them.
RECEIVED = "received"
TRANSFERRED = "transferred"
PROCESSING = "processing"
SUPPLEMENT_REQUESTED = "supplement_requested"
RESULT_READY = "result_ready"
RETURNED = "returned"
REFUSED = "refused"
WITHDRAWN = "withdrawn"

STATUS_LABELS: dict[str, str] = {
    RECEIVED: N_("Đã tiếp nhận"),
    TRANSFERRED: N_("Đã chuyển xử lý"),
    PROCESSING: N_("Đang xử lý"),
    SUPPLEMENT_REQUESTED: N_("Yêu cầu bổ sung"),
    RESULT_READY: N_("Có kết quả"),
    RETURNED: N_("Đã trả kết quả"),
    REFUSED: N_("Từ chối"),
    WITHDRAWN: N_("Rút hồ sơ"),
}
STATUSES = tuple(STATUS_LABELS)
FINAL_STATUSES = frozenset({RETURNED, WITHDRAWN})
OPEN_STATUSES = frozenset(STATUSES) - FINAL_STATUSES - {REFUSED}
# The office still owes the citizen a result: only these can be overdue (a result ready on
# time and waiting to be collected is not late).
AWAITING_RESULT = OPEN_STATUSES - {RESULT_READY}

# Which status may follow which. A refused dossier may still be handed back (returned).
TRANSITIONS: dict[str, frozenset[str]] = {
    RECEIVED: frozenset({TRANSFERRED, PROCESSING, SUPPLEMENT_REQUESTED, RESULT_READY, REFUSED, WITHDRAWN}),
    TRANSFERRED: frozenset({PROCESSING, SUPPLEMENT_REQUESTED, RESULT_READY, REFUSED, WITHDRAWN}),
    PROCESSING: frozenset({SUPPLEMENT_REQUESTED, RESULT_READY, REFUSED, WITHDRAWN, TRANSFERRED}),
    SUPPLEMENT_REQUESTED: frozenset({PROCESSING, TRANSFERRED, RESULT_READY, REFUSED, WITHDRAWN}),
    RESULT_READY: frozenset({RETURNED}),
    REFUSED: frozenset({RETURNED}),
    RETURNED: frozenset(),
    WITHDRAWN: frozenset(),
}

DOCUMENT_KINDS: dict[str, str] = {
    "original": N_("Bản chính"),
    "certified_copy": N_("Bản sao chứng thực"),
    "photocopy": N_("Bản photo"),
}
RETURN_CHANNELS: dict[str, str] = {
    "desk": N_("Tại Bộ phận Một cửa"),
    "post": N_("Qua dịch vụ bưu chính"),
}
GENDERS = ("Nam", "Nữ")
MAX_DOCUMENTS = 100


def check_transition(current: str, new: str) -> None:
    if new not in STATUS_LABELS:
        raise ValidationError(
            "Trạng thái không hợp lệ: {value}. Các trạng thái: {allowed}.",
            field="status",
            value=new,
            allowed=", ".join(STATUSES),
        )
    if new not in TRANSITIONS.get(current, frozenset()):
        raise ValidationError(
            "Không thể chuyển hồ sơ từ trạng thái {current} sang {new}.",
            field="status",
            # Labels, not keys: DeskError.translated() shows them in the reader's language.
            current=STATUS_LABELS.get(current, current),
            new=STATUS_LABELS[new],
        )


@dataclass
class Applicant:
    full_name: str
    id_number: str = ""
    birth_date: str = ""  # YYYY-MM-DD
    gender: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class DocumentItem:
    name: str
    kind: str = "original"
    count: int = 1

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class IntakeRequest:
    """A validated intake, before the store assigns its code and appointment."""

    procedure_code: str
    applicant: Applicant
    documents: list[DocumentItem] = field(default_factory=list)
    sets: int = 1
    return_channel: str = "desk"
    notes: str = ""
    received_at: datetime | None = None


def _int(value: object, *, field: str, minimum: int, maximum: int, label: str = "") -> int:
    label = label or field_label(field)
    try:
        if not isinstance(value, str | int | float):
            raise TypeError(value)  # a list, an object or null is not a number either
        number = int(value)
        if isinstance(value, bool) or (isinstance(value, float) and value != number):
            raise ValueError
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValidationError(
            "{label} phải là số nguyên (đã nhập: {value}).", field=field, label=label, value=value
        ) from exc
    if not minimum <= number <= maximum:
        raise ValidationError(
            "{label} phải từ {minimum} đến {maximum} (đã nhập: {value}).",
            field=field,
            label=label,
            value=number,
            minimum=minimum,
            maximum=maximum,
        )
    return number


def parse_applicant(data: dict[str, Any], *, today: date) -> Applicant:
    if not isinstance(data, dict):
        raise ValidationError("Thiếu thông tin người nộp hồ sơ.", field="applicant")
    name = normalize_spaces(str(data.get("full_name") or ""))
    if not name:
        raise ValidationError("Chưa nhập họ tên người nộp hồ sơ.", field="full_name")
    check_length(name, field="full_name", maximum=200)
    if not any(ch.isalpha() for ch in name):
        raise ValidationError("Họ tên phải có chữ cái (đã nhập: {value}).", field="full_name", value=name[:50])
    if "|" in name or any(ch.isdigit() for ch in name):
        # A card's QR typed into the name field ("004099001234|...|Nguyễn Văn An|...") is not
        # a name.
        raise ValidationError(
            "Họ tên không được chứa chữ số hoặc ký tự | (đã nhập: {value}). Nếu đó là mã QR căn cước, "
            "hãy quét lại.", field="full_name", value=name[:50],
        )
    birth = None
    if data.get("birth_date"):
        birth = check_birth_date(parse_iso_date(str(data["birth_date"]), field="birth_date"), today=today)
    gender = normalize_gender(str(data["gender"])) if data.get("gender") else ""
    id_number = ""
    if data.get("id_number"):
        id_number = parse_id_number(str(data["id_number"]), birth_date=birth, gender=gender or None)
    return Applicant(
        full_name=name,
        id_number=id_number,
        birth_date=birth.isoformat() if birth else "",
        gender=gender,
        address=check_length(normalize_spaces(str(data.get("address") or "")), field="address", maximum=500),
        phone=normalize_phone(str(data.get("phone") or "")),
        email=normalize_email(str(data.get("email") or "")),
    )


def parse_documents(items: object) -> list[DocumentItem]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise ValidationError("Danh sách giấy tờ phải là một mảng.", field="documents")
    if len(items) > MAX_DOCUMENTS:
        raise ValidationError("Quá nhiều giấy tờ (tối đa {maximum}).", field="documents", maximum=MAX_DOCUMENTS)
    out = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not normalize_spaces(str(item.get("name") or "")):
            raise ValidationError("Giấy tờ thứ {index} thiếu tên.", field="documents", index=index)
        check_length(normalize_spaces(str(item["name"])), field="documents", maximum=300)
        kind = str(item.get("kind") or "original")
        if kind not in DOCUMENT_KINDS:
            raise ValidationError(
                "Loại giấy tờ không hợp lệ: {value} (original, certified_copy, photocopy).",
                field="documents",
                value=kind,
            )
        count = _int(item.get("count", 1), field="documents", minimum=1, maximum=999, label=N_("Số lượng giấy tờ"))
        out.append(DocumentItem(name=normalize_spaces(str(item["name"])), kind=kind, count=count))
    return out


def parse_intake(data: dict[str, Any], *, today: date) -> IntakeRequest:
    """Validate an intake as given by the CLI JSON or the intake form."""
    if not isinstance(data, dict):
        raise ValidationError("Dữ liệu hồ sơ phải là một đối tượng JSON.")
    raw_applicant = data.get("applicant") or {}
    if not isinstance(raw_applicant, dict):
        raise ValidationError("Thông tin người nộp (applicant) phải là một đối tượng JSON.", field="applicant")
    applicant_data = dict(raw_applicant)
    if data.get("cccd_qr"):
        # The ID card is authoritative for identity; contacts typed by hand are kept.
        applicant_data.update(parse_cccd_qr(str(data["cccd_qr"])).as_applicant())
    applicant = parse_applicant(applicant_data, today=today)
    procedure_code = str(data.get("procedure_code") or "").strip()
    if not procedure_code:
        raise ValidationError("Chưa chọn thủ tục hành chính.", field="procedure_code")
    channel = str(data.get("return_channel") or "desk")
    if channel not in RETURN_CHANNELS:
        raise ValidationError(
            "Nơi trả kết quả không hợp lệ: {value} (desk hoặc post).", field="return_channel", value=channel
        )
    received_at = None
    if data.get("received_at"):
        try:
            received_at = datetime.fromisoformat(str(data["received_at"]).strip())
        except ValueError as exc:
            raise ValidationError(
                "Thời điểm tiếp nhận không hợp lệ: {value} (ISO 8601).",
                field="received_at",
                value=data["received_at"],
            ) from exc
    return IntakeRequest(
        procedure_code=procedure_code,
        applicant=applicant,
        documents=parse_documents(data.get("documents")),
        sets=_int(data.get("sets", 1), field="sets", minimum=1, maximum=99),
        return_channel=channel,
        notes=check_length(normalize_spaces(str(data.get("notes") or "")), field="notes", maximum=2000),
        received_at=received_at,
    )

"""What a printed form shows, assembled from a dossier by ``services.printing``.

Plain data, no I/O: rendering (``forms.pdf``) only reads it, so the PDF can be produced on any
thread once the DB thread has filled it in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from desk_app.domain.errors import ValidationError

FORMS: dict[str, str] = {
    "01": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    "02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "03": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    "04": "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
    "05": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
}
DOSSIER_FORMS = tuple(FORMS)
QR_EC_CHOICES = ("M", "Q")


def check_form(value: str) -> str:
    text = (value or "").strip().lstrip("0").zfill(2)
    if text not in FORMS:
        raise ValidationError("Mẫu phiếu không hợp lệ: {value} (01, 02, 03, 04, 05).", field="form", value=value)
    return text


@dataclass
class FormSettings:
    """Per-commune printing settings, kept in the settings table under ``forms.*`` keys."""

    tracking_url_template: str = ""
    survey_url_template: str = ""
    bank_bin: str = ""
    bank_account: str = ""
    bank_account_name: str = ""
    slip_copies: int = 1
    default_layout: str = "a5"
    thermal_qr_ec: str = "Q"  # crumpled thermal paper: more redundancy
    office_name: str = "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ"
    printer_name: str = ""  # '' = the system's default printer
    print_direct: bool = False  # print without preview (speed at the counter)

    PREFIX = "forms."

    @classmethod
    def from_settings(cls, values: dict) -> FormSettings:
        known = cls.__dataclass_fields__
        data = {k[len(cls.PREFIX):]: v for k, v in values.items() if k.startswith(cls.PREFIX) and k[len(cls.PREFIX):] in known}
        return cls(**data)

    def as_settings(self) -> dict:
        return {self.PREFIX + k: getattr(self, k) for k in self.__dataclass_fields__}

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @property
    def has_bank_account(self) -> bool:
        return bool(self.bank_bin and self.bank_account)


@dataclass
class FormExtras:
    """What the officer adds to forms 02-04 (left blank on the form, to fill by hand, if empty)."""

    reason: str = ""
    items: list[str] = field(default_factory=list)  # form 02: documents to add or complete
    new_appointment: datetime | None = None  # form 04
    officer_phone: str = ""


@dataclass
class DocumentLine:
    name: str
    kind_label: str
    count: int


@dataclass
class HistoryLine:
    status: str
    label: str
    at: datetime
    actor: str
    note: str


@dataclass
class FormData:
    form: str
    code: str
    unit_name: str  # UBND PHƯỜNG THỤC PHÁN
    office_name: str
    place: str  # Thục Phán (for "Thục Phán, ngày ... tháng ... năm ...")
    printed_on: date
    applicant_name: str
    id_number: str
    address: str
    phone: str
    email: str
    procedure_code: str
    procedure_name: str
    documents: list[DocumentLine]
    sets: int
    processing_text: str
    received_at: datetime
    appointment_at: datetime
    return_channel_label: str
    officer: str
    fee: int
    synced: bool
    status: str
    book_volume: str = ""
    book_number: int = 0
    copy_number: int = 1  # 1 = first issue; 2+ printed as "Bản sao lần N"
    copies: int = 1  # pages per issue (form 01: one for the citizen, one kept)
    tracking_payload: str = ""
    survey_payload: str = ""
    payment_payload: str = ""
    bank_label: str = ""
    qr_ec: str = "M"
    history: list[HistoryLine] = field(default_factory=list)
    extras: FormExtras = field(default_factory=FormExtras)

    @property
    def title(self) -> str:
        return FORMS[self.form]


@dataclass
class RenderedPdf:
    data: bytes
    pages: int


@dataclass
class BookRow:
    volume: str
    number: int
    code: str
    procedure_name: str
    sets: int
    applicant_name: str
    contact: str
    lead_agency: str
    received_at: datetime
    appointment_at: datetime
    transferred_at: datetime | None
    result_at: datetime | None
    returned_at: datetime | None
    notes: str


@dataclass
class BookData:
    unit_name: str
    office_name: str
    date_from: date
    date_to: date
    rows: list[BookRow]

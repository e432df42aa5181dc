"""What "Thông tin hồ sơ" on the dossier page shows: its fields, and each one's text for a
dossier in the reader's language. Pure (no widgets), so the page only lays the texts out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desk_app.i18n import N_, Translator
from desk_app.ui.formatting import channel_label, late_text, money, show_date, show_datetime
from desk_app.ui.pages.procedure_finder import duration_text

if TYPE_CHECKING:
    from desk_app.services.dossier_view import DossierView

# (key in the dossier view, caption)
FIELDS: tuple[tuple[str, str], ...] = (
    ("applicant.full_name", N_("Người nộp")),
    ("applicant.id_number", N_("Số định danh")),
    ("applicant.birth_date", N_("Ngày sinh")),
    ("applicant.gender", N_("Giới tính")),
    ("applicant.address", N_("Địa chỉ")),
    ("applicant.phone", N_("Điện thoại")),
    ("applicant.email", N_("Email")),
    ("procedure", N_("Thủ tục")),
    ("processing", N_("Thời hạn giải quyết")),
    ("fee", N_("Phí, lệ phí")),
    ("received_at", N_("Tiếp nhận lúc")),
    ("received_by", N_("Người tiếp nhận")),
    ("appointment_at", N_("Hẹn trả kết quả")),
    ("sets", N_("Số bộ")),
    ("return_channel", N_("Nơi trả kết quả")),
    ("notes", N_("Ghi chú")),
    ("synced", N_("Gửi lên tỉnh")),
)


def detail_texts(tr: Translator, dossier: DossierView) -> dict[str, str]:
    """The text of every FIELDS key for ``dossier``."""
    applicant = dossier.applicant
    late = late_text(tr, dossier.days_late)
    values = {
        "procedure": f"{dossier.procedure_name} ({dossier.procedure_code})",
        "processing": duration_text(tr, dossier.processing_days, dossier.processing_hours),
        "fee": money(dossier.fee) if dossier.fee else tr("Không thu phí"),
        "received_at": show_datetime(dossier.received_at),
        "received_by": dossier.received_by,
        "appointment_at": " · ".join(filter(None, [show_datetime(dossier.appointment_at), late])),
        "sets": str(dossier.sets),
        "return_channel": channel_label(tr, dossier.return_channel),
        "notes": dossier.notes,
        "synced": tr("Đã gửi lúc {when}", when=show_datetime(dossier.synced_at)) if dossier.synced else tr("Chưa gửi"),
        "applicant.birth_date": show_date(applicant.birth_date),
        "applicant.gender": tr(applicant.gender) if applicant.gender else "",
    }
    return {key: values[key] if key in values else getattr(applicant, key.split(".", 1)[1]) for key, _caption in FIELDS}

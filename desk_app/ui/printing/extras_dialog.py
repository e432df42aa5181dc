"""Forms 02-04 before printing: what to add (02), the reason (02-04), the new appointment (04),
the officer who signs, and whether to record the matching status (02: supplement requested,
03: refused). Starts filled with what is known (``PrintingService.extras_defaults``).
UI thread; OK emits ``submitted`` and the controller prepares the form on the DB thread.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import QCheckBox, QDateTimeEdit, QLabel, QLineEdit, QPlainTextEdit, QWidget

from desk_app.domain.calendar import VN_TZ
from desk_app.domain.dossier import STATUS_LABELS
from desk_app.domain.errors import ValidationError
from desk_app.domain.formats import QT_DATETIME, vn_datetime
from desk_app.forms.model import FormExtras
from desk_app.i18n import N_, Translator
from desk_app.ui.printing.dialog_base import SubmitDialog

REASON_LABELS = {
    "02": N_("Lý do:"),
    "03": N_("Lý do từ chối:"),
    "04": N_("Lý do chậm trả kết quả:"),
}
DATETIME_FORMAT = QT_DATETIME


def to_qdatetime(moment: datetime) -> QDateTime:
    local = moment.astimezone(VN_TZ)
    return QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))


def from_qdatetime(value: QDateTime) -> datetime:
    d, t = value.date(), value.time()
    return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), tzinfo=VN_TZ)


class ExtrasDialog(SubmitDialog):
    """``values()``: {"extras": FormExtras, "officer_name": str, "record_status": str | None}."""

    def __init__(self, tr: Translator, form_label: str, defaults: dict, parent: QWidget | None = None):
        super().__init__(tr, tr(form_label), tr("In phiếu"), parent)
        self.defaults = defaults
        self.form_code = defaults["form"]
        self.setMinimumWidth(560)
        summary = QLabel(
            tr("Hồ sơ {code} — {name}\n{procedure}", code=defaults["code"], name=defaults["applicant_name"],
               procedure=defaults["procedure_name"])
        )
        summary.setWordWrap(True)
        self.form.addRow(summary)
        self.items: QPlainTextEdit | None = None
        if self.form_code == "02":
            self.items = QPlainTextEdit()
            self.items.setTabChangesFocus(True)  # Tab leaves the box; Enter starts the next item
            self.items.setPlaceholderText(tr("Mỗi dòng một giấy tờ hoặc nội dung cần bổ sung, hoàn thiện"))
            self.items.setFixedHeight(110)
            self.form.addRow(tr("Nội dung cần bổ sung:"), self.items)
            self.fields["items"] = self.items
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(tr("Để trống để viết tay trên phiếu"))
        self.form.addRow(tr(REASON_LABELS[self.form_code]), self.reason)
        self.fields["reason"] = self.reason
        self.new_appointment: QDateTimeEdit | None = None
        if self.form_code == "04":
            old = datetime.fromisoformat(defaults["appointment_at"])
            self.form.addRow(tr("Hẹn trả cũ:"), QLabel(vn_datetime(old)))
            self.new_appointment = QDateTimeEdit(to_qdatetime(datetime.fromisoformat(defaults["suggested_appointment"])))
            self.new_appointment.setDisplayFormat(DATETIME_FORMAT)
            self.new_appointment.setCalendarPopup(True)
            self.form.addRow(tr("Hẹn trả mới:"), self.new_appointment)
            self.fields["new_appointment"] = self.new_appointment
        self.officer = QLineEdit(defaults.get("officer_name", ""))
        self.form.addRow(tr("Cán bộ ký phiếu:"), self.officer)
        self.fields["officer_name"] = self.officer
        self.phone: QLineEdit | None = None
        if self.form_code == "02":  # only form 02 prints the guiding officer's phone
            self.phone = QLineEdit(defaults.get("officer_phone", ""))
            self.form.addRow(tr("Số điện thoại cán bộ:"), self.phone)
            self.fields["officer_phone"] = self.phone
        self.record_status: QCheckBox | None = None
        status = defaults.get("record_status")
        if status:
            self.record_status = QCheckBox(
                tr("Ghi nhận trạng thái hồ sơ: {status}", status=tr(STATUS_LABELS[status]))
            )
            self.record_status.setChecked(True)
            self.form.addRow(self.record_status)
        (self.items or self.reason).setFocus()

    def check(self) -> ValidationError | None:
        status = self.status_to_record()
        if self.form_code == "03" and status and not self.reason.text().strip():
            # the refusal is recorded with its reason in the dossier's history
            return ValidationError("Hãy nhập lý do từ chối.", field="reason")
        return None

    def status_to_record(self) -> str | None:
        if self.record_status is not None and self.record_status.isChecked():
            return self.defaults["record_status"]
        return None

    def values(self) -> dict:
        items = self.items.toPlainText().splitlines() if self.items is not None else []
        extras = FormExtras(
            reason=self.reason.text(),
            items=[i for i in items if i.strip()],
            new_appointment=from_qdatetime(self.new_appointment.dateTime()) if self.new_appointment else None,
            officer_phone=self.phone.text() if self.phone is not None else "",
        )
        return {"extras": extras, "officer_name": self.officer.text(), "record_status": self.status_to_record()}

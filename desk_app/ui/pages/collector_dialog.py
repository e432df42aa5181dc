"""Trả kết quả: who collects the result. In person: full name and the 12-digit ID
number, typed or read from their ID card by the counter scanner (the scanner router hands a
card to the active dialog that has ``take_card``); or by post, with the postal tracking
number. UI thread; the value is checked again by the service when the status is recorded."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.corrections import parse_collector
from desk_app.domain.dossier import RETURNED
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.i18n import Translator
from desk_app.ui.field_errors import FieldErrors, error_label
from desk_app.ui.widgets import with_error

if TYPE_CHECKING:
    from desk_app.services.dossier_view import DossierView


class CollectorDialog(QDialog):
    """``collector()`` after ``accepted``: {name, id_number} or {post_tracking}."""

    def __init__(self, tr: Translator, dossier: DossierView, parent: QWidget | None = None):
        super().__init__(parent)
        self._tr = tr
        self.setWindowTitle(tr("Trả kết quả hồ sơ {code}", code=dossier.code))
        self.setModal(True)
        applicant = dossier.applicant
        intro = QLabel(tr("Người nộp: {name}. Ai nhận kết quả?", name=applicant.full_name))
        intro.setWordWrap(True)
        self.in_person = QRadioButton(tr("Nhận tại quầy"))
        self.by_post = QRadioButton(tr("Gửi qua bưu điện"))
        group = QButtonGroup(self)
        group.addButton(self.in_person)
        group.addButton(self.by_post)
        self.general_error = error_label()
        self.errors = FieldErrors(self.general_error)
        self.name = QLineEdit(applicant.full_name)
        self.id_number = QLineEdit(applicant.id_number)
        self.id_number.setPlaceholderText(tr("12 chữ số, hoặc quét thẻ căn cước"))
        self.tracking = QLineEdit()
        self.tracking.setPlaceholderText(tr("Mã bưu gửi, ví dụ EE123456789VN"))
        self.hint = QLabel(tr("Quét mã QR trên thẻ căn cước của người nhận để điền họ tên và số định danh."))
        self.hint.setWordWrap(True)
        form = QFormLayout()
        for caption, field, widget in (
            (tr("Họ tên người nhận"), "collector_name", self.name),
            (tr("Số định danh"), "id_number", self.id_number),
            (tr("Mã bưu gửi"), "post_tracking", self.tracking),
        ):
            box, label = with_error(widget)
            self.errors.add(field, widget, label)
            form.addRow(caption, box)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(tr("Ghi nhận đã trả"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(tr("Hủy"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.check_and_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.in_person)
        layout.addWidget(self.by_post)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)
        self.in_person.toggled.connect(self._mode_changed)
        (self.by_post if dossier.return_channel == "post" else self.in_person).setChecked(True)
        self._mode_changed()
        self.setMinimumWidth(520)

    def _mode_changed(self, *_args) -> None:
        person = self.in_person.isChecked()
        for widget in (self.name, self.id_number, self.hint):
            widget.setEnabled(person)
        self.tracking.setEnabled(not person)
        (self.name if person else self.tracking).setFocus()
        self.errors.clear()

    def take_card(self, card) -> None:
        """The scanner router's ID card (``CccdData``): the collector is its holder."""
        self.in_person.setChecked(True)
        self.name.setText(card.full_name)
        self.id_number.setText(card.id_number)
        self.ok_button.setFocus()

    def collector(self) -> dict[str, str]:
        if self.in_person.isChecked():
            return {"name": self.name.text(), "id_number": self.id_number.text()}
        return {"post_tracking": self.tracking.text()}

    def check_and_accept(self) -> None:
        """Checked here with the service's own rule, so a mistake shows at its field before
        anything is sent; nothing given is refused (the dialog exists to record someone)."""
        self.errors.clear()
        try:
            if parse_collector(status=RETURNED, **self.collector()) is None:
                field = "collector_name" if self.in_person.isChecked() else "post_tracking"
                raise ValidationError("Hãy ghi người nhận kết quả hoặc mã bưu gửi.", field=field)
        except DeskError as exc:
            self.errors.show(exc, self._tr)
            return
        self.accept()

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            self.check_and_accept()
            return
        super().keyPressEvent(event)

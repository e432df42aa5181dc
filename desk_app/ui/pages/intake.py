"""Tiếp nhận hồ sơ: the intake form. UI thread; the save runs on the DB thread.

Flow: scan the ID card (anywhere in the form) or type the applicant, find the procedure,
tick the documents received, Ctrl+S. The code and appointment are shown prominently and the
form is cleared for the next citizen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.dossier import GENDERS, RETURN_CHANNELS
from desk_app.domain.errors import DeskError
from desk_app.i18n import N_, Translator
from desk_app.ui.field_errors import FieldErrors, error_label
from desk_app.ui.formatting import channel_label, read_date, show_datetime
from desk_app.ui.pages.documents_checklist import DocumentsChecklist
from desk_app.ui.pages.procedure_finder import ProcedureFinder
from desk_app.ui.tasks import TaskRunner
from desk_app.ui.wedge import WedgeScanWatcher
from desk_app.ui.widgets import chain_tab_order, heading, set_named, with_error

if TYPE_CHECKING:  # the ID-card parser loads with the first scan (wedge), not before the window
    from desk_app.domain.cccd import CccdData

GENDER_LABELS = {"Nam": N_("Nam"), "Nữ": N_("Nữ")}
RESULT_STYLE = "QFrame#result { background: #e8f5e9; border: 1px solid #66bb6a; border-radius: 6px; }"


def save_intake(services, data: dict) -> dict:
    """DB thread: validate, number, schedule and durably commit one dossier."""
    return services.intake.intake(data)


class IntakePage(QWidget):
    saved = Signal(dict)  # the stored dossier (QueueService.show shape)

    def __init__(self, runner: TaskRunner, tr: Translator, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self._tr = tr
        self._saving = False
        self.last_saved: dict | None = None
        self._scanned_name = ""

        # --- result of the last save (prominent) and messages -----------------------------
        self.result = QFrame(objectName="result")
        self.result.setStyleSheet(RESULT_STYLE)
        self.result_code = heading(10)
        self.result_when = heading(3)
        self.result_caption = QLabel()
        result_layout = QHBoxLayout(self.result)
        result_layout.addWidget(self.result_caption)
        result_layout.addWidget(self.result_code)
        result_layout.addStretch(1)
        result_layout.addWidget(self.result_when)
        self.result.hide()
        self.general_error = error_label()
        self.scan_hint = QLabel()
        self.scan_hint.setWordWrap(True)
        self.errors = FieldErrors(self.general_error)

        # --- applicant --------------------------------------------------------------------
        self.full_name = QLineEdit()
        self.id_number = QLineEdit()
        self.birth_date = QLineEdit()
        self.gender = QComboBox()
        self.gender.addItem("", "")
        for value in GENDERS:
            self.gender.addItem(value, value)
        self.address = QLineEdit()
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.applicant_box = QGroupBox()
        applicant_form = QFormLayout(self.applicant_box)
        applicant_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._applicant_labels: list[tuple[QLabel, str]] = []
        for field, widget, caption in (
            ("full_name", self.full_name, N_("Họ và tên")),
            ("id_number", self.id_number, N_("Số định danh (CCCD)")),
            ("birth_date", self.birth_date, N_("Ngày sinh")),
            ("gender", self.gender, N_("Giới tính")),
            ("address", self.address, N_("Địa chỉ")),
            ("phone", self.phone, N_("Điện thoại")),
            ("email", self.email, N_("Email")),
        ):
            box, label = with_error(widget)
            self.errors.add(field, widget, label)
            caption_label = QLabel()
            caption_label.setBuddy(widget)
            self._applicant_labels.append((caption_label, caption))
            applicant_form.addRow(caption_label, box)

        # --- procedure and documents --------------------------------------------------------
        self.finder = ProcedureFinder(runner, tr)
        self.finder.chosen.connect(self._procedure_chosen)
        self.finder.focusNextInChain.connect(self._focus_documents)
        finder_box, finder_error = with_error(self.finder)
        self.errors.add("procedure_code", self.finder.search, finder_error)
        self.procedure_box = QGroupBox()
        QVBoxLayout(self.procedure_box).addWidget(finder_box)

        self.checklist = DocumentsChecklist(tr)
        self.checklist.rows_changed.connect(self._rows_changed)
        checklist_box, checklist_error = with_error(self.checklist)
        self.errors.add("documents", self.checklist.extra_name, checklist_error)
        self.documents_box = QGroupBox()
        QVBoxLayout(self.documents_box).addWidget(checklist_box)

        # --- sets, return channel, notes, save -------------------------------------------------
        self.sets = QSpinBox()
        self.sets.setRange(1, 99)
        self.channel = QComboBox()
        for key in RETURN_CHANNELS:
            self.channel.addItem(key, key)
        self.notes = QLineEdit()
        self.save_button = QPushButton()
        self.save_button.setDefault(False)
        self.save_button.setMinimumHeight(36)
        self.save_button.clicked.connect(self.save)
        self.sets_label, self.channel_label, self.notes_label = QLabel(), QLabel(), QLabel()
        for label, widget in ((self.sets_label, self.sets), (self.channel_label, self.channel), (self.notes_label, self.notes)):
            label.setBuddy(widget)
        sets_box, sets_error = with_error(self.sets)
        self.errors.add("sets", self.sets, sets_error)
        channel_box, channel_error = with_error(self.channel)
        self.errors.add("return_channel", self.channel, channel_error)
        bottom = QGridLayout()
        bottom.addWidget(self.sets_label, 0, 0)
        bottom.addWidget(sets_box, 0, 1)
        bottom.addWidget(self.channel_label, 0, 2)
        bottom.addWidget(channel_box, 0, 3)
        bottom.addWidget(self.notes_label, 0, 4)
        bottom.addWidget(self.notes, 0, 5)
        bottom.addWidget(self.save_button, 0, 6)
        bottom.setColumnStretch(5, 1)

        # --- layout ------------------------------------------------------------------------
        self.keys_hint = QLabel()
        self.keys_hint.setWordWrap(True)
        self.keys_hint.setStyleSheet("color: #555;")
        left = QVBoxLayout()
        left.addWidget(self.applicant_box)
        left.addStretch(1)
        left.addWidget(self.keys_hint)
        columns = QHBoxLayout()
        columns.addLayout(left, 5)
        right = QVBoxLayout()
        right.addWidget(self.procedure_box)
        right.addWidget(self.documents_box, 1)
        columns.addLayout(right, 6)
        layout = QVBoxLayout(self)
        layout.addWidget(self.result)
        layout.addWidget(self.scan_hint)
        layout.addWidget(self.general_error)
        layout.addLayout(columns, 1)
        layout.addLayout(bottom)

        # --- keyboard ----------------------------------------------------------------------
        self.save_shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        set_named(self.save_shortcut, context="WidgetWithChildrenShortcut")
        self.save_shortcut.activated.connect(self.save)
        self.wedge = WedgeScanWatcher(self)
        self.wedge.scanned.connect(self.fill_from_card)
        self.wedge.failed.connect(self._scan_failed)
        self.wedge.watch(self.full_name, self.id_number, self.birth_date, self.address, self.phone, self.email,
                         self.finder.search, self.notes, self.checklist)
        self._chain_tab_order()
        self.retranslate(tr)

    # --- language -----------------------------------------------------------------------------
    def retranslate(self, tr: Translator) -> None:
        self._tr = tr
        self.applicant_box.setTitle(tr("Người nộp hồ sơ"))
        self.procedure_box.setTitle(tr("Thủ tục hành chính"))
        self.documents_box.setTitle(tr("Thành phần hồ sơ"))
        for label, caption in self._applicant_labels:
            label.setText(tr(caption))
        self.birth_date.setPlaceholderText(tr("ngày/tháng/năm"))
        self.full_name.setPlaceholderText(tr("Quét mã QR căn cước hoặc gõ họ tên"))
        for index, value in enumerate(GENDERS, start=1):
            self.gender.setItemText(index, tr(GENDER_LABELS[value]))
        for index in range(self.channel.count()):
            self.channel.setItemText(index, channel_label(tr, self.channel.itemData(index)))
        self.sets_label.setText(tr("Số bộ"))
        self.channel_label.setText(tr("Nơi trả kết quả"))
        self.notes_label.setText(tr("Ghi chú"))
        self.save_button.setText(tr("Lưu hồ sơ (Ctrl+S)"))
        self.result_caption.setText(tr("Đã tiếp nhận. Mã hồ sơ:"))
        self.keys_hint.setText(
            tr("Phím tắt: F2 hồ sơ mới · F3 tìm hồ sơ · Tab sang ô sau · Space đánh dấu giấy tờ · "
               "Ctrl+S lưu · Esc quay lại")
        )
        self.finder.retranslate(tr)
        self.checklist.retranslate(tr)
        self._show_scan_hint()
        self._show_result()

    def _show_scan_hint(self) -> None:
        tr = self._tr
        if self._scanned_name:
            self.scan_hint.setText("✔ " + tr("Đã đọc căn cước của {name}.", name=self._scanned_name))
        else:
            self.scan_hint.setText(tr("Quét mã QR trên căn cước vào bất kỳ ô nào để điền thông tin người nộp."))

    def _show_result(self) -> None:
        dossier = self.last_saved
        if not dossier:
            self.result.hide()
            return
        tr = self._tr
        self.result_code.setText(dossier["code"])
        self.result_when.setText(tr("Hẹn trả kết quả: {when}", when=show_datetime(dossier["appointment_at"])))
        self.result.show()

    # --- start-up and focus -------------------------------------------------------------------
    def activate(self) -> None:
        """Called when the page is shown (F2): the next citizen starts at the name field."""
        self.full_name.setFocus()

    def load_catalogue(self) -> None:
        self.finder.load()

    def _chain_tab_order(self) -> None:
        chain_tab_order(
            [self.full_name, self.id_number, self.birth_date, self.gender, self.address, self.phone, self.email,
             self.finder.search, self.finder.matches, *self.checklist.focus_widgets(),
             self.sets, self.channel, self.notes, self.save_button]
        )

    def _rows_changed(self) -> None:
        self.wedge.watch(self.checklist)
        self._chain_tab_order()

    def _procedure_chosen(self, proc) -> None:
        self.checklist.set_documents(proc.documents if proc else [])

    def _focus_documents(self) -> None:
        widgets = self.checklist.focus_widgets()
        widgets[0].setFocus()

    # --- ID card -----------------------------------------------------------------------------
    def fill_from_card(self, card: CccdData) -> None:
        self.full_name.setText(card.full_name)
        self.id_number.setText(card.id_number)
        self.birth_date.setText(card.birth_date.strftime("%d/%m/%Y"))
        self.gender.setCurrentIndex(max(0, self.gender.findData(card.gender)))
        self.address.setText(card.address)
        self.errors.clear()
        self._scanned_name = card.full_name
        self._show_scan_hint()
        # Identity is done; the receptionist continues with the contacts.
        self.phone.setFocus()

    def _scan_failed(self, error: DeskError) -> None:
        tr = self._tr
        self.errors.clear()
        self.general_error.setText(tr("Không đọc được căn cước: {reason}", reason=error.translated(tr)))
        self.general_error.show()

    # --- save ----------------------------------------------------------------------------------
    def form_data(self) -> dict:
        """The intake as IntakeService takes it. Raises ValidationError for a bad date."""
        proc = self.finder.procedure
        return {
            "procedure_code": proc.code if proc else "",
            "applicant": {
                "full_name": self.full_name.text(),
                "id_number": self.id_number.text(),
                "birth_date": read_date(self.birth_date.text(), field="birth_date"),
                "gender": self.gender.currentData() or "",
                "address": self.address.text(),
                "phone": self.phone.text(),
                "email": self.email.text(),
            },
            "documents": self.checklist.documents(),
            "sets": self.sets.value(),
            "return_channel": self.channel.currentData(),
            "notes": self.notes.text(),
        }

    def save(self) -> None:
        if self._saving:
            return  # a second Ctrl+S while the first save is in flight
        self.errors.clear()
        try:
            data = self.form_data()
        except DeskError as exc:
            self.errors.show(exc, self._tr)
            return
        self._saving = True
        self.save_button.setEnabled(False)
        self.runner.db(save_intake, data, on_done=self._saved, on_error=self._save_failed)

    def _saved(self, dossier: dict) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self.last_saved = dossier
        self._show_result()
        self.reset()
        self.saved.emit(dossier)

    def _save_failed(self, error: BaseException) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self.errors.show(error, self._tr)  # the form keeps everything typed

    def reset(self) -> None:
        for edit in (self.full_name, self.id_number, self.birth_date, self.address, self.phone, self.email, self.notes):
            edit.clear()
        self.gender.setCurrentIndex(0)
        self.sets.setValue(1)
        self.channel.setCurrentIndex(0)
        self.finder.reset()
        self._scanned_name = ""
        self._show_scan_hint()
        self.errors.clear()
        self.full_name.setFocus()

"""Tiếp nhận hồ sơ: the intake form. UI thread; the save runs on the DB thread.

Flow: scan the ID card (anywhere in the form) or type the applicant, find the procedure,
tick the documents received, Ctrl+S. The code and appointment are shown prominently and the
form is cleared for the next citizen.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
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
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.dossier import GENDERS, RETURN_CHANNELS
from desk_app.domain.errors import DeskError
from desk_app.domain.formats import vn_date
from desk_app.i18n import N_, Translator
from desk_app.ui.changes import dossier_code
from desk_app.ui.field_errors import FieldErrors, error_label
from desk_app.ui.formatting import channel_label, read_date, show_datetime
from desk_app.ui.ops import Op
from desk_app.ui.pages.documents_checklist import DocumentsChecklist
from desk_app.ui.pages.intake_checks import field_errors
from desk_app.ui.pages.procedure_finder import ProcedureFinder
from desk_app.ui.tasks import TaskRunner
from desk_app.ui.widgets import chain_tab_order, heading, with_error

if TYPE_CHECKING:  # the ID-card parser loads with the first scan (ui/wedge.py), not before the window
    from desk_app.domain.catalogue import Procedure
    from desk_app.domain.cccd import CccdData
    from desk_app.services.context import DeskServices
    from desk_app.services.dossier_view import DossierView

GENDER_LABELS = {"Nam": N_("Nam"), "Nữ": N_("Nữ")}
VN_TZ = timezone(timedelta(hours=7))  # as domain.calendar's, without loading its holiday tables
RESULT_STYLE = "QFrame#result { background: #e8f5e9; border: 1px solid #66bb6a; border-radius: 6px; }"


def save_intake(services: DeskServices, data: dict) -> DossierView:
    """DB thread: validate, number, schedule and durably commit one dossier. The page asked
    the receptionist before saving without a required document."""
    return services.intake.intake(data, allow_missing=True)


class IntakePage(QWidget):
    saved = Signal(object)  # the stored dossier (a DossierView)
    saving_changed = Signal(bool)  # a save went to the DB thread / came back (ui/wedge.py holds keys meanwhile)

    def __init__(self, runner: TaskRunner, tr: Translator, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self._tr = tr
        self._saving = False
        self.last_saved: DossierView | None = None
        self._scanned_name = ""

        self._build_result()
        self._build_applicant()
        self._build_procedure(runner, tr)
        bottom = self._build_bottom()
        self._build_layout(bottom)
        self._build_keys()
        self._chain_tab_order()
        self.retranslate(tr)

    # --- building (parts of __init__) -------------------------------------------------------
    def _build_result(self) -> None:
        """The last save's result (code and appointment, prominent), the form's messages."""
        self.result = QFrame()
        self.result.setObjectName("result")
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

    def _build_applicant(self) -> None:
        """The applicant's fields, each with its error line, in one form."""
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

    def _build_procedure(self, runner: TaskRunner, tr: Translator) -> None:
        """The procedure finder and the checklist of its documents."""
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

    def _build_bottom(self) -> QGridLayout:
        """Sets, return channel, notes and the New / Save buttons, in one row."""
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
        self.new_button = QPushButton()  # same as F2: a new dossier
        self.new_button.clicked.connect(self.new_dossier)
        self.confirm_new: QWidget | None = None  # the "discard what was typed?" box, while open
        self.confirm_missing: QWidget | None = None  # the "save without a required document?" box
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
        bottom.addWidget(self.new_button, 0, 6)
        bottom.addWidget(self.save_button, 0, 7)
        bottom.setColumnStretch(5, 1)
        return bottom

    def _build_layout(self, bottom: QGridLayout) -> None:
        """Applicant left, procedure and documents right, messages above, the bottom row below."""
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

    def _build_keys(self) -> None:
        """Ctrl+S saves; any edit by the receptionist starts the next dossier."""
        self.save_shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        self.save_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.save_shortcut.activated.connect(self.save)
        # ID-card scans reach fill_from_card through the app's scanner router (ui/wedge.py).
        # Any edit by the receptionist starts the next dossier: the last one's banner goes.
        self._quiet = False  # set while the form is filled or cleared by the program
        for edit in (self.full_name, self.id_number, self.birth_date, self.address, self.phone, self.email, self.notes,
                     self.finder.search):
            edit.textEdited.connect(self._edited)
        for combo in (self.gender, self.channel):
            combo.activated.connect(self._edited)
        self.sets.valueChanged.connect(self._edited)
        self.finder.chosen.connect(self._edited)
        self.checklist.edited.connect(self._edited)

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
        self.new_button.setText(tr("Làm mới (F2)"))
        self.new_button.setToolTip(tr("Bắt đầu hồ sơ mới: xóa các ô đã nhập"))
        self.result_caption.setText(tr("Đã tiếp nhận. Mã hồ sơ:"))
        self.keys_hint.setText(
            tr("Phím tắt: F2 hồ sơ mới · F3 tìm hồ sơ · Tab sang ô sau · ↑↓ giữa các giấy tờ, Space đánh dấu · "
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
        self.result_code.setText(dossier.code)
        self.result_when.setText(tr("Hẹn trả kết quả: {when}", when=show_datetime(dossier.appointment_at)))
        self.result.show()

    # --- start-up and focus -------------------------------------------------------------------
    @property
    def saving(self) -> bool:
        """A save is on the DB thread and has not answered yet."""
        return self._saving

    def activate(self) -> None:
        """Called when the page is shown (F2): the next citizen starts at the name field."""
        self.full_name.setFocus()

    def load_catalogue(self, first: list[Procedure] | None = None) -> None:
        self.finder.load(first)

    def _chain_tab_order(self) -> None:
        chain_tab_order(
            [self.full_name, self.id_number, self.birth_date, self.gender, self.address, self.phone, self.email,
             self.finder.search, self.finder.matches, *self.checklist.focus_widgets(),
             self.sets, self.channel, self.notes, self.save_button]
        )

    def _rows_changed(self) -> None:
        self._chain_tab_order()

    def _procedure_chosen(self, proc) -> None:
        self.checklist.set_documents(proc.documents if proc else [])

    def _focus_documents(self) -> None:
        widgets = self.checklist.focus_widgets()
        widgets[0].setFocus()

    # --- ID card -----------------------------------------------------------------------------
    def fill_from_card(self, card: CccdData) -> None:
        self._edited()  # a scan starts the next dossier too
        self.full_name.setText(card.full_name)
        self.id_number.setText(card.id_number)
        self.birth_date.setText(vn_date(card.birth_date))
        self.gender.setCurrentIndex(max(0, self.gender.findData(card.gender)))
        self.address.setText(card.address)
        self.errors.clear()
        self._scanned_name = card.full_name
        self._show_scan_hint()
        # Identity is done; the receptionist continues with the contacts.
        self.phone.setFocus()

    def scan_failed(self, error: DeskError) -> None:
        tr = self._tr
        self.errors.clear()
        self.general_error.setText(tr("Không đọc được căn cước: {reason}", reason=error.translated(tr)))
        self.general_error.show()

    # --- save ----------------------------------------------------------------------------------
    def field_errors(self) -> list[DeskError]:
        """Every field at fault, in form order (ui/pages/intake_checks.py)."""
        texts = {name: getattr(self, name).text() for name in ("full_name", "id_number", "birth_date", "address",
                                                                 "phone", "email")}
        return field_errors(texts, gender=self.gender.currentData() or None,
                            procedure_chosen=self.finder.procedure is not None,
                            documents_ticked=bool(self.checklist.documents()), today=datetime.now(VN_TZ).date())

    def show_errors(self, errors: Sequence[BaseException]) -> None:
        """Each error next to its field; the cursor goes to the first field at fault."""
        self.errors.clear()
        for error in reversed(errors):  # FieldErrors.show focuses the field: the first one last
            self.errors.show(error, self._tr)

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
        errors = self.field_errors()
        if errors:
            self.show_errors(errors)
            return
        try:
            data = self.form_data()
        except DeskError as exc:
            self.errors.show(exc, self._tr)
            return
        missing = self.checklist.missing_required()
        if missing:
            self._confirm_missing(missing, data)
            return
        self._commit(data)

    def _confirm_missing(self, missing: list[str], data: dict) -> None:
        """A required document is not ticked: say which, and save only on an explicit "Vẫn
        lưu". Enter and Esc go back to the checklist (the safe answer), on the first one missing."""
        if self.confirm_missing is not None:
            return
        tr = self._tr
        names = "\n".join(f"• {name}" for name in missing)
        box = QMessageBox(QMessageBox.Icon.Warning, tr("Thiếu giấy tờ bắt buộc"),
                          tr("Chưa đánh dấu {count} giấy tờ bắt buộc:\n{names}\n\nVẫn lưu hồ sơ thiếu giấy tờ?",
                             count=len(missing), names=names), parent=self)
        save_anyway = box.addButton(tr("Vẫn lưu"), QMessageBox.ButtonRole.AcceptRole)
        back = box.addButton(tr("Quay lại đánh dấu"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(back)
        box.setEscapeButton(back)
        self.confirm_save_anyway = save_anyway

        def answered(_result: int) -> None:
            self.confirm_missing = None
            box.deleteLater()
            if box.clickedButton() is save_anyway:
                self._commit(data)
                return
            first = next(row for row in self.checklist.row_widgets() if row.name == missing[0])
            self.activateWindow()  # the box was the active window; keys go back to the form
            first.received.setFocus()

        box.finished.connect(answered)
        self.confirm_missing = box
        box.open()

    def _commit(self, data: dict) -> None:
        self._saving = True
        self.save_button.setEnabled(False)
        self.saving_changed.emit(True)
        Op(self, self.runner, lambda: self._tr, save_intake, data, on_success=self._saved,
           on_failure=self._save_failed, changes=dossier_code).run()

    def _saved(self, dossier: DossierView) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self.reset()
        self.last_saved = dossier  # after the reset, which would hide it
        self._show_result()
        self.saving_changed.emit(False)  # keys typed meanwhile go to the next citizen's form
        self.saved.emit(dossier)

    def _save_failed(self, error: BaseException) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self.errors.show(error, self._tr)  # the form keeps everything typed
        self.saving_changed.emit(False)

    # --- next dossier ---------------------------------------------------------------------------
    def _edited(self, *_args) -> None:
        """The receptionist started on the next dossier: the last one's banner goes."""
        if not self._quiet and self.last_saved is not None:
            self.last_saved = None
            self._show_result()

    def has_input(self) -> bool:
        """Whether anything was typed or chosen for the dossier being taken."""
        return bool(
            any(e.text().strip() for e in (self.full_name, self.id_number, self.birth_date, self.address, self.phone,
                                            self.email, self.notes))
            or self.gender.currentIndex() > 0 or self.finder.procedure is not None or self.sets.value() != 1
            or self.channel.currentIndex() > 0 or self.checklist.documents()
        )

    def new_dossier(self) -> None:
        """F2 / 'Làm mới': an empty form for the next citizen. When something was typed, ask
        first (Enter discards it, Esc keeps it)."""
        if self.confirm_new is not None:
            return
        if not self.has_input():
            self.reset()
            return
        tr = self._tr
        box = QMessageBox(QMessageBox.Icon.Question, tr("Hồ sơ mới"),
                          tr("Bỏ các thông tin đang nhập để bắt đầu hồ sơ mới?"), parent=self)
        discard = box.addButton(tr("Bỏ và làm mới"), QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton(tr("Tiếp tục nhập"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(discard)
        box.setEscapeButton(keep)

        def answered(_result: int) -> None:
            self.confirm_new = None
            if box.clickedButton() is discard:
                self.reset()
            box.deleteLater()  # kept: the form as it was, the cursor where it was

        box.finished.connect(answered)
        self.confirm_new = box
        box.open()

    def reset(self) -> None:
        self._quiet = True
        self.last_saved = None
        self._show_result()
        for edit in (self.full_name, self.id_number, self.birth_date, self.address, self.phone, self.email, self.notes):
            edit.clear()
        self.gender.setCurrentIndex(0)
        self.sets.setValue(1)
        self.channel.setCurrentIndex(0)
        self.finder.reset()
        self._scanned_name = ""
        self._show_scan_hint()
        self.errors.clear()
        self._quiet = False
        self.full_name.setFocus()

"""Sửa hồ sơ: correct a saved dossier while it is still at the desk: a typo in the
name, a document forgotten on the checklist, phone, email, address, notes. UI thread; the
dossier is read and the correction written on the DB thread (``services.edits``), which
validates it like an intake and keeps before/after in the history."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.dossier import DOCUMENT_KINDS, GENDERS, RETURN_CHANNELS
from desk_app.domain.errors import DeskError
from desk_app.i18n import Translator
from desk_app.ui.changes import dossier_code
from desk_app.ui.field_errors import FieldErrors, error_label
from desk_app.ui.formatting import read_date, show_date
from desk_app.ui.ops import Op
from desk_app.ui.tasks import TaskRunner
from desk_app.ui.widgets import fit_to_screen, with_error

if TYPE_CHECKING:  # the composition root (and the store under it) loads with the services
    from desk_app.services.context import DeskServices
    from desk_app.services.dossier_view import DossierView


def load_editable(services: DeskServices, code: str) -> dict:
    """DB thread: the dossier's editable fields (refused if it has left the desk)."""
    return services.edits.current(code)


def save_edit(services: DeskServices, code: str, request: dict) -> DossierView:
    """DB thread: the correction, its history row and its outbox record in one transaction."""
    return services.edits.edit(code, request)


class DossierEditDialog(QDialog):
    saved = Signal(object)  # the updated dossier (a DossierView)

    def __init__(self, runner: TaskRunner, tr: Translator, current: dict, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self._tr, self.current = runner, tr, current
        self.setWindowTitle(tr("Sửa hồ sơ {code}", code=current["code"]))
        self.setModal(True)
        self.general_error = error_label()
        self.errors = FieldErrors(self.general_error)

        form_box = self._build_form(tr, current)
        docs_box = self._build_documents(tr, current)
        self._build_layout(tr, form_box, docs_box)
        fit_to_screen(self, 1100, 620)
        self.full_name.setFocus()

    def _build_form(self, tr: Translator, current: dict) -> QGroupBox:
        """The applicant's and the dossier's fields, each with its error line."""
        applicant = current["applicant"]

        def line(field: str, value: str) -> tuple[QLineEdit, QWidget]:
            edit = QLineEdit(value)
            box, label = with_error(edit)
            self.errors.add(field, edit, label)
            return edit, box

        self.full_name, name_box = line("full_name", applicant["full_name"])
        self.id_number, id_box = line("id_number", applicant["id_number"])
        self.birth_date, birth_box = line("birth_date", show_date(applicant["birth_date"]))
        self.birth_date.setPlaceholderText(tr("ngày/tháng/năm"))
        self.gender = QComboBox()
        self.gender.addItem("", "")
        for gender in GENDERS:
            self.gender.addItem(tr(gender), gender)
        self.gender.setCurrentIndex(max(0, self.gender.findData(applicant["gender"])))
        gender_box, gender_error = with_error(self.gender)
        self.errors.add("gender", self.gender, gender_error)
        self.address, address_box = line("address", applicant["address"])
        self.phone, phone_box = line("phone", applicant["phone"])
        self.email, email_box = line("email", applicant["email"])
        self.sets = QSpinBox()
        self.sets.setRange(1, 99)
        self.sets.setValue(current["sets"])
        sets_box, sets_error = with_error(self.sets)
        self.errors.add("sets", self.sets, sets_error)
        self.channel = QComboBox()
        for key, label in RETURN_CHANNELS.items():
            self.channel.addItem(tr(label), key)
        self.channel.setCurrentIndex(max(0, self.channel.findData(current["return_channel"])))
        self.notes, notes_box = line("notes", current["notes"])
        self.reason, reason_box = line("note", "")
        self.reason.setPlaceholderText(tr("Vì sao sửa (ghi vào lịch sử hồ sơ)"))

        form_box = QGroupBox(tr("Người nộp và hồ sơ"))
        form = QFormLayout(form_box)
        for caption, widget in (
            (tr("Họ tên"), name_box), (tr("Số định danh"), id_box), (tr("Ngày sinh"), birth_box),
            (tr("Giới tính"), gender_box), (tr("Địa chỉ"), address_box), (tr("Điện thoại"), phone_box),
            (tr("Email"), email_box), (tr("Số bộ"), sets_box), (tr("Nơi trả kết quả"), self.channel),
            (tr("Ghi chú"), notes_box), (tr("Lý do sửa"), reason_box),
        ):
            form.addRow(caption, widget)
        return form_box

    def _build_documents(self, tr: Translator, current: dict) -> QGroupBox:
        """The documents received, with adding from the procedure's list and removing."""
        docs_box = QGroupBox(tr("Giấy tờ đã nhận"))
        self.documents = QTableWidget(0, 3)
        self.documents.setHorizontalHeaderLabels([tr("Giấy tờ"), tr("Loại"), tr("Số lượng")])
        self.documents.verticalHeader().hide()
        self.documents.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.documents.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        for document in current["documents"]:
            self.add_document(document["name"], document["kind"], document["count"])
        self.catalogue = QComboBox()
        self.catalogue.setMinimumContentsLength(20)
        self.catalogue.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self._fill_catalogue()
        self.add_button = QPushButton(tr("Thêm giấy tờ"))
        self.add_button.clicked.connect(self._add_chosen)
        self.remove_button = QPushButton(tr("Bỏ giấy tờ đã chọn"))
        self.remove_button.clicked.connect(self.remove_selected)
        docs_error = error_label()
        self.errors.add("documents", self.documents, docs_error)
        tools = QHBoxLayout()
        tools.addWidget(self.catalogue, 1)
        tools.addWidget(self.add_button)
        tools.addWidget(self.remove_button)
        docs_layout = QVBoxLayout(docs_box)
        docs_layout.addWidget(self.documents, 1)
        docs_layout.addLayout(tools)
        docs_layout.addWidget(docs_error)
        return docs_box

    def _build_layout(self, tr: Translator, form_box: QGroupBox, docs_box: QGroupBox) -> None:
        """Fields left, documents right, Save / Cancel below."""
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(tr("Lưu thay đổi"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(tr("Hủy"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        columns = QHBoxLayout()
        columns.addWidget(form_box, 1)
        columns.addWidget(docs_box, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)

    # --- documents -------------------------------------------------------------------------------
    def add_document(self, name: str = "", kind: str = "original", count: int = 1) -> int:
        row = self.documents.rowCount()
        self.documents.insertRow(row)
        self.documents.setItem(row, 0, QTableWidgetItem(name))
        kinds = QComboBox()
        for key, label in DOCUMENT_KINDS.items():
            kinds.addItem(self._tr(label), key)
        kinds.setCurrentIndex(max(0, kinds.findData(kind)))
        self.documents.setCellWidget(row, 1, kinds)
        counter = QSpinBox()
        counter.setRange(1, 999)
        counter.setValue(count)
        self.documents.setCellWidget(row, 2, counter)
        return row

    def _names(self) -> list[str]:
        return [(item.text() if (item := self.documents.item(r, 0)) else "") for r in range(self.documents.rowCount())]

    def _fill_catalogue(self) -> None:
        """The procedure's documents not yet listed, then a blank row for any other."""
        taken = {n.strip().lower() for n in self._names()}
        self.catalogue.clear()
        for name in self.current.get("catalogue_documents", []):
            if name.strip().lower() not in taken:
                self.catalogue.addItem(name, name)
        self.catalogue.addItem(self._tr("Giấy tờ khác…"), "")

    def _add_chosen(self) -> None:
        name = self.catalogue.currentData() or ""
        row = self.add_document(name)
        self.documents.setCurrentCell(row, 0)
        item = self.documents.item(row, 0)
        if not name and item is not None:
            self.documents.editItem(item)
        self._fill_catalogue()

    def remove_selected(self) -> None:
        for row in sorted({i.row() for i in self.documents.selectedIndexes()}, reverse=True):
            self.documents.removeRow(row)
        self._fill_catalogue()

    def documents_value(self) -> list[dict]:
        out = []
        for row in range(self.documents.rowCount()):
            item = self.documents.item(row, 0)
            out.append({
                "name": item.text() if item else "",
                "kind": cast(QComboBox, self.documents.cellWidget(row, 1)).currentData(),
                "count": cast(QSpinBox, self.documents.cellWidget(row, 2)).value(),
            })
        return out

    # --- saving ----------------------------------------------------------------------------------
    def request(self) -> dict:
        """The edit request (the same JSON as ``desk edit --json``); raises a field error for a
        date that cannot be read."""
        return {
            "applicant": {
                "full_name": self.full_name.text(),
                "id_number": self.id_number.text(),
                "birth_date": read_date(self.birth_date.text(), field="birth_date"),
                "gender": self.gender.currentData(),
                "address": self.address.text(),
                "phone": self.phone.text(),
                "email": self.email.text(),
            },
            "documents": self.documents_value(),
            "sets": self.sets.value(),
            "return_channel": self.channel.currentData(),
            "notes": self.notes.text(),
            "note": self.reason.text(),
        }

    def save(self) -> None:
        self.errors.clear()
        try:
            request = self.request()
        except DeskError as exc:
            self.errors.show(exc, self._tr)
            return
        self.save_button.setEnabled(False)
        Op(self, self.runner, lambda: self._tr, save_edit, self.current["code"], request,
           on_success=self._saved, on_failure=self._failed, changes=dossier_code).run()

    def _saved(self, dossier: DossierView) -> None:
        self.saved.emit(dossier)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.errors.show(error, self._tr)

    def keyPressEvent(self, event) -> None:
        # Enter in a line edit saves (the default button); in the table it edits the cell.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.documents.hasFocus():
            event.ignore()
            return
        super().keyPressEvent(event)

"""Nhập danh mục thủ tục: choose a province's CSV / .xlsx, see every bad row's error before
anything changes, then import (all rows, or the good ones when the officer says so). The file
is read and imported on the DB thread. UI thread."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.i18n import Translator
from desk_app.ui.field_errors import FieldErrors, error_label

if TYPE_CHECKING:  # the composition root (and the store under it) loads with the services
    from desk_app.services.context import DeskServices


def check_catalogue(services: DeskServices, path: Path) -> dict:
    """DB thread: parse only; nothing is written."""
    return services.catalogue.check_file(path)


def import_catalogue(services: DeskServices, path: Path, allow_partial: bool) -> dict:
    """DB thread: one transaction; a file with bad rows changes nothing unless ``allow_partial``."""
    return services.catalogue.import_file(path, allow_partial=allow_partial)


class CatalogueImportDialog(QDialog):
    imported = Signal(dict)  # {"imported": n, "errors": [...]}

    def __init__(self, runner, tr: Translator, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.tr_ = runner, tr
        self.checked: dict | None = None  # check_file's answer for the path shown
        self.setWindowTitle(tr("Nhập danh mục thủ tục"))
        self.setMinimumWidth(640)
        self.path = QLineEdit()
        self.path.setPlaceholderText(tr("Tệp .csv hoặc .xlsx của tỉnh"))
        self.browse = QPushButton(tr("Chọn tệp…"))
        self.browse.setAutoDefault(False)
        self.check_button = QPushButton(tr("Kiểm tra"))
        self.check_button.setAutoDefault(False)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        row.addWidget(self.check_button)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.row_errors = QListWidget()  # one line per bad row, as read_catalogue_file reports it
        self.row_errors.hide()
        self.allow_partial = QCheckBox(tr("Nhập các dòng hợp lệ, bỏ qua các dòng lỗi"))
        self.allow_partial.hide()
        self.error = error_label()
        self.errors = FieldErrors(self.error)
        self.errors.add("file", self.path, self.error)
        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton(tr("Nhập danh mục"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(False)
        close = self.buttons.addButton(tr("Đóng"), QDialogButtonBox.ButtonRole.RejectRole)
        for button in (self.import_button, close):  # Enter in the path checks the file; it never closes
            button.setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("Tệp danh mục (cột: mã, tên, thời hạn, … ; giấy tờ \"tên|loại|số lượng|không bắt buộc\"):")))
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(self.summary)
        layout.addWidget(self.row_errors, 1)
        layout.addWidget(self.allow_partial)
        layout.addWidget(self.buttons)
        self.browse.clicked.connect(self.choose_file)
        self.check_button.clicked.connect(self.check)
        self.path.returnPressed.connect(self.check)
        self.path.textEdited.connect(lambda _t: self._forget_check())
        self.allow_partial.toggled.connect(lambda _on: self._update_import_button())
        self.buttons.accepted.connect(self.run_import)
        self.buttons.rejected.connect(self.reject)
        self.busy = False

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr_("Chọn tệp danh mục"), self.path.text(), self.tr_("Danh mục (*.csv *.xlsx)")
        )
        if path:
            self.path.setText(path)
            self.check()

    def _forget_check(self) -> None:
        self.checked = None
        self.summary.clear()
        self.row_errors.clear()
        self.row_errors.hide()
        self.allow_partial.hide()
        self._update_import_button()

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in (self.check_button, self.browse):
            widget.setEnabled(not busy)
        self._update_import_button()

    def _update_import_button(self) -> None:
        checked = self.checked
        ready = (bool(checked["procedures"]) and (not checked["errors"] or self.allow_partial.isChecked())
                 if checked else False)
        self.import_button.setEnabled(ready and not self.busy)

    def check(self) -> None:
        if self.busy:
            return
        self.errors.clear()
        self._forget_check()
        text = self.path.text().strip()
        if not text:
            return
        self._set_busy(True)
        self.summary.setText(self.tr_("Đang đọc tệp…"))
        self.runner.db(check_catalogue, Path(text).expanduser(), on_done=self._checked, on_error=self._failed)

    def _checked(self, result: dict) -> None:
        tr = self.tr_
        self.checked = result
        self._set_busy(False)
        errors = result["errors"]
        self.summary.setText(tr("{good} thủ tục hợp lệ, {bad} dòng lỗi.", good=result["procedures"], bad=len(errors)))
        self.row_errors.clear()
        self.row_errors.addItems(errors)
        self.row_errors.setVisible(bool(errors))
        self.allow_partial.setChecked(False)
        self.allow_partial.setVisible(bool(errors) and result["procedures"] > 0)
        self._update_import_button()

    def run_import(self) -> None:
        if self.busy or not self.import_button.isEnabled():
            return
        self._set_busy(True)
        self.runner.db(import_catalogue, Path(self.path.text().strip()).expanduser(), self.allow_partial.isChecked(),
                       on_done=self._imported, on_error=self._failed)

    def _imported(self, result: dict) -> None:
        self._set_busy(False)
        self.summary.setText(self.tr_("Đã nhập {count} thủ tục. Danh mục mẫu (nếu có) đã được thay.", count=result["imported"]))
        self.import_button.setEnabled(False)
        self.imported.emit(result)

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.summary.clear()
        self.errors.show(error, self.tr_)
        details = getattr(error, "details", None)
        if details:
            self.row_errors.clear()
            self.row_errors.addItems(details)
            self.row_errors.show()

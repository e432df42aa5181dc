"""The tracking book (Mẫu 06) for a date range, to PDF or .xlsx: dates, format, file.
UI thread; OK emits ``submitted`` and the controller reads the book on the DB thread and
renders and writes it on the I/O pool.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from desk_app.domain.errors import ValidationError
from desk_app.domain.formats import QT_DATE, file_day
from desk_app.i18n import Translator
from desk_app.ui.printing.dialog_base import SubmitDialog

FORMATS = (("pdf", "PDF (.pdf)"), ("xlsx", "Excel (.xlsx)"))


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class BookDialog(SubmitDialog):
    """``values()``: {"date_from": date, "date_to": date, "path": Path}."""

    def __init__(self, tr: Translator, today: date, folder: Path, parent: QWidget | None = None):
        super().__init__(tr, tr("Sổ theo dõi hồ sơ (Mẫu 06)"), tr("Xuất sổ"), parent)
        self.setMinimumWidth(520)
        self.folder = folder
        self.date_from = self._date_edit(today.replace(day=1))
        self.date_to = self._date_edit(today)
        self.form.addRow(tr("Từ ngày:"), self.date_from)
        self.form.addRow(tr("Đến ngày:"), self.date_to)
        self.format = QComboBox()
        for key, label in FORMATS:
            self.format.addItem(label, key)
        self.form.addRow(tr("Định dạng:"), self.format)
        self.path = QLineEdit()
        self.browse = QPushButton(tr("Chọn…"))
        self.browse.setAutoDefault(False)  # Enter exports, it does not open the file chooser
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        self.form.addRow(tr("Lưu vào tệp:"), row)
        self.fields.update({"from": self.date_from, "to": self.date_to, "out": self.path})
        self._auto_path = ""
        self._suggest_path()
        for signal in (self.date_from.dateChanged, self.date_to.dateChanged, self.format.currentIndexChanged):
            signal.connect(lambda *_a: self._suggest_path())
        self.browse.clicked.connect(self.choose_file)
        self.date_from.setFocus()

    @staticmethod
    def _date_edit(day: date) -> QDateEdit:
        edit = QDateEdit(to_qdate(day))
        edit.setDisplayFormat(QT_DATE)
        edit.setCalendarPopup(True)
        return edit

    def suffix(self) -> str:
        return "." + self.format.currentData()

    def _suggest_path(self) -> None:
        """A file name from the dates and format, unless the officer typed or chose their own."""
        if self.path.text() and self.path.text() != self._auto_path:
            current = Path(self.path.text())
            if current.suffix.lower() != self.suffix():  # the format changed: follow it
                self.path.setText(str(current.with_suffix(self.suffix())))
            return
        name = f"so-theo-doi_{file_day(from_qdate(self.date_from.date()))}-{file_day(from_qdate(self.date_to.date()))}{self.suffix()}"
        self._auto_path = str(self.folder / name)
        self.path.setText(self._auto_path)

    def choose_file(self) -> None:
        key = self.format.currentData()
        path, _filter = QFileDialog.getSaveFileName(self, self.tr_("Lưu sổ theo dõi"), self.path.text(),
                                                    dict(FORMATS)[key].replace(" (", " (*"))
        if path:
            if Path(path).suffix.lower() != self.suffix():
                path = str(Path(path).with_suffix(self.suffix()))
            self.path.setText(path)

    def check(self) -> ValidationError | None:
        if not self.path.text().strip():
            return ValidationError("Hãy chọn tệp để lưu sổ theo dõi.", field="out")
        if self.date_to.date() < self.date_from.date():
            return ValidationError("Ngày kết thúc phải sau ngày bắt đầu.", field="to")
        return None

    def values(self) -> dict:
        return {
            "date_from": from_qdate(self.date_from.date()),
            "date_to": from_qdate(self.date_to.date()),
            "path": Path(self.path.text().strip()).expanduser(),
        }

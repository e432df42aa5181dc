"""Lịch nghỉ, làm bù: the year's days off and make-up working days with where each comes from
(the law, official notices shipped with the app, the province, this desk), and this desk's own
overrides added or removed (``desk calendar --set``). Appointments use them at once. Reads and
writes run on the DB thread. UI thread."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.formats import QT_DATE
from desk_app.i18n import N_, Translator
from desk_app.ui.field_errors import FieldErrors, error_label
from desk_app.ui.formatting import show_date
from desk_app.ui.tables import refill_table

if TYPE_CHECKING:  # the composition root (and the store under it) loads with the services
    from desk_app.services.context import DeskServices

KINDS = {"off": N_("Nghỉ"), "work": N_("Làm việc bù")}
SOURCES = {"desk": N_("Bàn này"), "province": N_("Tỉnh"), "official": N_("Thông báo chính thức"), "law": N_("Luật")}


def load_year(services: DeskServices, year: int) -> list[dict]:
    """DB thread."""
    return services.setup.calendar_year(year)


def set_day(services: DeskServices, day: date, kind: str | None, note: str, year: int) -> list[dict]:
    """DB thread: write the override, then the year as it now reads."""
    services.setup.set_day(day, kind, note)
    return services.setup.calendar_year(year)


class CalendarDialog(QDialog):
    def __init__(self, runner, tr: Translator, parent: QWidget | None = None, *, today: date | None = None):
        super().__init__(parent)
        self.runner, self.tr_ = runner, tr
        self.days: list[dict] = []
        today = today or date.today()
        self.setWindowTitle(tr("Lịch nghỉ, làm bù"))
        self.resize(760, 560)
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(today.year)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([tr("Ngày"), tr("Loại"), tr("Tên, ghi chú"), tr("Theo")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.remove_button = QPushButton(tr("Bỏ ngày của bàn này"))
        self.remove_button.setAutoDefault(False)
        self.remove_button.setEnabled(False)
        self.day = QDateEdit(QDate(today.year, today.month, today.day))
        self.day.setDisplayFormat(QT_DATE)
        self.day.setCalendarPopup(True)
        self.kind = QComboBox()
        for key, label in KINDS.items():
            self.kind.addItem(tr(label), key)
        self.note = QLineEdit()
        self.note.setPlaceholderText(tr("Ghi chú, ví dụ: Nghỉ bù theo thông báo của UBND tỉnh"))
        self.add_button = QPushButton(tr("Thêm"))
        self.add_button.setAutoDefault(False)
        self.error = error_label()
        self.errors = FieldErrors(self.error)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("Năm:")))
        top.addWidget(self.year)
        top.addStretch(1)
        top.addWidget(self.remove_button)
        add = QHBoxLayout()
        add.addWidget(self.day)
        add.addWidget(self.kind)
        add.addWidget(self.note, 1)
        add.addWidget(self.add_button)
        buttons = QDialogButtonBox()
        close = buttons.addButton(tr("Đóng"), QDialogButtonBox.ButtonRole.RejectRole)
        close.setAutoDefault(False)  # Enter in the note adds the day; it never closes the dialog
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(QLabel(tr("Thêm ngày nghỉ hoặc ngày làm việc bù của bàn này (ưu tiên hơn mọi nguồn khác):")))
        layout.addLayout(add)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.year.valueChanged.connect(lambda _y: self.load())
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.add_button.clicked.connect(self.add_day)
        self.note.returnPressed.connect(self.add_day)
        self.remove_button.clicked.connect(self.remove_day)
        self.busy = False
        self.load()

    def load(self) -> None:
        self.runner.db(load_year, self.year.value(), on_done=self._loaded, on_error=self._failed)

    def _loaded(self, days: list[dict]) -> None:
        tr = self.tr_
        self.busy = False
        self.add_button.setEnabled(True)
        self.days = days
        # The day chosen stays chosen by its date (a day added before it moves it down).
        refill_table(self.table, [(show_date(day["day"]), tr(KINDS.get(day["kind"], day["kind"])), day["name"] or "",
                                   tr(SOURCES.get(day["source"], day["source"]))) for day in days])
        self._selection_changed()

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self.add_button.setEnabled(True)
        self._selection_changed()
        self.errors.show(error, self.tr_)

    def selected_day(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows()
        return self.days[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        chosen = self.selected_day()
        self.remove_button.setEnabled(not self.busy and chosen is not None and chosen["source"] == "desk")

    def _write(self, day: date, kind: str | None, note: str) -> None:
        if self.busy:
            return
        self.busy = True
        self.errors.clear()
        self.add_button.setEnabled(False)
        self.remove_button.setEnabled(False)
        self.runner.db(set_day, day, kind, note, self.year.value(), on_done=self._loaded, on_error=self._failed)

    def add_day(self) -> None:
        qday = self.day.date()
        day = date(qday.year(), qday.month(), qday.day())
        if day.year != self.year.value():
            self.year.blockSignals(True)
            self.year.setValue(day.year)  # show the year the day was added to
            self.year.blockSignals(False)
        self._write(day, self.kind.currentData(), self.note.text().strip())
        self.note.clear()

    def remove_day(self) -> None:
        chosen = self.selected_day()
        if chosen is not None and chosen["source"] == "desk":
            self._write(date.fromisoformat(chosen["day"]), None, "")

"""The supervisor's review queue: views (due today, within 2 working days, overdue,
supplement requested, refused, unsynced or quarantined) with their counts, filters by receiver,
procedure and period, sorting, and a bulk status change of the selected dossiers after a
confirmation. From an overdue dossier, form 04 (apology, new appointment) opens prefilled.
Reads and changes run on the DB thread. UI thread."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.dossier import STATUS_LABELS, STATUSES, TRANSITIONS
from desk_app.domain.formats import QT_DATE
from desk_app.i18n import Translator
from desk_app.services.review import REVIEW_VIEWS
from desk_app.ui.accounts.lock import error_text
from desk_app.ui.changes import ChangeFollower
from desk_app.ui.ops import LatestAnswer, Op
from desk_app.ui.tables import refill_table
from desk_app.ui.tasks import TaskRunner

if TYPE_CHECKING:  # the composition root (and the store under it) loads with the services
    from desk_app.services.context import DeskServices

COLUMNS = ("code", "applicant_name", "procedure_name", "received_by", "received_at", "appointment_at", "status")


def load_review(services: DeskServices, view: str, filters: dict) -> dict:
    return {
        "rows": services.review.rows(view, **filters),
        "counts": services.review.counts(),
        "receivers": services.review.receivers(),
        "procedures": [(p.code, p.name) for p in services.catalogue.list()],
    }


def bulk_change(services: DeskServices, codes: list[str], status: str, note: str) -> dict:
    result = services.review.bulk_status(codes, status, note=note)
    return {"done": result["done"], "failed": [{"code": f["code"], "message": f["error"].translated(services.tr)}
                                               for f in result["failed"]]}


def _vn(iso: str) -> str:
    return f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]} {iso[11:16]}" if iso else ""


class ReviewPage(QWidget):
    def __init__(self, runner: TaskRunner, tr: Translator, window=None):
        super().__init__()
        self.latest = LatestAnswer()  # rows for a view no longer chosen are not shown
        self.runner = runner
        self.main_window = window  # not ``window``: that would hide QWidget.window()
        self._tr = tr
        self.rows: list[dict] = []
        self.view = QComboBox()
        for key, title in REVIEW_VIEWS.items():
            self.view.addItem(tr(title), key)
        self.receiver = QComboBox()
        self.procedure = QComboBox()
        self.procedure.setMaximumWidth(260)
        self.use_period = QCheckBox(tr("Nhận từ"))
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for date_edit in (self.date_from, self.date_to):
            date_edit.setCalendarPopup(True)
            date_edit.setDisplayFormat(QT_DATE)
        today = date.today()
        self.date_from.setDate(QDate(today.year, today.month, 1))
        self.date_to.setDate(QDate(today.year, today.month, today.day))
        refresh = QPushButton(tr("Lọc"))
        refresh.clicked.connect(self.refresh)
        filters = QHBoxLayout()
        for widget in (QLabel(tr("Xem")), self.view, QLabel(tr("Cán bộ")), self.receiver, QLabel(tr("Thủ tục")),
                       self.procedure, self.use_period, self.date_from, QLabel(tr("đến")), self.date_to, refresh):
            filters.addWidget(widget)
        filters.addStretch(1)
        self.counts = QLabel("")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([tr("Mã hồ sơ"), tr("Người nộp"), tr("Thủ tục"), tr("Cán bộ tiếp nhận"),
                                              tr("Ngày nhận"), tr("Hẹn trả"), tr("Trạng thái")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().setVisible(False)
        for column, width in enumerate((210, 170, 260, 150, 120, 120)):
            self.table.setColumnWidth(column, width)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.cellDoubleClicked.connect(self._open)
        # Only statuses a dossier can be changed to ("received" is where every dossier starts),
        # and none chosen at first: a bulk change is always an explicit choice.
        self.status = QComboBox()
        self.status.addItem(tr("— Chọn trạng thái mới —"), None)
        targets = frozenset().union(*TRANSITIONS.values())
        for status in STATUSES:
            if status in targets:
                self.status.addItem(tr(STATUS_LABELS[status]), status)
        self.status.currentIndexChanged.connect(lambda _i: self._selection_changed())
        self.change = QPushButton(tr("Đổi trạng thái các hồ sơ đã chọn…"))
        self.change.setEnabled(False)
        self.change.clicked.connect(self.bulk)
        self.apology = QPushButton(tr("Phiếu xin lỗi, hẹn lại (Mẫu 04)…"))
        self.apology.setEnabled(False)
        self.apology.clicked.connect(self._apology)
        actions = QHBoxLayout()
        actions.addWidget(QLabel(tr("Trạng thái mới")))
        actions.addWidget(self.status)
        actions.addWidget(self.change)
        actions.addWidget(self.apology)
        actions.addStretch(1)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.counts)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.message)
        self.view.currentIndexChanged.connect(lambda _i: self.refresh())
        self._lists_loaded = False
        self._notice = ""
        ChangeFollower(self, runner.changes, self.refresh)  # a hidden page re-reads when shown

    def activate(self) -> None:
        self.refresh()

    def filters(self) -> dict:
        out: dict = {"received_by": self.receiver.currentData() or "", "procedure_code": self.procedure.currentData() or ""}
        if self.use_period.isChecked():
            for key, edit in (("date_from", self.date_from), ("date_to", self.date_to)):
                value = edit.date()
                out[key] = date(value.year(), value.month(), value.day())
        return out

    def refresh(self) -> None:
        self.message.setText(self._tr("Đang tải…"))
        self.runner.db(load_review, self.view.currentData(), self.filters(), on_done=self.latest.callback(self.show_rows),
                       on_error=self._failed)

    def show_rows(self, data: dict) -> None:
        tr = self._tr
        if not self._lists_loaded:
            self.receiver.addItem(tr("Tất cả"), "")
            for name in data["receivers"]:
                self.receiver.addItem(name or "—", name)
            self.procedure.addItem(tr("Tất cả"), "")
            for code, name in data["procedures"]:
                self.procedure.addItem(name, code)
            self._lists_loaded = True
        self.counts.setText(" · ".join(f"{tr(title)}: {data['counts'][key]}" for key, title in REVIEW_VIEWS.items()))
        self.rows = data["rows"]
        cells = []
        for row in self.rows:
            status = tr(STATUS_LABELS.get(row["status"], row["status"]))
            if row.get("quarantined"):
                status += " · " + tr("bị giữ lại")
            cells.append((row["code"], row["applicant_name"], row["procedure_name"], row["received_by"],
                          _vn(row["received_at"]), _vn(row["appointment_at"]), status))
        # The selection is of dossiers, not row positions: after a reload in which rows moved
        # (a dossier changed on another page left the list), a bulk change must not fall on
        # the dossiers that moved into the selected places.
        refill_table(self.table, cells)
        # The outcome of a bulk change stays in view after the list reloads.
        notice, self._notice = self._notice, ""
        self.message.setText(" ".join(filter(None, [tr("{n} hồ sơ.", n=len(self.rows)), notice])))

    def selected_codes(self) -> list[str]:
        rows = sorted({index.row() for index in self.table.selectedIndexes()})
        return [item.text() for r in rows if (item := self.table.item(r, 0)) is not None]

    def _selection_changed(self) -> None:
        codes = self.selected_codes()
        self.change.setEnabled(bool(codes) and self.status.currentData() is not None)
        self.apology.setEnabled(len(codes) == 1 and self.view.currentData() == "overdue")

    def bulk(self) -> None:
        tr = self._tr
        codes = self.selected_codes()
        status = self.status.currentData()
        if not codes or status is None:
            return
        note, ok = QInputDialog.getText(self, tr("Đổi trạng thái"), tr("Ghi chú / lý do (bắt buộc khi từ chối, rút):"))
        if not ok:
            return
        answer = QMessageBox.question(
            self, tr("Xác nhận"),
            tr("Đổi {n} hồ sơ sang trạng thái \"{status}\"?", n=len(codes), status=tr(STATUS_LABELS[status])),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        Op(self, self.runner, lambda: self._tr, bulk_change, codes, status, note, on_success=self._changed,
           on_failure=self._failed, changes=lambda result: result["done"]).run()

    def _changed(self, result: dict) -> None:
        tr = self._tr
        text = tr("Đã đổi {n} hồ sơ.", n=len(result["done"]))
        if result["failed"]:
            text += " " + tr("Không đổi được: {items}", items="; ".join(f"{f['code']}: {f['message']}" for f in result["failed"]))
        self._notice = text
        if not result["done"]:  # else the change signal reloads the list, the notice with it
            self.refresh()

    def _open(self, row: int, _column: int) -> None:
        item = self.table.item(row, 0)
        if self.main_window is not None and item is not None:
            self.main_window.open_dossier(item.text())

    def _apology(self) -> None:
        """Form 04 prefilled, through the printing add-on's own dialog on the dossier page."""
        codes = self.selected_codes()
        if self.main_window is None or not codes:
            return
        printing = getattr(getattr(self.main_window, "accounts", None), "printing", None)
        if printing is not None:
            printing.print_form(codes[0], "04")  # its details dialog comes prefilled

    def _failed(self, error: BaseException) -> None:
        self.message.setText(error_text(error, self._tr))

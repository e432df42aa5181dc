"""The queue table model: fetches lazily, one keyset page at a time, on the DB thread.

A million dossiers never come into memory: the view asks for more (``canFetchMore`` /
``fetchMore``) as the receptionist scrolls, each page is read after the last row's
(received_ts, id), and rows are appended when the page arrives on the UI thread. The total
count is read in the background after the first page so it never delays the first rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from desk_app.i18n import N_, Translator
from desk_app.ui.formatting import late_text, show_datetime, status_label
from desk_app.ui.tasks import TaskRunner

if TYPE_CHECKING:  # the composition root (and the store under it) loads with the services
    from desk_app.services.context import DeskServices

PAGE_SIZE = 200
COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", N_("Mã hồ sơ")),
    ("applicant_name", N_("Người nộp")),
    ("applicant_id_number", N_("Số định danh")),
    ("phone", N_("Điện thoại")),
    ("procedure_name", N_("Thủ tục")),
    ("received_at", N_("Ngày nhận")),
    ("appointment_at", N_("Hẹn trả")),
    ("status", N_("Trạng thái")),
    ("synced_at", N_("Đã gửi lên tỉnh")),
)
OVERDUE = QColor("#b00020")


def fetch_page(services: DeskServices, query: dict, after: tuple[int, int] | None, limit: int) -> list[dict]:
    """DB thread: one page of the queue for ``query`` (QueueService.make_filter arguments)."""
    return services.queue.page(services.queue.make_filter(**query), after=after, limit=limit)


def count_rows(services: DeskServices, query: dict) -> int:
    """DB thread."""
    return services.queue.count(services.queue.make_filter(**query))


class QueueModel(QAbstractTableModel):
    count_changed = Signal(int)  # rows matching the query; -1 while being counted
    page_loaded = Signal(int)  # rows loaded so far
    failed = Signal(object)  # a DeskError from the DB thread

    def __init__(self, runner: TaskRunner, tr: Translator, *, page_size: int = PAGE_SIZE, parent=None):
        super().__init__(parent)
        self.runner = runner
        self._tr = tr
        self.page_size = page_size
        self._rows: list[dict[str, Any]] = []
        self._query: dict | None = None
        self._generation = 0
        self._loading = False
        self._exhausted = True
        self.total: int | None = None

    # --- query ------------------------------------------------------------------------------
    def set_query(self, query: dict) -> None:
        """Show the dossiers matching ``query`` (text, status, view, date_from, date_to)."""
        self._generation += 1
        self.beginResetModel()
        self._rows = []
        self._query = dict(query)
        self._loading = False
        self._exhausted = False
        self.total = None
        self.endResetModel()
        self.count_changed.emit(-1)
        self._fetch()
        generation = self._generation
        self.runner.interrupt_reads()  # the previous query's count is of no use any more
        self.runner.read(
            count_rows,
            self._query,
            on_done=lambda n: self._counted(generation, n),
            on_error=lambda error: self._count_failed(generation, error),
        )

    def refresh(self) -> None:
        if self._query is not None:
            self.set_query(self._query)

    @property
    def loading(self) -> bool:
        return self._loading

    def _counted(self, generation: int, total: int) -> None:
        if generation == self._generation:
            self.total = total
            self.count_changed.emit(total)

    def _count_failed(self, generation: int, error: BaseException) -> None:
        # A count interrupted because the receptionist typed a new search is not an error.
        if generation == self._generation:
            self.count_changed.emit(-2)  # unknown; the rows themselves are still shown

    def _failed(self, error: BaseException) -> None:
        self._loading = False
        self._exhausted = True
        self.failed.emit(error)

    # --- lazy fetching ---------------------------------------------------------------------------
    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:
        if not parent.isValid():
            self._fetch()

    def _fetch(self) -> None:
        if self._loading or self._exhausted or self._query is None:
            return
        self._loading = True
        last = self._rows[-1] if self._rows else None
        after = (last["received_ts"], last["id"]) if last else None
        generation = self._generation
        self.runner.db(
            fetch_page, self._query, after, self.page_size,
            on_done=lambda rows: self._append(generation, rows), on_error=self._failed,
        )

    def _append(self, generation: int, rows: list[dict]) -> None:
        if generation != self._generation:
            return  # the query changed while this page was read
        self._loading = False
        if len(rows) < self.page_size:
            self._exhausted = True
        if rows:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self.page_loaded.emit(len(self._rows))

    # --- model API --------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._tr(COLUMNS[section][1])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            # The full text; the view shows it only where the cell cuts it off (ElidedTooltips).
            return self._display(row, key)
        if role == Qt.ItemDataRole.ForegroundRole and key == "appointment_at" and self._overdue(row):
            return QBrush(OVERDUE)
        if role == Qt.ItemDataRole.UserRole:
            return row["code"]
        return None

    def _display(self, row: dict, key: str) -> str:
        tr = self._tr
        if key == "appointment_at" and row.get("days_late") is not None:
            return f"{show_datetime(row[key])} · {late_text(tr, row['days_late'])}"
        if key in ("received_at", "appointment_at"):
            return show_datetime(row[key])
        if key == "status":
            return status_label(tr, row["status"])
        if key == "synced_at":
            return tr("Đã gửi") if row["synced_at"] else tr("Chưa gửi")
        return row[key] or ""

    @staticmethod
    def _overdue(row: dict) -> bool:
        return row.get("days_late") is not None  # computed with the service's clock and calendar

    def code_at(self, row: int) -> str:
        return self._rows[row]["code"]

    def retranslate(self, tr: Translator) -> None:
        self._tr = tr
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1))

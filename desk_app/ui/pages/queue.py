"""Danh sách hồ sơ: the local queue with search and filters. UI thread; every read runs on
the DB thread through ``QueueModel``."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QHelpEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.dossier import STATUSES
from desk_app.domain.formats import QT_DATE
from desk_app.i18n import N_, Translator
from desk_app.ui.changes import ChangeFollower
from desk_app.ui.field_errors import error_label
from desk_app.ui.formatting import status_label
from desk_app.ui.queue_model import QueueModel
from desk_app.ui.tasks import TaskRunner
from desk_app.ui.widgets import chain_tab_order

# Same keys as desk_app.services.queue.VIEWS (a test keeps them in step); kept here so the
# UI does not import the store on the UI thread at start-up.
VIEW_LABELS = {
    "all": N_("Tất cả"),
    "open": N_("Đang giải quyết"),
    "due": N_("Đến hạn hôm nay"),
    "overdue": N_("Quá hạn"),
    "returned": N_("Đã trả kết quả"),
    "unsynced": N_("Chưa gửi lên tỉnh"),
}
SEARCH_DELAY_MS = 250


def vn_today() -> QDate:
    """Today at the desk (Vietnam time, whatever the computer's time zone)."""
    from desk_app.domain.calendar import now_vn  # holidays tables: not needed to show the window

    today = now_vn().date()
    return QDate(today.year, today.month, today.day)


def to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class ElidedTooltips(QStyledItemDelegate):
    """Shows a cell's full text as a tooltip only when the column is too narrow for it (the
    procedure names are long); a cell shown whole gets no tooltip."""

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView, option: QStyleOptionViewItem, index) -> bool:
        if event is None or event.type() != QEvent.Type.ToolTip:
            return super().helpEvent(event, view, option, index)
        text = index.data(Qt.ItemDataRole.ToolTipRole)
        if text and self.is_elided(option, index):
            QToolTip.showText(event.globalPos(), text, view)
        else:
            QToolTip.hideText()
        return True

    def is_elided(self, option: QStyleOptionViewItem, index) -> bool:
        """Whether the cell's text does not fit its width (less the cell's text margins)."""
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        margin = 2 * (opt.widget.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, opt, opt.widget) + 1) if opt.widget else 6
        return opt.fontMetrics.horizontalAdvance(opt.text) > opt.rect.width() - margin


class QueuePage(QWidget):
    open_dossier = Signal(str)  # dossier code

    def __init__(self, runner: TaskRunner, tr: Translator, parent: QWidget | None = None):
        super().__init__(parent)
        self._tr = tr
        self.model = QueueModel(runner, tr, parent=self)
        self.model.count_changed.connect(self._show_count)
        self.model.page_loaded.connect(lambda _n: self._show_count(self.model.total if self.model.total is not None else -1))
        self.model.failed.connect(self._failed)

        self._build_filters()
        self._build_table()
        self._build_layout()
        self._connect_filters()
        chain_tab_order([self.search, self.view, self.status, self.by_date, self.date_from, self.date_to, self.table])
        # A write anywhere re-reads the rows shown; a hidden queue re-reads when shown (activate).
        ChangeFollower(self, runner.changes, self.model.refresh)
        self.retranslate(tr)

    # --- building (parts of __init__) -------------------------------------------------------
    def _build_filters(self) -> None:
        """The search box, view, status and date filters, the count and error lines."""
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.view = QComboBox()
        for key in VIEW_LABELS:
            self.view.addItem(key, key)
        self.status = QComboBox()
        self.status.addItem("", None)
        for key in STATUSES:
            self.status.addItem(key, key)
        self.by_date = QCheckBox()
        today = vn_today()  # Vietnam's date even on a PC set to UTC (shown greyed while off)
        self.date_from = QDateEdit(today.addDays(-30))
        self.date_to = QDateEdit(today)
        self._dates_set = False  # set to the last 30 days when first switched on
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(QT_DATE)
            edit.setEnabled(False)
        self.view_label, self.status_label, self.to_label = QLabel(), QLabel(), QLabel()
        self.view_label.setBuddy(self.view)
        self.status_label.setBuddy(self.status)
        self.count_label = QLabel()
        self.error = error_label()

    def _build_table(self) -> None:
        """The lazily filled table of dossiers (Enter or a double click opens one)."""
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for column, width in enumerate((190, 170, 115, 100, 250, 125, 125, 150, 135)):
            self.table.setColumnWidth(column, width)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda index: self._open(index.row()))
        self.table.installEventFilter(self)
        self.table.setItemDelegate(ElidedTooltips(self.table))

    def _build_layout(self) -> None:
        """Filters in one row above the table, the count below."""
        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.view_label)
        filters.addWidget(self.view, 1)
        filters.addWidget(self.status_label)
        filters.addWidget(self.status, 1)
        filters.addWidget(self.by_date)
        filters.addWidget(self.date_from)
        filters.addWidget(self.to_label)
        filters.addWidget(self.date_to)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)

    def _connect_filters(self) -> None:
        """A search runs a moment after the last key; any other filter at once."""
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.apply)
        self.search.textEdited.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self._search_now)
        self.search.installEventFilter(self)
        for combo in (self.view, self.status):
            combo.currentIndexChanged.connect(lambda _i: self.apply())
        self.by_date.toggled.connect(self._toggle_dates)
        self.date_from.dateChanged.connect(lambda _d: self.apply())
        self.date_to.dateChanged.connect(lambda _d: self.apply())

    # --- language ---------------------------------------------------------------------------
    def retranslate(self, tr: Translator) -> None:
        self._tr = tr
        self.search.setPlaceholderText(tr("Tìm theo tên, số định danh, điện thoại, mã hồ sơ, thủ tục (F3)"))
        self.view_label.setText(tr("Xem"))
        self.status_label.setText(tr("Trạng thái"))
        self.by_date.setText(tr("Nhận từ ngày"))
        self.to_label.setText(tr("đến"))
        for index, key in enumerate(VIEW_LABELS):
            self.view.setItemText(index, tr(VIEW_LABELS[key]))
        self.status.setItemText(0, tr("Mọi trạng thái"))
        for index, key in enumerate(STATUSES, start=1):
            self.status.setItemText(index, status_label(tr, key))
        self.model.retranslate(tr)
        self._show_count(self.model.total if self.model.total is not None else -1)

    # --- querying ---------------------------------------------------------------------------
    def query(self) -> dict:
        dated = self.by_date.isChecked()
        return {
            "text": self.search.text(),
            "view": self.view.currentData(),
            "status": self.status.currentData(),
            "date_from": to_date(self.date_from.date()) if dated else None,
            "date_to": to_date(self.date_to.date()) if dated else None,
        }

    def apply(self) -> None:
        self._timer.stop()
        self.error.hide()
        self.model.set_query(self.query())

    def search_pending(self) -> bool:
        """Typed text waits for its search (a short delay after the last key)."""
        return self._timer.isActive()

    def activate(self) -> None:
        """F3: show fresh results and put the cursor in the search box."""
        self.apply()
        self.search.setFocus()
        self.search.selectAll()

    def _search_now(self) -> None:
        self.apply()
        self.table.setFocus()
        self.table.selectRow(0)

    def _toggle_dates(self, on: bool) -> None:
        if on and not self._dates_set:
            self._dates_set = True
            today = vn_today()
            for edit, day in ((self.date_from, today.addDays(-30)), (self.date_to, today)):
                edit.blockSignals(True)
                edit.setDate(day)
                edit.blockSignals(False)
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.apply()

    def _show_count(self, total: int) -> None:
        tr = self._tr
        loaded = self.model.rowCount()
        if total == -2:  # the count failed; the rows are still there
            self.count_label.setText(tr("Đã tải {loaded} hồ sơ", loaded=loaded))
        elif total < 0:
            # A count over a million rows can take seconds: the rows are shown meanwhile, and
            # what is known for sure is said as a lower bound (README, bench_queue_matrix: counts).
            self.count_label.setText(tr("≥ {loaded} hồ sơ (đang đếm…)", loaded=loaded))
        else:
            self.count_label.setText(tr("{total} hồ sơ (đã tải {loaded})", total=f"{total:,}".replace(",", "."), loaded=loaded))

    def _failed(self, error: BaseException) -> None:
        tr = self._tr
        message = error.translated(tr) if hasattr(error, "translated") else str(error)
        self.error.setText(message)
        self.error.show()

    # --- opening --------------------------------------------------------------------------------
    def _open(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.open_dossier.emit(self.model.code_at(row))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if obj is self.table and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._open(self.table.currentIndex().row())
                return True
            if obj is self.search and key == Qt.Key.Key_Down:
                self.table.setFocus()
                self.table.selectRow(max(0, self.table.currentIndex().row()))
                return True
        return False

"""Records held back by sync (quarantined, with a "send again" action) and things both the
desk and the province changed (flagged for a supervisor).

Opened from the sync status widget. UI thread only: the lists are read and the retry is
written on the DB thread through the ``TaskRunner`` (``runner.db``); results come back here.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.formats import short_time
from desk_app.i18n import N_, Translator

RECORD_KINDS = {
    "dossier.received": N_("Tiếp nhận hồ sơ"),
    "dossier.status": N_("Đổi trạng thái"),
    "dossier.pages": N_("Trang scan"),
}
SIDES = {"local": N_("bàn"), "province": N_("tỉnh")}
HELD_HEADERS = [N_("Mã hồ sơ"), N_("Loại bản ghi"), N_("Lý do"), N_("Số lần thử")]
FLAG_HEADERS = [N_("Mã hồ sơ"), N_("Nội dung"), N_("Ghi nhận lúc")]


def _table(headers: list[str], name: str) -> QTableWidget:
    """Headers are set (translated) by the dialog's ``retranslate``."""
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]], keys: list[Any] | None = None) -> None:
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if c == 0 and keys is not None:
                item.setData(Qt.ItemDataRole.UserRole, keys[r])
            table.setItem(r, c, item)


class SyncIssuesDialog(QDialog):
    """Quarantined records and flags. ``retried(count)`` after records were put back in the
    queue (the caller may start a sync round)."""

    retried = Signal(int)
    loaded = Signal()

    def __init__(self, runner, tr: Translator, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self.tr_ = tr
        self.quarantined: list[dict[str, Any]] = []
        self.conflicts: list[dict[str, Any]] = []
        self._data: dict[str, Any] | None = None  # the last lists read, repainted on a language switch
        self._error: BaseException | None = None
        self.resize(820, 520)
        layout = QVBoxLayout(self)
        self.held_title = QLabel()
        self.held_title.setObjectName("heldTitle")
        self.held_table = _table(HELD_HEADERS, "heldTable")
        self.held_table.itemSelectionChanged.connect(self._update_buttons)
        buttons = QHBoxLayout()
        self.retry_button = QPushButton()
        self.retry_button.setObjectName("retrySelected")
        self.retry_all_button = QPushButton()
        self.retry_all_button.setObjectName("retryAll")
        self.retry_button.clicked.connect(self.retry_selected)
        self.retry_all_button.clicked.connect(self.retry_all)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.retry_all_button)
        buttons.addStretch(1)
        self.flag_title = QLabel()
        self.flag_title.setObjectName("flagTitle")
        self.flag_table = _table(FLAG_HEADERS, "flagTable")
        self.error_label = QLabel()
        self.error_label.setObjectName("syncIssuesError")
        self.error_label.setStyleSheet("color: #b00020")
        self.error_label.hide()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        self.close_button = close.button(QDialogButtonBox.StandardButton.Close)
        widget: QWidget
        for widget in (self.held_title, self.held_table):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        for widget in (self.flag_title, self.flag_table, self.error_label, close):
            layout.addWidget(widget)
        self.retranslate(tr)

    def retranslate(self, tr: Translator) -> None:
        """Every text in ``tr``'s language, the lists included (UI thread)."""
        self.tr_ = tr
        self.setWindowTitle(tr("Bản ghi đồng bộ cần xem lại"))
        self.held_table.setHorizontalHeaderLabels([tr(text) for text in HELD_HEADERS])
        self.flag_table.setHorizontalHeaderLabels([tr(text) for text in FLAG_HEADERS])
        self.retry_button.setText(tr("Gửi lại bản ghi đã chọn"))
        self.retry_all_button.setText(tr("Gửi lại tất cả"))
        self.close_button.setText(tr("Đóng"))
        if self._data is not None:
            self._show(self._data, reloaded=False)
        if self._error is not None:
            self._paint_error()
        self._update_buttons()

    # --- data (DB thread via the runner) ---------------------------------------------------
    def load(self) -> None:
        self.runner.db(
            lambda services: {"quarantined": services.sync.quarantined(), "conflicts": services.sync.conflicts()},
            on_done=self._show,
            on_error=self._failed,
        )

    def retry_selected(self) -> None:
        keys = sorted({item.data(Qt.ItemDataRole.UserRole) for item in self.held_table.selectedItems() if item.column() == 0})
        if keys:
            self._retry(keys)

    def retry_all(self) -> None:
        if self.quarantined:
            self._retry([row["key"] for row in self.quarantined])

    def _retry(self, keys: list[str]) -> None:
        self.retry_button.setEnabled(False)
        self.retry_all_button.setEnabled(False)
        self.runner.db(lambda services: services.sync.retry_quarantined(keys), on_done=self._retried, on_error=self._failed)

    def _retried(self, count: int) -> None:
        self.retried.emit(int(count))
        self.load()

    def _failed(self, exc: BaseException) -> None:
        self._error = exc
        self._paint_error()
        self._update_buttons()

    def _paint_error(self) -> None:
        from desk_app.domain.errors import DeskError

        exc = self._error
        text = exc.translated(self.tr_) if isinstance(exc, DeskError) else str(exc)
        self.error_label.setText(self.tr_("Không đọc được dữ liệu đồng bộ: {detail}", detail=text))
        self.error_label.show()

    # --- painting (UI thread) --------------------------------------------------------------
    def _show(self, data: dict[str, Any], *, reloaded: bool = True) -> None:
        tr = self.tr_
        self._data, self._error = data, None
        self.error_label.hide()
        self.quarantined, self.conflicts = list(data["quarantined"]), list(data["conflicts"])
        self.held_title.setText(
            tr("Bản ghi bị giữ lại (không chặn các hồ sơ khác): {count}", count=len(self.quarantined))
            if self.quarantined else tr("Không có bản ghi nào bị giữ lại.")
        )
        _fill(
            self.held_table,
            [[row["dossier_code"], tr(RECORD_KINDS.get(row["kind"], row["kind"])), self._reason(row), str(row["attempts"])]
             for row in self.quarantined],
            [row["key"] for row in self.quarantined],
        )
        self.flag_title.setText(
            tr("Cần người phụ trách xem (cả bàn và tỉnh cùng thay đổi): {count}", count=len(self.conflicts))
            if self.conflicts else tr("Không có mục nào cần người phụ trách xem.")
        )

        _fill(
            self.flag_table,
            [
                [row["dossier_code"] or "—", self._flag_text(row), short_time(row["created_at"])]
                for row in self.conflicts
            ],
        )
        self._update_buttons()
        if reloaded:
            self.loaded.emit()

    def _reason(self, row: dict[str, Any]) -> str:
        from sync.errors import reason_message

        reason = str(row.get("reason") or "")
        return self.tr_(reason_message(reason), detail=str(row.get("detail") or reason))

    def _flag_text(self, row: dict[str, Any]) -> str:
        from desk_app.domain.dossier import STATUS_LABELS

        tr, detail = self.tr_, row.get("detail") or {}
        if row["reason"] == "both_changed_status":
            def label(status: Any) -> str:
                return tr(STATUS_LABELS[status]) if status in STATUS_LABELS else str(status)

            return tr(
                "Bàn: {local} · Tỉnh: {province} · đang giữ theo {kept}",
                local=label(detail.get("local_status")),
                province=label(detail.get("province_status")),
                kept=tr(SIDES.get(str(detail.get("kept")), SIDES["province"])),
            )
        if row["reason"] == "bad_catalogue_change":
            return tr("Thay đổi danh mục thủ tục không áp dụng được: {code}", code=str(detail.get("code", "")))
        return tr("Thay đổi khác: {reason}", reason=row["reason"])

    def _update_buttons(self) -> None:
        self.retry_button.setEnabled(bool(self.held_table.selectedItems()))
        self.retry_all_button.setEnabled(bool(self.quarantined))


def open_sync_issues(runner, tr: Translator, parent: QWidget | None = None) -> SyncIssuesDialog:
    """Show the dialog (non-modal) and start loading its lists."""
    dialog = SyncIssuesDialog(runner, tr, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.load()
    return dialog

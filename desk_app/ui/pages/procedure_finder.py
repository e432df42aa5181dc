"""Find a procedure by name or code while typing (diacritics-insensitive, on the DB thread).

Keyboard: type, Down/Up move through the matches, Enter chooses (the first match if none is
highlighted). Results of an older query that arrive late are dropped. UI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from desk_app.i18n import Translator
from desk_app.ui.formatting import money
from desk_app.ui.tasks import TaskRunner

if TYPE_CHECKING:  # the catalogue module (regexes, dataclasses) loads on the DB thread, not before the window
    from desk_app.domain.catalogue import Procedure
    from desk_app.services.context import DeskServices

MAX_MATCHES = 30


def find_procedures(services: DeskServices, text: str) -> list[Procedure]:
    """DB thread."""
    return services.catalogue.find(text, limit=MAX_MATCHES)


def duration_text(tr: Translator, days: int, hours: float | None) -> str:
    """Legal processing time as the receptionist says it."""
    if hours:
        return tr("{hours} giờ làm việc", hours=f"{hours:g}")
    if days == 0:
        return tr("Trong ngày")
    return tr("{days} ngày làm việc", days=days)


class ProcedureFinder(QWidget):
    chosen = Signal(object)  # Procedure, or None when cleared
    focusNextInChain = Signal()  # Qt-style name: after a choice the page moves focus on
    matches_shown = Signal(int)  # number of matches now listed

    def __init__(self, runner: TaskRunner, tr: Translator, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self._tr = tr
        self._query_id = 0
        self._shown_id = 0
        self._choose_when_ready = False
        self.procedure: Procedure | None = None

        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.matches = QListWidget()
        self.matches.setMaximumHeight(150)
        self.matches.setAlternatingRowColors(True)
        # ElideMiddle keeps the code at the end visible.
        self.matches.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.matches.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.matches.setUniformItemSizes(True)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.matches)
        layout.addWidget(self.details)

        self.search.textEdited.connect(self._query)
        self.search.installEventFilter(self)
        self.matches.itemActivated.connect(self._choose_item)
        self.retranslate(tr)

    # --- language -------------------------------------------------------------------------
    def retranslate(self, tr: Translator) -> None:
        self._tr = tr
        self.search.setPlaceholderText(tr("Gõ tên hoặc mã thủ tục, ví dụ: khai sinh"))
        self.matches.setAccessibleName(tr("Các thủ tục phù hợp"))
        self._show_details()

    # --- searching ------------------------------------------------------------------------
    def load(self, first: list[Procedure] | None = None) -> None:
        """Show the catalogue's first entries (after start-up or a reset); ``first``: those
        entries already fetched (at start-up, with the opening of the database), listed at
        once unless something was typed meanwhile."""
        text = self.search.text()
        if first is not None and not text:
            self._query_id += 1
            self._show_matches(self._query_id, first)
            return
        self._query(text)

    def _query(self, text: str) -> None:
        self._query_id += 1
        query_id = self._query_id
        self.runner.db(find_procedures, text, on_done=lambda found: self._show_matches(query_id, found))

    def _show_matches(self, query_id: int, found: list[Procedure]) -> None:
        if query_id != self._query_id:
            return  # a newer query is on its way
        self._shown_id = query_id
        self.matches.clear()
        for proc in found:
            item = QListWidgetItem(f"{proc.name}  ·  {proc.code}")
            item.setData(Qt.ItemDataRole.UserRole, proc)
            item.setToolTip(proc.name)
            self.matches.addItem(item)
        if found:
            self.matches.setCurrentRow(0)
        self.matches_shown.emit(len(found))
        if self._choose_when_ready:
            self._choose_when_ready = False
            self._choose_current()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.search and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key, keys = event.key(), Qt.Key
            if key in (keys.Key_Down, keys.Key_Up):
                row = self.matches.currentRow() + (1 if key == keys.Key_Down else -1)
                if 0 <= row < self.matches.count():
                    self.matches.setCurrentRow(row)
                return True
            if key in (keys.Key_Return, keys.Key_Enter):
                if self._shown_id != self._query_id:
                    self._choose_when_ready = True  # Enter typed faster than the lookup
                else:
                    self._choose_current()
                return True
        return False

    def _choose_current(self) -> None:
        item = self.matches.currentItem() or self.matches.item(0)
        if item is not None:
            self._choose_item(item)

    def _choose_item(self, item: QListWidgetItem) -> None:
        self.set_procedure(item.data(Qt.ItemDataRole.UserRole))
        self.focusNextInChain.emit()

    # --- chosen procedure -------------------------------------------------------------------
    def set_procedure(self, proc: Procedure | None) -> None:
        self.procedure = proc
        self._show_details()
        self.chosen.emit(proc)

    def reset(self) -> None:
        self.search.clear()
        self.set_procedure(None)
        self.load()

    def _show_details(self) -> None:
        tr = self._tr
        proc = self.procedure
        if proc is None:
            self.details.setText(f"<i>{tr('Chưa chọn thủ tục.')}</i>")
            return
        fee = money(proc.fee) if proc.fee else tr("Không thu phí")
        self.details.setText(
            f"<b>{proc.name}</b><br>"
            + tr(
                "Mã: {code} · Thời hạn: {duration} · Phí, lệ phí: {fee}",
                code=proc.code,
                duration=duration_text(tr, proc.processing_days, proc.processing_hours),
                fee=fee,
            )
        )

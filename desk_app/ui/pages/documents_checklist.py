"""The documents checklist of the intake form: the chosen procedure's required documents,
each ticked when received, with its kind and count, plus any extra document. UI thread.

A grid of real widgets (check box, kind, count per row) rather than a table, so Tab walks
row by row and Space ticks, with no mouse. On a row's check box Up/Down go straight to the
previous/next row's check box (Down after the last row: the extra-document field), so ticking
three documents is Space, Down, Space, Down, Space.

The rows scroll inside the panel (a procedure may list 30 documents; the window must still fit
a 1366×768 screen with Save and the status bar on it), and the row that Space will tick is
highlighted and scrolled into view. Required documents are marked "*"; the page asks before
saving without one of them (``missing_required``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.dossier import DOCUMENT_KINDS
from desk_app.i18n import Translator
from desk_app.ui.formatting import kind_label

if TYPE_CHECKING:  # the catalogue module (regexes, dataclasses) loads on the DB thread, not before the window
    from desk_app.domain.catalogue import RequiredDocument


# The focused row stands out (Fusion's focus frame on a check box is a faint dotted line).
FOCUS_STYLE = (
    "QCheckBox:focus { background: #ffe082; border: 2px solid #e65100; border-radius: 3px; padding: 1px; }"
)


@dataclass
class _Row:
    received: QCheckBox
    kind: QComboBox
    count: QSpinBox
    name: str = ""
    required: bool = False


class DocumentsChecklist(QWidget):
    rows_changed = Signal()  # the page re-chains the tab order
    edited = Signal()  # the receptionist ticked, changed a kind or count, or added a document

    def __init__(self, tr: Translator, parent: QWidget | None = None):
        super().__init__(parent)
        self._tr = tr
        self._rows: list[_Row] = []
        self.empty_hint = QLabel()
        self.empty_hint.setWordWrap(True)
        self.head_name = QLabel()
        self.head_kind = QLabel()
        self.head_count = QLabel()
        self.rows_widget = QWidget()
        self.rows_widget.setStyleSheet(FOCUS_STYLE)
        self.grid = QGridLayout(self.rows_widget)
        self.grid.setContentsMargins(0, 0, 4, 0)
        self.grid.setColumnStretch(0, 1)
        self.grid.setHorizontalSpacing(8)
        self.grid.addWidget(self.head_name, 0, 0)
        self.grid.addWidget(self.head_kind, 0, 1)
        self.grid.addWidget(self.head_count, 0, 2)
        self.extra_name = QLineEdit()
        self.extra_add = QPushButton()
        extra = QHBoxLayout()
        extra.addWidget(self.extra_name, 1)
        extra.addWidget(self.extra_add)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(self.rows_widget)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.required_hint = QLabel()
        self.required_hint.setStyleSheet("color: #555;")
        layout.addWidget(self.empty_hint)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.required_hint)
        layout.addLayout(extra)
        self.extra_name.returnPressed.connect(self._add_extra)
        self.extra_add.clicked.connect(self._add_extra)
        self.retranslate(tr)

    def retranslate(self, tr: Translator) -> None:
        self._tr = tr
        self.head_name.setText(f"<b>{tr('Giấy tờ đã nhận')}</b>")
        self.head_kind.setText(f"<b>{tr('Loại')}</b>")
        self.head_count.setText(f"<b>{tr('Số lượng')}</b>")
        self.empty_hint.setText(tr("Chọn thủ tục để hiện danh sách giấy tờ phải nộp."))
        self.extra_name.setPlaceholderText(tr("Giấy tờ khác (gõ tên rồi Enter)"))
        self.extra_add.setText(tr("Thêm giấy tờ"))
        self.required_hint.setText(tr("* giấy tờ bắt buộc"))
        for row in self._rows:
            row.received.setText(self._row_text(row.name, row.required))
            for index, kind in enumerate(DOCUMENT_KINDS):
                row.kind.setItemText(index, kind_label(tr, kind))
        self._update_hint()

    # --- rows -----------------------------------------------------------------------------
    def set_documents(self, documents: list[RequiredDocument]) -> None:
        """Replace every row with the procedure's required documents, none ticked yet."""
        for row in self._rows:
            for widget in (row.received, row.kind, row.count):
                self.grid.removeWidget(widget)
                widget.deleteLater()
        self._rows = []
        for doc in documents:
            self._add_row(doc.name, doc.kind, doc.count, ticked=False, required=bool(getattr(doc, "required", True)))
        self.scroll_area.verticalScrollBar().setValue(0)
        self._update_hint()
        self.rows_changed.emit()

    @staticmethod
    def _row_text(name: str, required: bool) -> str:
        return f"{name} *" if required else name

    def _add_row(self, name: str, kind: str, count: int, *, ticked: bool, required: bool = False) -> None:
        received = QCheckBox(self._row_text(name, required))
        received.setChecked(ticked)
        kinds = QComboBox()
        for key in DOCUMENT_KINDS:
            kinds.addItem(kind_label(self._tr, key), key)
        kinds.setCurrentIndex(max(0, kinds.findData(kind)))
        counter = QSpinBox()
        counter.setRange(1, 999)
        counter.setValue(max(1, int(count or 1)))
        line = len(self._rows) + 1
        self.grid.addWidget(received, line, 0)
        self.grid.addWidget(kinds, line, 1)
        self.grid.addWidget(counter, line, 2)
        self._rows.append(_Row(received, kinds, counter, name, required))
        received.toggled.connect(self.edited)
        kinds.activated.connect(self.edited)
        counter.valueChanged.connect(self.edited)
        for widget in (received, kinds, counter):
            widget.installEventFilter(self)
        if self.isVisible():  # now, not on the layout's queued show: focus may go to the row at once
            for widget in (received, kinds, counter):
                widget.show()

    def _add_extra(self) -> None:
        name = " ".join(self.extra_name.text().split())
        if not name:
            return
        self._add_row(name, "original", 1, ticked=True)
        self.edited.emit()
        self.extra_name.clear()
        self._update_hint()
        self.rows_changed.emit()
        self.extra_name.setFocus()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """Up/Down on a row's check box: the previous/next row's check box. A row widget
        that gets focus (Up/Down, Tab, a click) is scrolled into view."""
        if event.type() == QEvent.Type.FocusIn and isinstance(obj, QWidget):
            self.scroll_area.ensureWidgetVisible(obj, 0, 8)
            return False
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent) or event.modifiers().value:
            return False
        keys = Qt.Key
        if event.key() not in (keys.Key_Up, keys.Key_Down):
            return False
        boxes = [row.received for row in self._rows]
        if obj not in boxes:
            return False
        index = boxes.index(obj) + (1 if event.key() == keys.Key_Down else -1)
        if 0 <= index < len(boxes):
            boxes[index].setFocus()
        elif index == len(boxes):
            self.extra_name.setFocus()
        return True

    def _update_hint(self) -> None:
        self.empty_hint.setVisible(not self._rows)
        self.scroll_area.setVisible(bool(self._rows))
        self.required_hint.setVisible(any(row.required for row in self._rows))
        for head in (self.head_name, self.head_kind, self.head_count):
            head.setVisible(bool(self._rows))

    # --- reading --------------------------------------------------------------------------
    def focus_widgets(self) -> list[QWidget]:
        """Tab order inside the checklist: each row left to right, then the extra field."""
        out: list[QWidget] = []
        for row in self._rows:
            out += [row.received, row.kind, row.count]
        return out + [self.extra_name, self.extra_add]

    def row_widgets(self) -> list[_Row]:
        return list(self._rows)

    def documents(self) -> list[dict]:
        """The ticked documents as the intake service takes them."""
        return [
            {"name": row.name, "kind": row.kind.currentData(), "count": row.count.value()}
            for row in self._rows
            if row.received.isChecked()
        ]

    def missing_required(self) -> list[str]:
        """Names of the required documents not ticked, in checklist order."""
        return [row.name for row in self._rows if row.required and not row.received.isChecked()]

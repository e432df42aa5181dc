"""Pick a province or commune from the official list by typing part of its name.

Keyboard: type ("thuc phan", "nung", "xa bao lam"; no diacritics, no "Xã/Phường" needed),
Down/Up move through the matches, Enter chooses the highlighted one (the first by default)
and emits ``entered`` so the page moves on. The list is a few hundred names at most, so it is
filtered right here on the UI thread (domain/places.py). UI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from desk_app.domain.places import find, sorted_places

NAVIGATION_KEYS = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 8, Qt.Key.Key_PageUp: -8}


class PlaceFinder(QWidget):
    chosen = Signal(object, str)  # code, name (code None when the choice was cleared)
    entered = Signal()  # Enter chose a place: the page moves focus on

    def __init__(self, parent: QWidget | None = None, *, show_codes: bool = True):
        super().__init__(parent)
        self.show_codes = show_codes
        self.items: list[tuple[object, str]] = []
        self.code: object | None = None
        self.name = ""
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.matches = QListWidget()
        self.matches.setAlternatingRowColors(True)
        self.matches.setUniformItemSizes(True)
        self.matches.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Tab goes field to field; arrows work from the search
        self.choice = QLabel()
        self.choice.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.matches, 1)
        layout.addWidget(self.choice)
        self.search.textEdited.connect(self._filter)
        self.search.installEventFilter(self)
        self.matches.itemClicked.connect(self._choose_item)
        self.matches.itemActivated.connect(self._choose_item)
        self.setFocusProxy(self.search)

    def set_items(self, items: list[tuple[object, str]], *, keep: object | None = None) -> None:
        """The places to choose from (sorted here); ``keep`` stays chosen if it is among them."""
        self.items = sorted_places(items)
        self.search.clear()
        self._filter("")
        known = dict(self.items)
        self.select(keep if keep in known else None)

    def select(self, code: object | None) -> None:
        """Choose ``code`` (None: no choice) without typing, e.g. a value saved earlier."""
        name = dict(self.items).get(code, "") if code is not None else ""
        self.code, self.name = (code, name) if name else (None, "")
        self._show_choice()
        for row in range(self.matches.count()):
            if self.matches.item(row).data(Qt.ItemDataRole.UserRole) == self.code:
                self.matches.setCurrentRow(row)
                self.matches.scrollToItem(self.matches.item(row))
                break
        self.chosen.emit(self.code, self.name)

    def visible_names(self) -> list[str]:
        return [self.matches.item(row).text() for row in range(self.matches.count())]

    def _label(self, code: object, name: str) -> str:
        return f"{name} ({code})" if self.show_codes else name

    def _filter(self, text: str) -> None:
        self.matches.clear()
        for code, name in find(text, self.items) if text.strip() else self.items:
            item = QListWidgetItem(self._label(code, name))
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setData(Qt.ItemDataRole.UserRole + 1, name)
            self.matches.addItem(item)
        if self.matches.count():
            self.matches.setCurrentRow(0)

    def _choose_item(self, item: QListWidgetItem) -> None:
        self.search.setFocus()
        self.select(item.data(Qt.ItemDataRole.UserRole))

    def _show_choice(self) -> None:
        self.choice.setText(f"✔ {self._label(self.code, self.name)}" if self.code is not None else "")

    def _move(self, key: Qt.Key) -> None:
        if self.matches.count():
            row = self.matches.currentRow() + NAVIGATION_KEYS[key]
            self.matches.setCurrentRow(max(0, min(self.matches.count() - 1, row)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key in NAVIGATION_KEYS:
                self._move(Qt.Key(key))  # the list moves its highlight; focus stays in the search
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and event.modifiers() == Qt.KeyboardModifier.NoModifier:
                item = self.matches.currentItem()
                if item is not None:
                    self.select(item.data(Qt.ItemDataRole.UserRole))
                if self.code is not None:
                    self.entered.emit()
                return True  # never the dialog's default button: Enter here means "this one"
        return super().eventFilter(watched, event)

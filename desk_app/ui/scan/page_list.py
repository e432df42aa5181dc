"""The thumbnail list of the scan dialog: pages in order, reordered by drag, files dropped on it
imported; each row keeps its page, document, stable key and import batch. UI thread only.

Reordering uses ``Movement.Static``: in icon mode with free or snap movement a drag only moves
the icon on screen and leaves the model (the page order that is saved) unchanged; with static
movement ``QListWidget`` moves the rows themselves, and ``rowsMoved`` renumbers the pages.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListView, QListWidget, QListWidgetItem, QWidget

from desk_app.i18n import N_, Translator

if TYPE_CHECKING:  # numpy and Pillow: loaded on the I/O pool, when scanning
    from desk_app.scanning.page import ProcessedPage

THUMB = 160
PAGE_ROLE = Qt.ItemDataRole.UserRole
DOC_ROLE = Qt.ItemDataRole.UserRole + 1
KEY_ROLE = Qt.ItemDataRole.UserRole + 2  # stable id: a rotation or rescan finds its page after a reorder
BATCH_ROLE = Qt.ItemDataRole.UserRole + 3  # the import a page came with, removed whole if that import fails
MODE_LABELS = {"auto": N_("Tự động"), "text": N_("Chữ (đen trắng)"), "grey": N_("Ảnh xám"), "color": N_("Màu")}
# A mixed page (black-and-white page + a colour or grey area over it), by its mode.
MIXED_LABELS = {"color": N_("Chữ + vùng màu"), "grey": N_("Chữ + vùng ảnh xám")}


def dropped_files(mime: QMimeData) -> list[str]:
    """Local file paths carried by a drag (from a file manager); [] when there are none."""
    if not mime.hasUrls():
        return []
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]


class PageList(QListWidget):
    files_dropped = Signal(list)  # local paths dropped from outside

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setGridSize(QSize(THUMB + 40, THUMB + 56))
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)  # before the drag mode: it turns dragging off
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSpacing(4)
        self._keys = itertools.count(1)

    def keyPressEvent(self, event) -> None:
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem() is not None:
            # Enter opens the page large (itemActivated). Qt's item view then ignores the key, so
            # the dialog also pressed its default button: the pages were saved and the dialog
            # closed behind the viewer.
            event.accept()

    def new_key(self) -> int:
        """A fresh id, for a page or an import batch."""
        return next(self._keys)

    def item_by_key(self, key: int) -> QListWidgetItem | None:
        for row in range(self.count()):
            if self.item(row).data(KEY_ROLE) == key:
                return self.item(row)
        return None

    def put(self, page: ProcessedPage, image: QImage, replace_key: int | None, document: str, batch: int) -> None:
        """Show ``page`` in place of the page ``replace_key``, or as a new last page (when
        ``replace_key`` is None or that page is gone). Call ``relabel`` afterwards."""
        item = self.item_by_key(replace_key) if replace_key is not None else None
        if item is None:
            item = QListWidgetItem()
            item.setData(KEY_ROLE, self.new_key())
            item.setData(DOC_ROLE, document)
            item.setData(BATCH_ROLE, batch)
            self.addItem(item)
        item.setData(PAGE_ROLE, page)
        item.setIcon(QIcon(QPixmap.fromImage(image)))

    def relabel(self, tr: Translator) -> None:
        """Number the pages in the order shown, with document, size and mode, in ``tr``'s
        language."""
        for row in range(self.count()):
            item = self.item(row)
            page: ProcessedPage = item.data(PAGE_ROLE)
            label = MIXED_LABELS[page.mode] if page.overlay is not None else MODE_LABELS[page.mode]
            # page.bytes: all the page's files (a mixed page's overlay included)
            item.setText(f"{row + 1}. {item.data(DOC_ROLE)}\n{page.bytes / 1024:.1f} KB · {tr(label)}")
            item.setToolTip(f"{item.data(DOC_ROLE)}\n{page.origin}")

    def selected_rows(self) -> list[int]:
        return sorted(self.row(i) for i in self.selectedItems())

    def remove_batch(self, batch: int) -> None:
        """Take out every page of the import ``batch``."""
        for row in reversed(range(self.count())):
            if self.item(row).data(BATCH_ROLE) == batch:
                self.takeItem(row)

    def page_plan(self) -> list[tuple[str, list[ProcessedPage]]]:
        """Pages grouped by document, in the order shown."""
        plan: dict[str, list[ProcessedPage]] = {}
        for row in range(self.count()):
            item = self.item(row)
            plan.setdefault(item.data(DOC_ROLE), []).append(item.data(PAGE_ROLE))
        return list(plan.items())

    def dragEnterEvent(self, event) -> None:
        if dropped_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        if dropped_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        paths = dropped_files(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)
        else:
            super().dropEvent(event)

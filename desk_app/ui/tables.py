"""Filling a table widget with rows of texts, and filling one again while the user works in
it. UI thread only."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem


def fill_table(table: QTableWidget, rows: Sequence[Sequence[str]]) -> None:
    """``table`` holds ``rows`` (the cells' texts), one item per cell."""
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.setItem(r, c, QTableWidgetItem(value))


def refill_table(table: QTableWidget, rows: Sequence[Sequence[str]], key_column: int = 0) -> None:
    """``fill_table``, keeping the rows selected and the current row by the text of their
    ``key_column`` (a dossier code, a day, a user name), not by position: when a reload moved
    rows (one left the list, one came before), an action on the selection must not fall on the
    rows that moved into the selected places. Keys that left the list leave the selection."""

    def key(row: int) -> str | None:
        item = table.item(row, key_column)
        return item.text() if item is not None else None

    chosen = {key(i.row()) for i in table.selectionModel().selectedRows(key_column)} - {None}
    current = key(table.currentRow()) if table.currentRow() >= 0 else None
    sorting = table.isSortingEnabled()
    table.setSortingEnabled(False)  # rows would move while they are being filled
    table.clearSelection()
    table.selectionModel().clearCurrentIndex()  # set again below only if its row is still listed
    fill_table(table, rows)
    table.setSortingEnabled(sorting)
    model, selection = table.model(), table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for r in range(table.rowCount()):
        text = key(r)
        if text is not None and text == current:
            selection.setCurrentIndex(model.index(r, key_column), QItemSelectionModel.SelectionFlag.NoUpdate)
        if text in chosen:
            selection.select(model.index(r, key_column), flags)

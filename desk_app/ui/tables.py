"""Filling a table that is read again while the user works in it. UI thread only."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem


def refill_table(table: QTableWidget, rows: Sequence[Sequence[str]], key_column: int = 0) -> None:
    """Fill ``table`` with ``rows`` (the cells' texts), keeping the rows selected and the
    current row by the text of their ``key_column`` (a dossier code, a day, a user name), not
    by position: when a reload moved rows (one left the list, one came before), an action on
    the selection must not fall on the rows that moved into the selected places. Keys that
    left the list leave the selection."""
    old_keys = {r: item.text() for r in range(table.rowCount()) if (item := table.item(r, key_column)) is not None}
    chosen = {old_keys[i.row()] for i in table.selectionModel().selectedRows(key_column) if i.row() in old_keys}
    current = old_keys.get(table.currentRow())
    sorting = table.isSortingEnabled()
    table.setSortingEnabled(False)  # rows would move while they are being filled
    table.clearSelection()
    table.selectionModel().clearCurrentIndex()  # set again below only if its row is still listed
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.setItem(r, c, QTableWidgetItem(value))
    table.setSortingEnabled(sorting)
    model, selection = table.model(), table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for r in range(table.rowCount()):
        item = table.item(r, key_column)
        if item is None:
            continue
        if item.text() == current:
            selection.setCurrentIndex(model.index(r, key_column), QItemSelectionModel.SelectionFlag.NoUpdate)
        if item.text() in chosen:
            selection.select(model.index(r, key_column), flags)

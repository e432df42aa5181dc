"""refill_table (desk_app/ui/tables.py): a table read again keeps its selection and current row
by key, never by position."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QAbstractItemView, QTableWidget

from desk_app.ui.tables import refill_table

pytestmark = pytest.mark.ui


def _table(qtbot, keys: list[str], *, sorting: bool = False) -> QTableWidget:
    table = QTableWidget(0, 2)
    qtbot.addWidget(table)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setSortingEnabled(sorting)
    refill_table(table, [(k, f"row {k}") for k in keys])
    return table


def _key(table: QTableWidget, row: int) -> str:
    item = table.item(row, 0)
    assert item is not None
    return item.text()


def _selected(table: QTableWidget) -> list[str]:
    return sorted(_key(table, i.row()) for i in table.selectionModel().selectedRows())


def _current(table: QTableWidget) -> str | None:
    row = table.currentRow()
    return _key(table, row) if row >= 0 else None


def _choose(table: QTableWidget, key: str, *, current: bool = False) -> None:
    row = [_key(table, r) for r in range(table.rowCount())].index(key)
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    if current:
        table.selectionModel().setCurrentIndex(table.model().index(row, 0), flags)
    else:
        table.selectionModel().select(table.model().index(row, 0), flags)


def test_rows_that_move_stay_selected_and_rows_that_leave_drop_out(qtbot):
    table = _table(qtbot, ["b", "c", "d", "e"])
    _choose(table, "c", current=True)
    _choose(table, "e")
    assert _selected(table) == ["c", "e"] and _current(table) == "c"
    refill_table(table, [(k, f"row {k} again") for k in ["a", "b", "c", "e"]])  # a came first, d left
    assert _selected(table) == ["c", "e"] and _current(table) == "c"
    assert table.item(3, 1).text() == "row e again"
    refill_table(table, [(k, "") for k in ["a", "b", "e"]])  # c, the current row, left
    assert _selected(table) == ["e"] and _current(table) is None  # no other row became current


def test_a_sorted_table_keeps_its_order_and_its_selection(qtbot):
    table = _table(qtbot, ["c", "a", "b"], sorting=True)
    table.sortItems(0)
    assert [table.item(r, 0).text() for r in range(3)] == ["a", "b", "c"]
    _choose(table, "b", current=True)
    refill_table(table, [(k, "") for k in ["d", "b", "a"]])
    assert table.isSortingEnabled()
    assert [table.item(r, 0).text() for r in range(3)] == ["a", "b", "d"]
    assert _selected(table) == ["b"] and _current(table) == "b"

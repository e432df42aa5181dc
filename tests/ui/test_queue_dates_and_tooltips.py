"""The queue's dates are Vietnam's (the date filter defaults to today in Vietnam) and a cell cut
short by its column shows its full text as a tooltip."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyleOptionViewItem

from tests.ui.conftest import seed_dossiers


def test_queue_dates_are_vietnams_and_cut_cells_have_tooltips(qtbot, desk_window, data_dir, clock, intake_json):
    from desk_app.domain.calendar import now_vn

    seed_dossiers(data_dir, clock, [intake_json])
    desk_window.show_page("queue")
    queue = desk_window.queue
    today = now_vn().date()
    assert not queue.date_to.isEnabled()
    assert (queue.date_to.date().year(), queue.date_to.date().month(), queue.date_to.date().day()) == (
        today.year, today.month, today.day)
    qtbot.waitUntil(lambda: queue.model.rowCount() == 1, timeout=5000)
    delegate = queue.table.itemDelegate()
    procedure = queue.model.index(0, 4)
    code = queue.model.index(0, 0)

    def elided(index, width):
        option = QStyleOptionViewItem()
        option.initFrom(queue.table)
        option.rect = queue.table.visualRect(index)
        option.rect.setWidth(width)
        return delegate.is_elided(option, index)

    full = queue.model.data(procedure, Qt.ItemDataRole.ToolTipRole)
    assert full == queue.model.data(procedure)
    assert elided(procedure, 60) and not elided(procedure, 2000)
    assert not elided(code, 400)

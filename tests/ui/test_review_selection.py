"""The review list's selection is of dossiers: a reload in which rows moved keeps the same
dossiers selected, so a bulk change never falls on the ones that moved into their places."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel

from tests.ui.conftest import open_review, seed_dossiers


def _codes(review) -> list[str]:
    return [review.table.item(r, 0).text() for r in range(review.table.rowCount())]


def test_a_reload_keeps_the_dossiers_selected_not_their_rows(qtbot, data_dir, clock, intake_json):
    from desk_app.services.context import build_services

    dossiers = seed_dossiers(data_dir, clock, [intake_json] * 4)
    ctx = build_services(data_dir, clock=clock, actor="tester")
    try:
        for d in dossiers:
            ctx.queue.set_status(d.code, "refused", note="Không thuộc thẩm quyền")
    finally:
        ctx.close()
    window, runner, review = open_review(qtbot, data_dir, clock, "refused", 4)
    try:
        listed = _codes(review)
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for row in (1, 3):
            review.table.selectionModel().select(review.table.model().index(row, 0), flags)
        chosen = [listed[1], listed[3]]
        assert review.selected_codes() == chosen
        review.status.setCurrentIndex(review.status.findData("returned"))
        assert review.change.isEnabled()
        # Meanwhile the first dossier is returned (on another PC's connection, say): it
        # leaves the "refused" list and every row after it moves up.
        ctx = build_services(data_dir, clock=clock, actor="tester")
        try:
            ctx.queue.set_status(listed[0], "returned", note="")
        finally:
            ctx.close()
        window.show_page("queue")
        window.show_page("review")  # shown again: it reads the list afresh
        qtbot.waitUntil(lambda: review.table.rowCount() == 3, timeout=10000)
        assert _codes(review) == listed[1:]
        assert review.selected_codes() == chosen  # the same dossiers, now rows 0 and 2
        assert review.change.isEnabled()
    finally:
        window.close()
        runner.shutdown()

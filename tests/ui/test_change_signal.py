"""One change signal (desk_app/ui/changes.py): a write made on one page or dialog reaches the
other pages through ``runner.changes`` — nobody refreshes another page by hand."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QDialog, QInputDialog, QMessageBox

from desk_app.ui.changes import dossier_code
from desk_app.ui.ops import Op
from desk_app.ui.pages.dossier import record_status
from tests.ui.conftest import open_window, seed_dossiers

STATUS_COLUMN = 7


def test_a_bulk_change_on_the_review_page_reloads_the_dossier_page_holding_it(qtbot, data_dir, clock, intake_json,
                                                                             monkeypatch):
    from desk_app.ui.accounts import install_accounts

    [dossier] = seed_dossiers(data_dir, clock, [intake_json])
    code = dossier.code
    window, runner, startup, ready = open_window(qtbot, data_dir, clock)
    install_accounts(window, runner, startup)
    try:
        qtbot.waitUntil(lambda: bool(ready), timeout=10000)
        page = window.dossier
        with qtbot.waitSignal(page.dossier_loaded, timeout=10000):
            window.open_dossier(code)
        assert page.status_text.text() == "Đã tiếp nhận"

        window.show_page("review")  # the dossier page stays built, hidden behind the review list
        review = window.page("review")
        review.view.setCurrentIndex(review.view.findData("unsynced"))  # a new dossier is not sent yet
        qtbot.waitUntil(lambda: code in [review.table.item(r, 0).text() for r in range(review.table.rowCount())],
                        timeout=10000)
        row = [review.table.item(r, 0).text() for r in range(review.table.rowCount())].index(code)
        review.table.selectionModel().select(review.table.model().index(row, 0),
                                             QItemSelectionModel.SelectionFlag.ClearAndSelect
                                             | QItemSelectionModel.SelectionFlag.Rows)
        review.status.setCurrentIndex(review.status.findData("processing"))
        monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("chuyển xử lý", True))
        monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
        with qtbot.waitSignal(page.dossier_loaded, timeout=10000):
            review.bulk()
        assert page.dossier.status == "processing"
        assert page.status_text.text() != "Đã tiếp nhận"
        qtbot.waitUntil(lambda: "Đã đổi 1 hồ sơ" in review.message.text(), timeout=10000)  # and the list reloaded
    finally:
        window.close()
        runner.shutdown()


def test_a_write_in_a_dialog_refreshes_the_queue_shown_under_it(qtbot, desk_window, data_dir, clock, intake_json):
    [dossier] = seed_dossiers(data_dir, clock, [intake_json])
    desk_window.show_page("queue")
    queue = desk_window.queue
    qtbot.waitUntil(lambda: queue.model.rowCount() == 1, timeout=10000)
    assert queue.model.data(queue.model.index(0, STATUS_COLUMN)) == "Đã tiếp nhận"

    dialog = QDialog(desk_window)  # any dialog over the queue that records a status
    dialog.show()
    done: list[dict] = []
    Op(dialog, desk_window.runner, desk_window.tr_, record_status, dossier.code, "transferred", "", None,
       on_success=done.append, changes=dossier_code).run()
    qtbot.waitUntil(lambda: bool(done), timeout=10000)
    qtbot.waitUntil(lambda: queue.model.data(queue.model.index(0, STATUS_COLUMN)) == "Đã chuyển xử lý", timeout=10000)
    dialog.close()


def test_a_hidden_queue_is_not_read_again_until_shown(qtbot, desk_window, data_dir, clock, intake_json):
    [dossier] = seed_dossiers(data_dir, clock, [intake_json])
    desk_window.show_page("queue")
    queue = desk_window.queue
    qtbot.waitUntil(lambda: queue.model.rowCount() == 1, timeout=10000)
    desk_window.show_page("intake")
    reads: list[str] = []
    queue.model.modelReset.connect(lambda: reads.append("reset"))
    done: list[dict] = []
    Op(desk_window, desk_window.runner, desk_window.tr_, record_status, dossier.code, "transferred", "", None,
       on_success=done.append, changes=dossier_code).run()
    qtbot.waitUntil(lambda: bool(done), timeout=10000)
    settled: list[object] = []
    desk_window.runner.db(lambda _s: None, on_done=settled.append)  # behind anything the signal queued
    qtbot.waitUntil(lambda: bool(settled), timeout=10000)
    assert reads == []
    desk_window.show_page("queue")
    qtbot.waitUntil(lambda: queue.model.data(queue.model.index(0, STATUS_COLUMN)) == "Đã chuyển xử lý", timeout=10000)

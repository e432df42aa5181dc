"""The queue and the dossier page say how late a dossier is in words; a dossier with its result
ready is not listed as overdue; and Enter on the dossier page never records a status nobody
chose."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from desk_app.domain.calendar import VN_TZ
from tests.ui.conftest import seed_dossiers, settled


def open_dossier(qtbot, window, code):
    window.open_dossier(code)
    page = window.dossier
    qtbot.waitUntil(lambda: page.current_code == code and page.dossier is not None, timeout=5000)
    return page


def test_overdue_in_words_and_result_ready_not_overdue(qtbot, desk_window, data_dir, clock, intake_json):
    from desk_app.services.context import build_services

    late, ready = (d.code for d in seed_dossiers(data_dir, clock, [intake_json, intake_json]))
    ctx = build_services(data_dir, clock=clock, actor="tester")
    try:
        ctx.queue.set_status(ready, "result_ready")
    finally:
        ctx.close()
    clock.moment = datetime(2026, 11, 23, 10, 0, tzinfo=VN_TZ)  # Monday; both were due Wednesday 17:00

    desk_window.show_page("queue")
    queue = desk_window.queue
    queue.view.setCurrentIndex(queue.view.findData("overdue"))
    qtbot.waitUntil(lambda: queue.model.total == 1 and queue.model.rowCount() == 1, timeout=5000)
    assert queue.model.code_at(0) == late
    appointment = queue.model.data(queue.model.index(0, 6))
    assert appointment == "17:00 18/11/2026 · Trễ hạn 3 ngày làm việc"
    assert queue.model.data(queue.model.index(0, 6), Qt.ItemDataRole.ForegroundRole).color() == QColor("#b00020")

    page = open_dossier(qtbot, desk_window, late)
    assert page.late_text.isVisible() and page.late_text.text() == "Trễ hạn 3 ngày làm việc"
    assert "Trễ hạn 3 ngày làm việc" in page.field_text("appointment_at")
    page = open_dossier(qtbot, desk_window, ready)
    assert not page.late_text.isVisible()
    assert page.field_text("appointment_at") == "17:00 18/11/2026"


def test_enter_records_nothing_until_a_status_is_chosen(qtbot, keyboard, desk_window, data_dir, clock, intake_json):
    code = seed_dossiers(data_dir, clock, [intake_json])[0].code
    page = open_dossier(qtbot, desk_window, code)
    assert page.new_status.currentData() is None  # no status preselected
    page.note.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.note, timeout=2000)
    keyboard.type("Ghi chu\n")
    keyboard.press(Qt.Key.Key_Return)
    settled(qtbot, desk_window.runner)  # a status it had sent would have answered by now
    assert page.history.rowCount() == 1 and page.dossier.status == "received"
    assert "chọn trạng thái mới" in page.errors.message("status")
    assert QApplication.focusWidget() is page.new_status  # the cursor goes where the choice is made
    keyboard.press(Qt.Key.Key_Down)  # an explicit choice: the first next status
    assert page.new_status.currentData() == "transferred"
    page.note.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.note, timeout=2000)
    with qtbot.waitSignal(page.dossier_loaded, timeout=5000):
        keyboard.press(Qt.Key.Key_Return)
    assert page.dossier.status == "transferred"
    assert page.new_status.currentData() is None  # the next change starts unchosen again

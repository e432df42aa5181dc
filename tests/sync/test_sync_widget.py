"""The status-bar widget and its loop, with the real TaskRunner, main window and server."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.ui


def test_widget_shows_honest_status_and_sync_now_works(qtbot, tmp_path, server, province, clock, intake_json):
    from desk_app.i18n import Translator
    from tests.sync.conftest import enrolled_desk_at, ui_sync_loop

    data = tmp_path / "desk"
    setup = enrolled_desk_at(data, clock, server, province)
    setup.intake.intake(intake_json)
    setup.close()

    tr = Translator("vi")
    runner, window, loop = ui_sync_loop(data, clock, tr)
    widget = loop.widget
    assert widget.parent() is not None  # it is in the status bar
    with qtbot.waitSignal(runner.busy_changed, timeout=5000, check_params_cb=lambda busy: not busy):
        loop.refresh()
    qtbot.waitUntil(lambda: widget.status.get("enrolled") is True, timeout=5000)
    assert "1" in widget.outbox_label.text() and widget.state_label.text() != "Đã đồng bộ"
    with qtbot.waitSignal(loop.round_finished, timeout=20000) as blocker:
        widget.sync_button.click()
    assert blocker.args[0]["summary"].ok
    assert widget.state_label.text() == "Đã đồng bộ"
    assert widget.outbox_label.text().startswith("Chờ gửi: 0")
    assert "gần nhất" in widget.last_label.text() and widget.clock_label.isHidden()
    # The server goes away: the next round says offline and backs off; nothing is lost.
    server.stop()
    with qtbot.waitSignal(loop.round_finished, timeout=30000) as blocker:
        loop.sync_now()
    # Closed port: the round ends at once (no in-round retries); the loop backs off.
    assert blocker.args[0]["summary"].retries == 0 and blocker.args[0]["summary"].requests == 1
    assert widget.state_label.text() == "Ngoại tuyến" and loop.failures == 1
    assert widget.sync_button.isEnabled() and widget.sync_button.text() == "Đồng bộ ngay"
    # Why, and when the next try is, in words on the status bar (not only in a tooltip).
    assert not widget.error_label.isHidden()
    assert "Không liên lạc được máy chủ tỉnh" in widget.error_label.text()
    assert "Tự thử lại lúc" in widget.error_label.text()
    assert "Không liên lạc được máy chủ tỉnh" in widget.state_label.toolTip()
    assert loop.timer.isActive()
    widget.show_status({**widget.status, "clock_warning": True, "clock_skew_seconds": -720})
    assert widget.clock_label.isVisible() or not widget.isVisible()
    assert "12 phút" in widget.clock_label.text()
    loop.shutdown()
    runner.shutdown()


def test_the_dossier_shown_says_sent_after_a_round_and_keeps_what_is_being_typed(qtbot, tmp_path, server, province,
                                                                                clock, intake_json):
    from PySide6.QtWidgets import QApplication

    from desk_app.i18n import Translator
    from tests.sync.conftest import enrolled_desk_at, ui_sync_loop
    from tests.ui.conftest import settled

    data = tmp_path / "desk"
    setup = enrolled_desk_at(data, clock, server, province)
    code = setup.intake.intake(intake_json).code
    setup.close()

    tr = Translator("vi")
    runner, window, loop = ui_sync_loop(data, clock, tr)
    page = window.dossier
    with qtbot.waitSignal(page.dossier_loaded, timeout=10000):
        window.open_dossier(code)
    assert page.field_text("synced") == "Chưa gửi"
    page.new_status.setCurrentIndex(page.new_status.findData("processing"))
    page.note.setText("đang gõ dở")  # the receptionist is in the middle of a status change
    with qtbot.waitSignal(page.dossier_loaded, timeout=20000, check_params_cb=lambda view: view.synced):
        loop.sync_now()
    assert page.field_text("synced").startswith("Đã gửi lúc")
    assert page.note.text() == "đang gõ dở" and page.new_status.currentData() == "processing"
    # A round that changed nothing does not reload the page.
    loads: list = []
    page.dossier_loaded.connect(loads.append)
    with qtbot.waitSignal(loop.round_finished, timeout=20000) as blocker:
        loop.sync_now()
    assert blocker.args[0]["summary"].ok and blocker.args[0]["summary"].confirmed == 0
    QApplication.processEvents()  # the change signal's 0 ms timer: a reload would be asked now
    settled(qtbot, runner)  # ...and its dossier read answered before this
    assert loads == []
    loop.shutdown()
    runner.shutdown()

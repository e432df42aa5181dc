"""Enrolling from the app, a CLI enrolment picked up promptly, and the sync widget and
dialogs following a language switch — with the real TaskRunner, main window and server."""

from __future__ import annotations

import threading

import pytest

from tests.sync.conftest import UNIT, free_port, ui_sync_loop

pytestmark = pytest.mark.ui


def configured_desk(data, clock):
    from desk_app.services.context import build_services

    ctx = build_services(data, clock=clock, actor="t")
    ctx.setup.configure(unit_code=UNIT, desk=3, commune_code="01273")
    ctx.catalogue.ensure_sample()
    ctx.sync.vault.use_keyring = False
    return ctx


def test_enroll_from_the_status_bar_then_switch_language(qtbot, tmp_path, server, province, clock, intake_json):
    from desk_app.i18n import Translator

    data = tmp_path / "desk"
    ctx = configured_desk(data, clock)
    ctx.intake.intake(intake_json)
    ctx.close()

    runner, window, loop = ui_sync_loop(data, clock, Translator("vi"))
    threads: list[str] = []
    factory = loop._factory

    def recording_factory():
        threads.append(threading.current_thread().name)
        return factory()

    loop._factory = recording_factory
    widget = loop.widget
    loop.refresh()
    qtbot.waitUntil(lambda: widget.status.get("enrolled") is False, timeout=5000)
    assert widget.state_label.text() == "Chưa đăng ký đồng bộ"
    assert not widget.enroll_button.isHidden() and widget.enroll_button.text() == "Đăng ký đồng bộ…"
    assert widget.sync_button.isHidden()

    widget.enroll_button.click()
    dialog = loop.enroll_dialog
    assert dialog is not None and dialog.windowTitle() == "Đăng ký đồng bộ với máy chủ tỉnh"
    # Nothing typed: said at once, nothing sent.
    dialog.ok_button.click()
    assert dialog.error_label.text().startswith("Hãy nhập địa chỉ máy chủ tỉnh") and not threads
    # A server that is not there (closed port): a clear answer, quickly, typed text kept.
    dialog.server_edit.setText(f"http://127.0.0.1:{free_port()}")
    dialog.code_edit.setText("WRONG-CODE")
    dialog.ok_button.click()
    assert not dialog.ok_button.isEnabled() and not dialog.busy_label.isHidden()
    qtbot.waitUntil(lambda: not dialog.busy and not dialog.error_label.isHidden(), timeout=10000)
    assert dialog.error_label.text().startswith("Không liên lạc được máy chủ tỉnh")
    assert dialog.code_edit.text() == "WRONG-CODE" and dialog.ok_button.isEnabled()
    # The right server, a wrong code.
    dialog.server_edit.setText(server.url)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.busy and "Mã đăng ký không đúng" in dialog.error_label.text(), timeout=10000)
    # Enrolment is network work: it runs on the sync executor, never the UI or DB thread.
    assert all(name.startswith("desk-sync") for name in threads) and len(threads) == 2

    # The receptionist switches to English: the widget and the open dialog follow.
    window.set_language("en")
    assert widget.state_label.text() == "Not enrolled for sync" and widget.enroll_button.text() == "Enroll for sync…"
    assert dialog.windowTitle() == "Enroll with the provincial sync server"
    assert dialog.error_label.text() == "The enrollment code is wrong or has already been used."
    assert dialog.ok_button.text() == "Enroll"

    # The right code: enrolled, the status says so at once and a first round runs.
    dialog.code_edit.setText(province.enroll_code(UNIT, 3)["code"])
    with qtbot.waitSignal(loop.round_finished, timeout=20000) as blocker:
        dialog.ok_button.click()
    assert blocker.args[0]["summary"].ok, blocker.args[0]
    qtbot.waitUntil(lambda: loop.enroll_dialog is None, timeout=5000)
    assert widget.state_label.text() == "Synced" and widget.enroll_button.isHidden()
    assert not widget.sync_button.isHidden() and widget.sync_button.text() == "Sync now"
    assert widget.outbox_label.text().startswith("Waiting to send: 0")
    assert len(server.admin("dossiers")) == 1

    # The sync issues dialog follows a switch too.
    issues = loop.show_issues()
    qtbot.waitUntil(lambda: issues.held_title.text() == "No records are held back.", timeout=5000)
    window.set_language("vi")
    assert issues.held_title.text() == "Không có bản ghi nào bị giữ lại."
    assert issues.windowTitle() == "Bản ghi đồng bộ cần xem lại"
    assert issues.held_table.horizontalHeaderItem(0).text() == "Mã hồ sơ"
    assert issues.retry_all_button.text() == "Gửi lại tất cả"
    assert widget.state_label.text() == "Đã đồng bộ" and widget.sync_button.text() == "Đồng bộ ngay"
    issues.close()
    loop.shutdown()
    runner.shutdown()


def test_cli_enrolment_shows_up_within_a_refresh(qtbot, tmp_path, server, province, clock):
    from desk_app.i18n import Translator
    from tests.sync.conftest import enroll

    data = tmp_path / "desk"
    configured_desk(data, clock).close()
    runner, window, loop = ui_sync_loop(data, clock, Translator("vi"))
    assert loop.refresh_timer.interval() <= 3000  # a cheap local read, often
    loop.start(first_delay=600)  # no scheduled round soon: only the refresh can notice
    widget = loop.widget
    qtbot.waitUntil(lambda: widget.status.get("enrolled") is False, timeout=5000)

    from desk_app.services.context import build_services

    other = build_services(data, clock=clock, actor="t")  # what `desk enroll` does, own connection
    enroll(other, server.url, province)
    other.close()
    with qtbot.waitSignal(loop.round_finished, timeout=10000) as blocker:
        pass
    assert blocker.args[0]["summary"].ok
    assert widget.status["enrolled"] and widget.state_label.text() == "Đã đồng bộ"
    loop.shutdown()
    runner.shutdown()

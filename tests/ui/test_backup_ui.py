"""The backup settings dialog, "back up now", the 2-day status-bar warning, the daily automatic
backup and a restore asked for in the app and carried out at the next start."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from desk_app.services import backup as bk
from desk_app.services.backup_schedule import RESTORE_MARKER, apply_pending_restore, judge
from desk_app.services.context import build_services
from desk_app.ui.backup_ui import install_backups
from tests.ui.conftest import seed_dossiers


def _setup(desk_window, data_dir):
    controller = install_backups(desk_window, desk_window.runner, data_dir)
    controller.start()
    return controller


def test_warning_then_back_up_now_from_the_dialog(qtbot, desk_window, data_dir, clock, intake_json, tmp_path):
    seed_dossiers(data_dir, clock, [intake_json, intake_json])
    controller = _setup(desk_window, data_dir)
    qtbot.waitUntil(lambda: controller.state is not None, timeout=5000)
    assert controller.warning.isVisible() and "Chưa có bản sao lưu" in controller.warning.text()
    controller.warning.click()  # the warning opens the dialog
    qtbot.waitUntil(lambda: controller.dialog is not None and controller.dialog.isVisible(), timeout=5000)
    dialog = controller.dialog
    assert dialog.folder.text() == str(data_dir.parent / "data-backups")  # beside, never inside
    usb = tmp_path / "usb"
    dialog.folder.setText(str(usb))
    dialog.now_button.click()
    qtbot.waitUntil(lambda: controller.state["last"] is not None and not controller.running, timeout=30000)
    assert controller.state["last"]["ok"] is True and controller.state["last"]["dossiers"] == 2
    assert "thành công, 2 hồ sơ" in dialog.last.text()
    assert not controller.warning.isVisible()
    [made] = bk.list_backups(usb)
    assert bk.verify_backup(Path(made["path"]))["dossiers"] == 2
    # A folder inside the data folder is refused, with the field pointed at.
    dialog.folder.setText(str(data_dir / "inside"))
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=5000)
    assert "không được nằm trong" in dialog.error.text()
    dialog.close()


def test_a_stale_backup_warns_and_the_daily_run_makes_a_new_one(qtbot, desk_window, data_dir, tmp_path):
    usb = tmp_path / "usb"
    ctx = build_services(data_dir)
    three_days = (datetime.now() - timedelta(days=3)).isoformat(timespec="seconds")
    ctx.store.set_settings({"backup.settings": {"folder": str(usb), "automatic": True, "keep_daily": 7, "keep_weekly": 4},
                            "backup.last_ok_at": three_days,
                            "backup.last": {"at": three_days, "ok": True, "path": "x", "dossiers": 0, "pages": 0, "bytes": 1}})
    ctx.close()
    controller = _setup(desk_window, data_dir)
    qtbot.waitUntil(lambda: controller.warning.isVisible(), timeout=5000)
    assert "quá 2 ngày" in controller.warning.text()
    controller.check()  # what the timer does
    qtbot.waitUntil(lambda: bool(bk.list_backups(usb)) and not controller.running and not controller.warning.isVisible(),
                    timeout=30000)
    assert judge(controller.state["last_ok_at"], datetime.now()) == {"due": False, "warn": False}
    controller.stop()
    # A backup that fails (the folder is a file) is recorded and shown.
    (tmp_path / "afile").write_text("x")
    controller.back_up({"folder": str(tmp_path / "afile"), "keep_daily": 7, "keep_weekly": 4})
    qtbot.waitUntil(lambda: not controller.running, timeout=10000)
    assert controller.state["last"]["ok"] is False and "THẤT BẠI" in desk_window.statusBar().currentMessage()


def test_restore_is_checked_now_and_done_at_the_next_start(qtbot, desk_window, data_dir, clock, intake_json, tmp_path, monkeypatch):
    seed_dossiers(data_dir, clock, [intake_json])
    made = bk.backup(data_dir, tmp_path / "usb")
    seed_dossiers(data_dir, clock, [intake_json])  # made after the backup: goes aside on restore
    restarted = []
    controller = install_backups(desk_window, desk_window.runner, data_dir, on_restart=lambda: restarted.append(True))
    controller.open_dialog()
    qtbot.waitUntil(lambda: controller.dialog is not None, timeout=5000)
    monkeypatch.setattr("desk_app.ui.backup_ui.QFileDialog.getExistingDirectory", lambda *a, **k: made["path"])
    monkeypatch.setattr("desk_app.ui.backup_ui.QMessageBox.question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    controller.dialog.restore_button.click()
    qtbot.waitUntil(lambda: bool(restarted), timeout=10000)
    assert (data_dir / RESTORE_MARKER).is_file()
    # The next start, on the folder as the closed app leaves it (here a copy: this window runs on).
    next_start = tmp_path / "next-start"
    shutil.copytree(data_dir, next_start)
    outcome = apply_pending_restore(next_start)
    assert outcome["dossiers"] == 1 and outcome["verify_files"]["ok"] and outcome["moved_aside"]
    assert not (next_start / RESTORE_MARKER).exists()
    ctx = build_services(next_start)
    try:
        assert ctx.store.db.conn.execute("SELECT count(*) FROM dossiers").fetchone()[0] == 1
    finally:
        ctx.close()
    aside = build_services(Path(outcome["moved_aside"]))  # the replaced data is all there
    try:
        assert aside.store.db.conn.execute("SELECT count(*) FROM dossiers").fetchone()[0] == 2
    finally:
        aside.close()
    assert apply_pending_restore(next_start) is None  # done once


def test_sync_widget_asks_to_enrol_again_after_a_restore_elsewhere(qtbot):
    from desk_app.i18n import Translator
    from desk_app.ui.sync_status import SyncStatusWidget

    widget = SyncStatusWidget(Translator("vi"))
    qtbot.addWidget(widget)
    widget.show()
    widget.show_status({"enrolled": True, "reenroll_needed": True, "state": "unknown", "outbox_depth": 0})
    assert widget.state_label.text() == "Cần đăng ký lại đồng bộ"
    assert widget.enroll_button.isVisible() and not widget.sync_button.isVisible()
    widget.show_status({"enrolled": True, "reenroll_needed": False, "state": "unknown", "outbox_depth": 0})
    assert not widget.enroll_button.isVisible()


def test_only_an_administrator_may_change_backups_or_restore(data_dir, tmp_path):
    import pytest

    from desk_app.domain.errors import ForbiddenError
    from desk_app.services.backup_schedule import BackupSettings, BackupSettingsService

    ctx = build_services(data_dir)
    try:
        ctx.accounts.create_first_admin("quantri", "Quản Trị", "mat-khau-dai-1")
        ctx.accounts.login("quantri", "mat-khau-dai-1")
        ctx.accounts.add("letan", "receptionist", "Lễ Tân", "mat-khau-dai-2")
        service = BackupSettingsService(ctx)
        ctx.accounts.login("letan", "mat-khau-dai-2")
        for attempt in (service.check_restore_allowed, lambda: service.save(BackupSettings(str(tmp_path / "usb")))):
            with pytest.raises(ForbiddenError):
                attempt()
        assert service.settings().folder != str(tmp_path / "usb")
        assert service.state(datetime.now())["may_manage"] is False  # the dialog's buttons are off
        ctx.accounts.login("quantri", "mat-khau-dai-1")
        assert service.state(datetime.now())["may_manage"] is True
        service.check_restore_allowed()
        assert service.save(BackupSettings(str(tmp_path / "usb"))).folder == str(tmp_path / "usb")
    finally:
        ctx.close()


def test_the_dialog_says_so_when_the_backup_state_cannot_be_read(qtbot, desk_window, data_dir, monkeypatch):
    """Opened from the menu, a failure is shown (the Op's default), not a menu entry that does
    nothing."""
    from desk_app.domain.errors import StoreError
    from desk_app.ui import backup_ui
    from desk_app.ui.ops import FAILURE_BOX

    controller = install_backups(desk_window, desk_window.runner, data_dir)

    def unreadable(_services):
        raise StoreError("Không đọc được cơ sở dữ liệu.")

    monkeypatch.setattr(backup_ui, "_state", unreadable)
    controller.open_dialog()
    qtbot.waitUntil(lambda: desk_window.findChild(QMessageBox, FAILURE_BOX) is not None, timeout=5000)
    box = desk_window.findChild(QMessageBox, FAILURE_BOX)
    assert box.isVisible() and box.text() == "Không đọc được cơ sở dữ liệu."
    assert controller.dialog is None
    box.close()


def test_a_window_closed_in_its_first_minute_asks_nothing_more(qtbot, desk_window, data_dir):
    """The first automatic check waits a minute (the counter's busiest time); stopping the
    controller (the window closing) cancels it, and a check that still fires once the runner is
    shutting down asks nothing (it raised "cannot schedule new futures after shutdown")."""
    controller = _setup(desk_window, data_dir)
    assert controller.first_check.isActive() and controller.timer.isActive()
    controller.stop()
    assert not controller.first_check.isActive() and not controller.timer.isActive()
    desk_window.runner.shutdown()
    controller.check()  # what a timer firing now would do: nothing, no error

"""Backups in the running app: the daily automatic backup, the status-bar warning when the
last good backup is older than 2 days, and the settings dialog (folder or USB drive,
retention, "back up now", last result, restore for administrators).

UI thread only; the backup runs on the I/O pool with its own SQLite connections (the
desk keeps saving meanwhile), settings and results on the DB thread (services/backup_schedule.py).
A restore replaces the open database, so it is checked now and carried out at the next
start, before the database opens (``apply_pending_restore``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QWidget,
)

from desk_app.domain.errors import DeskError
from desk_app.domain.formats import short_time
from desk_app.i18n import Translator
from desk_app.ui.ops import DB, IO, Op
from desk_app.ui.printing.dialog_base import SubmitDialog
from desk_app.ui.sync_status import human_bytes

if TYPE_CHECKING:  # the composition root (and the store under it) loads with the services
    from desk_app.services.context import DeskServices

log = logging.getLogger(__name__)

CHECK_EVERY_MS = 30 * 60 * 1000  # is a daily backup due? (cheap: one settings read)
FIRST_CHECK_MS = 60 * 1000  # not in the first minute: the counter is busiest at opening


def _state(services: DeskServices) -> dict[str, Any]:
    return services.backups.state(datetime.now())


def _save(services: DeskServices, values: dict[str, Any]) -> dict[str, Any]:
    from desk_app.services.backup_schedule import BackupSettings

    services.backups.save(BackupSettings(**values))
    return _state(services)


def _record(services: DeskServices, result: dict | None, error: BaseException | None) -> dict[str, Any]:
    services.backups.record(datetime.now(), result, error)
    return _state(services)


def _may_manage(services: DeskServices) -> None:
    services.backups.check_restore_allowed()


def _record_written(services: DeskServices, result: dict[str, Any]) -> dict[str, Any]:
    log.info("backup written: %s dossiers, %s pages, %s bytes copied", result["dossiers"], result["pages"], result["bytes_copied"])
    return _record(services, result, None)


def _run_backup(data_dir: Path, settings: dict[str, Any]) -> dict[str, Any]:
    from desk_app.services.backup import backup

    return backup(data_dir, Path(settings["folder"]), keep_daily=settings["keep_daily"], keep_weekly=settings["keep_weekly"])


def _request_restore(data_dir: Path, source: str) -> dict[str, Any]:
    from desk_app.services.backup_schedule import request_restore

    return request_restore(data_dir, Path(source))


def describe_last(tr: Translator, last: dict | None) -> str:
    if not last:
        return tr("Chưa có bản sao lưu nào.")
    if last.get("ok"):
        return tr(
            "Lần sao lưu gần nhất: {at} — thành công, {dossiers} hồ sơ, {pages} trang, {size} ({path}).",
            at=short_time(last["at"]), dossiers=last.get("dossiers", 0), pages=last.get("pages", 0),
            size=human_bytes(last.get("bytes") or 0), path=last.get("path", ""),
        )
    message = tr(last["message"], **last.get("params", {})) if last.get("message") else last.get("error", "")
    return tr("Lần sao lưu gần nhất: {at} — THẤT BẠI: {message}", at=short_time(last["at"]), message=message)


class BackupDialog(SubmitDialog):
    """The settings; ``back_up_now`` and ``restore`` buttons ask the controller."""

    def __init__(self, tr: Translator, state: dict[str, Any], parent: QWidget | None = None):
        super().__init__(tr, tr("Sao lưu dữ liệu"), tr("Lưu thiết lập"), parent)
        self.setMinimumWidth(680)
        settings = state["settings"]
        intro = QLabel(tr(
            "Mỗi ngày ứng dụng tự sao lưu cơ sở dữ liệu và các trang đã quét (chỉ chép trang mới). "
            "Nên chọn một ổ USB hoặc ổ đĩa khác. Khóa đồng bộ không được sao lưu: máy khôi phục phải đăng ký lại."
        ))
        intro.setWordWrap(True)
        self.form.addRow(intro)
        self.folder = QLineEdit(settings["folder"])
        choose = QPushButton(tr("Chọn…"))
        choose.clicked.connect(self._choose_folder)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(choose)
        self.form.addRow(tr("Thư mục sao lưu:"), row)
        self.automatic = QCheckBox(tr("Tự động sao lưu mỗi ngày khi ứng dụng đang chạy"))
        self.automatic.setChecked(bool(settings["automatic"]))
        self.form.addRow("", self.automatic)
        self.keep_daily = QSpinBox(minimum=1, maximum=60, value=int(settings["keep_daily"]))
        self.keep_weekly = QSpinBox(minimum=0, maximum=52, value=int(settings["keep_weekly"]))
        self.form.addRow(tr("Giữ bản hằng ngày:"), self.keep_daily)
        self.form.addRow(tr("Giữ bản hằng tuần:"), self.keep_weekly)
        self.last = QLabel()
        self.last.setObjectName("backupLast")
        self.last.setWordWrap(True)
        self.form.addRow(tr("Kết quả:"), self.last)
        self.now_button = QPushButton(tr("Sao lưu ngay"))
        self.restore_button = QPushButton(tr("Khôi phục từ bản sao lưu… (quản trị viên)"))
        actions = QHBoxLayout()
        actions.addWidget(self.now_button)
        actions.addStretch(1)
        actions.addWidget(self.restore_button)
        self.form.addRow(actions)
        self.fields.update({"folder": self.folder, "keep_daily": self.keep_daily, "keep_weekly": self.keep_weekly})
        self.show_state(state)

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr_("Chọn thư mục sao lưu (ổ USB)"), self.folder.text())
        if folder:
            self.folder.setText(folder)

    def values(self) -> dict[str, Any]:
        return {"folder": self.folder.text().strip(), "automatic": self.automatic.isChecked(),
                "keep_daily": self.keep_daily.value(), "keep_weekly": self.keep_weekly.value()}

    def show_state(self, state: dict[str, Any]) -> None:
        self.last.setText(describe_last(self.tr_, state.get("last")))
        self.last.setStyleSheet("color: #b00020;" if state.get("warn") else "")
        self.may_manage = bool(state.get("may_manage"))
        self._enable()

    may_manage = False
    running = False

    def set_running(self, running: bool) -> None:
        self.running = running
        self.now_button.setText(self.tr_("Đang sao lưu…") if running else self.tr_("Sao lưu ngay"))
        self._enable()

    def _enable(self) -> None:
        # Every account sees the settings and the last result; changing them, backing up by
        # hand and restoring are an administrator's (permission backup.manage).
        self.ok_button.setEnabled(self.may_manage and not self.busy)
        self.now_button.setEnabled(self.may_manage and not self.running)
        self.restore_button.setEnabled(self.may_manage)


class BackupController(QObject):
    """Owns the timer, the status-bar warning and the dialog of one main window."""

    def __init__(self, window, runner, data_dir: Path, on_restart: Callable[[], None] | None = None):
        super().__init__(window)
        self.window = window
        self.runner = runner
        self.data_dir = Path(data_dir)
        self.on_restart = on_restart
        self.running = False
        self.state: dict[str, Any] | None = None
        self.dialog: BackupDialog | None = None
        self.action = QAction(window)
        self.action.triggered.connect(self.open_dialog)
        window.file_menu.insertAction(window.quit_action, self.action)
        self.warning = QPushButton(flat=True)
        self.warning.setObjectName("backupWarning")
        self.warning.setStyleSheet("color: #b00020; font-weight: bold;")
        self.warning.clicked.connect(self.open_dialog)
        self.warning.hide()
        window.add_status_widget(self.warning)
        self.timer = QTimer(self, interval=CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check)
        # A timer of its own, not QTimer.singleShot: stop() must cancel it too, or a window
        # closed within the first minute asks its shut-down runner for the backup state.
        self.first_check = QTimer(self, interval=FIRST_CHECK_MS, singleShot=True)
        self.first_check.timeout.connect(self.check)
        window.language_changed.connect(lambda _lang: self.retranslate())
        self.retranslate()

    @property
    def tr_(self) -> Translator:
        return self.window.tr_

    def retranslate(self) -> None:
        self.action.setText(self.tr_("Sao lưu dữ liệu…"))
        if self.state is not None:
            self._show(self.state)

    def start(self) -> None:
        self.timer.start()
        self.first_check.start()
        self.runner.db(_state, on_done=self._show)

    def stop(self) -> None:
        self.timer.stop()
        self.first_check.stop()

    # --- automatic -----------------------------------------------------------------------
    def check(self) -> None:
        if self.runner.shut_down:  # a window closing: no backup starts now
            return
        self.runner.db(_state, on_done=self._due_checked)

    def _due_checked(self, state: dict[str, Any]) -> None:
        self._show(state)
        if state["due"] and not self.running:
            log.info("daily backup due")
            self.back_up(state["settings"])

    def back_up(self, settings: dict[str, Any]) -> None:
        self.running = True
        if self.dialog is not None:
            self.dialog.set_running(True)
        (Op(self, self.runner, lambda: self.tr_, _run_backup, self.data_dir, settings, executor=IO,
            on_success=self._finished, on_failure=self._backup_failed)
            .then(_record_written, executor=DB)
            .run())

    def _backup_failed(self, error: BaseException) -> None:
        Op(self, self.runner, lambda: self.tr_, _record, None, error, on_success=self._finished).run()

    def _finished(self, state: dict[str, Any]) -> None:
        self.running = False
        self._show(state)
        if self.dialog is not None:
            self.dialog.set_running(False)
        if state.get("last") and not state["last"].get("ok"):
            self.window.statusBar().showMessage(describe_last(self.tr_, state["last"]), 15000)

    def _show(self, state: dict[str, Any]) -> None:
        self.state = state
        if state.get("warn"):
            text = self.tr_("⚠ Chưa sao lưu quá 2 ngày") if state.get("last_ok_at") else self.tr_("⚠ Chưa có bản sao lưu")
            self.warning.setText(text)
            self.warning.setToolTip(describe_last(self.tr_, state.get("last")))
            self.warning.show()
        else:
            self.warning.hide()
        if self.dialog is not None:
            self.dialog.show_state(state)

    # --- the dialog ------------------------------------------------------------------------
    def open_dialog(self) -> None:
        # Asked for from the menu: if the state cannot be read, say so (Op's default) instead of
        # a menu entry that silently does nothing.
        Op(self.window, self.runner, lambda: self.tr_, _state, on_success=self._open_with).run()

    def _open_with(self, state: dict[str, Any]) -> None:
        self._show(state)
        dialog = BackupDialog(self.tr_, state, self.window)
        dialog.set_running(self.running)
        dialog.submitted.connect(lambda values: self.runner.db(_save, values, on_done=self._saved, on_error=dialog.show_error))
        dialog.now_button.clicked.connect(self._now)
        dialog.restore_button.clicked.connect(self._restore)
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    def _saved(self, state: dict[str, Any]) -> None:
        self._show(state)
        if self.dialog is not None:
            self.dialog.set_busy(False)
            self.dialog.accept()
        self.window.statusBar().showMessage(self.tr_("Đã lưu thiết lập sao lưu."), 5000)

    def _now(self) -> None:
        """Back up now with the folder as typed (saved first, so the next daily run uses it)."""
        dialog = self.dialog
        if dialog is None or self.running:
            return
        values = dialog.values()
        self.runner.db(_save, values, on_done=lambda state: self.back_up(state["settings"]), on_error=dialog.show_error)

    def _restore(self) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        self.runner.db(_may_manage, on_done=lambda _ok: self._choose_backup(), on_error=dialog.show_error)

    def _choose_backup(self) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        source = QFileDialog.getExistingDirectory(dialog, self.tr_("Chọn bản sao lưu (thư mục desk-backup-…)"), dialog.folder.text())
        if not source:
            return
        answer = QMessageBox.question(
            dialog, self.tr_("Khôi phục dữ liệu"),
            self.tr_("Thay toàn bộ dữ liệu của bàn này bằng bản sao lưu {path}? Dữ liệu hiện tại được giữ lại trong "
                    "thư mục replaced-… Ứng dụng sẽ khởi động lại.", path=source),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.runner.io(_request_restore, self.data_dir, source, on_done=self._restore_requested, on_error=dialog.show_error)

    def _restore_requested(self, manifest: dict[str, Any]) -> None:
        log.info("restore requested: %s dossiers, %s pages; applied at the next start", manifest["dossiers"], manifest["pages"])
        if self.on_restart is not None:
            self.on_restart()
        self.window.close()


def show_restore_outcome(window, tr: Translator, outcome: dict[str, Any] | None, error: BaseException | None) -> None:
    """After a start that carried out a restore: say what came back (and that the desk must
    enrol again when its secret is not on this PC)."""
    if error is not None:
        text = error.translated(tr) if isinstance(error, DeskError) else repr(error)
        QMessageBox.critical(window, tr("Khôi phục không thành công"), text)
        return
    if outcome is None:
        return
    text = tr("Đã khôi phục {dossiers} hồ sơ, {pages} trang. Kiểm tra tệp: {check}.", dossiers=outcome["dossiers"],
              pages=outcome["pages"], check=tr("đầy đủ") if outcome["verify_files"]["ok"] else tr("thiếu hoặc hỏng tệp"))
    if outcome.get("reenroll_needed"):
        text += "\n" + tr("Cần đăng ký lại với máy chủ tỉnh (khóa đồng bộ không nằm trong bản sao lưu).")
    QMessageBox.information(window, tr("Khôi phục dữ liệu"), text)


def install_backups(window, runner, data_dir: Path, on_restart: Callable[[], None] | None = None) -> BackupController:
    return BackupController(window, runner, data_dir, on_restart)

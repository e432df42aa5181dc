"""The Help menu's support items and the update notice:

- "Export diagnostics…": a support zip without personal data (services/diagnostics.py),
  written on the I/O pool;
- the update notice: when the province's server asks for a newer app version (its heartbeat
  answer, services/updates.py), a status-bar button says so and where to get it.
UI thread only.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton

from desk_app import __version__
from desk_app.domain.errors import DeskError
from desk_app.domain.formats import file_day

if TYPE_CHECKING:  # the composition root (and the store under it) loads with the services
    from desk_app.services.context import DeskServices

CHECK_EVERY_MS = 10 * 60 * 1000  # the notice follows the sync rounds' heartbeats


def _saved_notice(services: DeskServices) -> dict[str, Any] | None:
    from desk_app.services.updates import saved_notice

    return saved_notice(services)


def _diagnostics(data_dir: Path, out: str) -> dict[str, Any]:
    from desk_app.services.diagnostics import write_diagnostics

    return write_diagnostics(data_dir, Path(out))


class HelpMenu(QObject):
    def __init__(self, window, runner, data_dir: Path):
        super().__init__(window)
        self.window = window
        self.runner = runner
        self.data_dir = Path(data_dir)
        self.notice: dict[str, Any] | None = None
        self.menu = window.menuBar().addMenu("")
        self.diagnostics_action = QAction(window)
        self.diagnostics_action.triggered.connect(self.export_diagnostics)
        self.menu.addAction(self.diagnostics_action)
        self.version_action = QAction(window)
        self.version_action.triggered.connect(self.show_version)
        self.menu.addAction(self.version_action)
        self.update_button = QPushButton(flat=True)
        self.update_button.setObjectName("updateNotice")
        self.update_button.setStyleSheet("color: #0b57d0; font-weight: bold;")
        self.update_button.clicked.connect(self.show_version)
        self.update_button.hide()
        window.add_status_widget(self.update_button)
        self.timer = QTimer(self, interval=CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check)
        window.language_changed.connect(lambda _lang: self.retranslate())
        self.retranslate()

    @property
    def tr(self):
        return self.window.tr_

    def retranslate(self) -> None:
        self.menu.setTitle(self.tr("Trợ &giúp"))
        self.diagnostics_action.setText(self.tr("Xuất thông tin chẩn đoán…"))
        self.version_action.setText(self.tr("Phiên bản và cập nhật…"))
        self._show_notice(self.notice)

    def start(self) -> None:
        self.timer.start()
        self.check()

    def stop(self) -> None:
        self.timer.stop()

    # --- update notice ---------------------------------------------------------------------
    def check(self) -> None:
        self.runner.db(_saved_notice, on_done=self._show_notice)

    def _show_notice(self, notice: dict[str, Any] | None) -> None:
        self.notice = notice
        if notice:
            self.update_button.setText(self.tr("⬆ Có phiên bản mới {version}", version=notice["version"]))
            self.update_button.show()
        else:
            self.update_button.hide()

    def version_text(self) -> str:
        text = self.tr("Phiên bản đang chạy: {version}.", version=__version__)
        notice = self.notice
        if not notice:
            return text + "\n" + self.tr("Máy chủ tỉnh chưa yêu cầu phiên bản mới hơn.")
        text += "\n" + self.tr("Tỉnh yêu cầu dùng phiên bản {version}.", version=notice["version"])
        if notice.get("url"):
            text += "\n" + self.tr("Tải tại: {url}", url=notice["url"])
        else:
            text += "\n" + self.tr("Hãy liên hệ bộ phận công nghệ thông tin của tỉnh để nhận bản cài đặt.")
        return text + "\n" + self.tr("Dữ liệu được giữ nguyên khi cài phiên bản mới; nên sao lưu trước.")

    def show_version(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Phiên bản và cập nhật"), self.version_text(),
                          parent=self.window)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # the URL can be copied
        box.open()
        self.version_box = box

    # --- diagnostics -----------------------------------------------------------------------
    def export_diagnostics(self) -> None:
        default = str(Path.home() / f"desk-diagnostics-{file_day(date.today())}.zip")
        out, _filter = QFileDialog.getSaveFileName(self.window, self.tr("Xuất thông tin chẩn đoán"), default, "Zip (*.zip)")
        if not out:
            return
        if not out.lower().endswith(".zip"):
            out += ".zip"
        self.runner.io(_diagnostics, self.data_dir, out, on_done=self._exported, on_error=self._export_failed)

    def _exported(self, result: dict[str, Any]) -> None:
        self.window.statusBar().showMessage(
            self.tr("Đã lưu thông tin chẩn đoán (không có dữ liệu cá nhân): {path}", path=result["out"]), 15000
        )

    def _export_failed(self, error: BaseException) -> None:
        text = error.translated(self.tr) if isinstance(error, DeskError) else repr(error)
        QMessageBox.warning(self.window, self.tr("Xuất thông tin chẩn đoán"), text)


def install_help_menu(window, runner, data_dir: Path) -> HelpMenu:
    return HelpMenu(window, runner, data_dir)

"""The first-run wizard: place, identity, printer and paper, scanner, provincial server, the
administrator account, then a summary with the data folder. Keyboard-first: Enter is Next on every
page (and chooses in the place lists), Alt+letter reaches each field, Esc asks before quitting.

Each step saves as it goes (the identity first, marked unfinished until the last page), so an
interrupted wizard comes back at the next start with what was entered. UI thread.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget, QWizard

from desk_app.i18n import Translator
from desk_app.ui.first_run.admin_page import AdminPage
from desk_app.ui.first_run.identity_pages import PlacePage, UnitPage
from desk_app.ui.first_run.printer_page import PrinterPage
from desk_app.ui.first_run.scanner_page import ScannerPage
from desk_app.ui.first_run.server_page import ServerPage
from desk_app.ui.first_run.step import StepPage
from desk_app.ui.tasks import TaskRunner
from desk_app.ui.widgets import fit_to_screen

WIZARD_SIZE = (940, 640)  # fits a 1366×768 screen with its taskbar


class FinishPage(StepPage):
    """What was set, where the data lives; Finish opens the intake page."""

    def __init__(self, runner: TaskRunner, tr: Translator, state: dict):
        super().__init__(runner, tr, state)
        self.setTitle(tr("Sẵn sàng tiếp nhận hồ sơ"))
        self.setSubTitle(tr("Kiểm tra lại rồi nhấn Enter để bắt đầu làm việc. Quản trị viên có thể đổi các thiết "
                            "lập này sau (Thiết lập in, Đăng ký đồng bộ, desk init)."))
        self.summary = QLabel(wordWrap=True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.body.addWidget(self.summary)
        self.finish_layout()

    def initializePage(self) -> None:
        tr, state = self.tr_, self.state
        config = state.get("config") or {}
        rows = [
            (tr("Xã/phường"), f"{config.get('commune_name', '')}, {config.get('province_name', '')}"),
            (tr("Tên đơn vị"), config.get("unit_name", "")),
            (tr("Mã định danh đơn vị"), config.get("unit_code", "")),
            (tr("Số bàn"), str(config.get("desk", ""))),
            (tr("Cán bộ tiếp nhận"), config.get("officer_name") or tr("(tên đăng nhập)")),
            (tr("Máy in, khổ giấy"), f"{state.get('printer', '')} — {state.get('layout', '')}"),
            (tr("Máy quét"), state.get("scanner") or tr("không có: nhập giấy tờ từ tệp")),
            (tr("Máy chủ tỉnh"), state.get("server") or tr("chưa đăng ký (làm sau được)")),
            (tr("Tài khoản quản trị"), state.get("admin") or tr("chưa có (bàn chưa dùng tài khoản)")),
            (tr("Thư mục dữ liệu"), str(state.get("data_dir", ""))),
        ]
        if state.get("portable"):
            rows.append((tr("Chế độ di động"), tr("dữ liệu nằm cạnh chương trình (cài trên USB)")))
        from html import escape

        self.summary.setText("<table cellpadding='3'>" + "".join(
            f"<tr><td><b>{escape(k)}</b></td><td>{escape(str(v))}</td></tr>" for k, v in rows) + "</table>")
        self.wizard().button(QWizard.WizardButton.FinishButton).setFocus()

    def save(self, done) -> bool:
        from desk_app.services.first_run import finish_db

        def saved(config) -> None:
            self.state.update(config=config)
            done(config)

        self.runner.db(finish_db, on_done=saved, on_error=self.failed)
        return True

    def _saved(self, result: object = None) -> None:
        self._set_busy(False)
        self._passed = True
        self.wizard().accept()


class FirstRunWizard(QWizard):
    """``config`` holds the desk's configuration once the wizard is accepted."""

    def __init__(self, runner: TaskRunner, tr: Translator, state: dict, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self.tr_ = tr
        self.state = state
        self.config: dict | None = None
        self.setModal(True)
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.setOption(QWizard.WizardOption.NoCancelButton, False)
        self.setWindowTitle(tr("Cài đặt bàn tiếp nhận lần đầu"))
        for which, text in (
            (QWizard.WizardButton.BackButton, tr("< &Quay lại")),
            (QWizard.WizardButton.NextButton, tr("&Tiếp >")),
            (QWizard.WizardButton.FinishButton, tr("&Bắt đầu làm việc")),
            (QWizard.WizardButton.CancelButton, tr("Thoát")),
        ):
            self.setButtonText(which, text)
        self.place = PlacePage(runner, tr, state)
        self.unit = UnitPage(runner, tr, state)
        self.printer = PrinterPage(runner, tr, state)
        self.scanner = ScannerPage(runner, tr, state)
        self.server = ServerPage(runner, tr, state)
        self.admin = AdminPage(runner, tr, state)
        self.finish = FinishPage(runner, tr, state)
        self.pages = [self.place, self.unit, self.printer, self.scanner, self.server, self.admin, self.finish]
        for page in self.pages:
            self.addPage(page)
        fit_to_screen(self, *WIZARD_SIZE)  # a 1280×720 screen with a taskbar gets a smaller wizard
        self.confirm: QMessageBox | None = None

    def accept(self) -> None:
        self.config = self.state.get("config")
        super().accept()

    def reject(self) -> None:
        """Esc, the close box or Thoát: ask first; quitting keeps what was saved so far and the
        wizard comes back at the next start."""
        if self.confirm is not None:
            return
        tr = self.tr_
        box = QMessageBox(QMessageBox.Icon.Question, tr("Thoát cài đặt?"),
                          tr("Bàn tiếp nhận chưa cài đặt xong nên ứng dụng sẽ đóng. Những gì đã lưu được giữ lại; "
                             "lần mở sau sẽ tiếp tục cài đặt. Thoát bây giờ?"), parent=self)
        self.quit_button = box.addButton(tr("Thoát"), QMessageBox.ButtonRole.DestructiveRole)
        stay = box.addButton(tr("Tiếp tục cài đặt"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(stay)  # Enter or a second Esc: stay
        box.setEscapeButton(stay)
        self.confirm = box
        box.finished.connect(lambda _result: self._confirmed(box))
        box.open()

    def _confirmed(self, box: QMessageBox) -> None:
        self.confirm = None
        if box.clickedButton() is self.quit_button:
            super().reject()

"""Wizard page 6: the desk's first administrator account (issue 11's accounts,
``AccountsService.create_first_admin``), signed in at once so the rest of the first session
works. Skippable while no account exists (leave every field empty): a desk without accounts
works as before, unchecked; accounts can be added later with ``desk accounts``. Passwords
never leave this page except to the service, which stores only a scrypt hash. UI thread;
the account is made on the DB thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLineEdit

from desk_app.domain.errors import ValidationError
from desk_app.i18n import Translator
from desk_app.ui.first_run.step import StepPage
from desk_app.ui.tasks import TaskRunner

if TYPE_CHECKING:  # the composition root (and the store under it) loads with the services
    from desk_app.services.context import DeskServices


def create_admin_step(services: DeskServices, username: str, full_name: str, password: str) -> dict:
    """DB thread: the first administrator, signed in by the service (the session the UI's
    services share), so the first dossier goes through."""
    return services.accounts.create_first_admin(username, full_name, password)


def has_accounts(services: DeskServices) -> bool:
    return services.accounts.has_accounts()


class AdminPage(StepPage):
    def __init__(self, runner: TaskRunner, tr: Translator, state: dict):
        super().__init__(runner, tr, state)
        self.setTitle(tr("Tài khoản quản trị"))
        self.setSubTitle(tr("Tạo tài khoản quản trị viên của bàn này: người được thêm tài khoản cho cán bộ, đổi "
                            "thiết lập, sao lưu và khôi phục. Mật khẩu ít nhất 8 ký tự. Để trống tất cả nếu chưa "
                            "dùng tài khoản (mọi người dùng máy đều làm được mọi việc)."))
        self.username = QLineEdit()
        self.username.setPlaceholderText("admin")
        self.username.setMaxLength(32)
        self.full_name = QLineEdit()
        self.full_name.setMaxLength(100)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_again = QLineEdit()
        self.password_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.add_form([
            ("username", tr("&Tên đăng nhập"), self.username),
            ("full_name", tr("&Họ tên"), self.full_name),
            ("password", tr("&Mật khẩu"), self.password),
            ("password_again", tr("&Nhập lại mật khẩu"), self.password_again),
        ])
        self.finish_layout()
        self.created: dict | None = None
        self.existing = False  # the desk had accounts already (a wizard resumed after this step)

    def initializePage(self) -> None:
        if not self.full_name.text():
            self.full_name.setText(str((self.state.get("config") or {}).get("officer_name") or ""))
        self.runner.db(has_accounts, on_done=self._checked)
        self.username.setFocus()

    def _checked(self, exists: bool) -> None:
        self.existing = exists and self.created is None
        if self.existing:
            for widget in (self.username, self.full_name, self.password, self.password_again):
                widget.setEnabled(False)
            self.status.setText(self.tr_("Bàn này đã có tài khoản quản trị; nhấn Tiếp."))

    def save(self, done) -> bool:
        if self.existing or self.created is not None:
            return False
        fields = (self.username.text().strip(), self.full_name.text().strip(), self.password.text(),
                  self.password_again.text())
        if not any(fields):
            self.state["admin"] = ""
            return False  # skipped
        username, full_name, password, again = fields
        if password != again:
            raise ValidationError("Hai lần nhập mật khẩu không giống nhau.", field="password_again")

        def created(account: dict) -> None:
            self.created = account
            self.state["admin"] = account["username"]
            for widget in (self.password, self.password_again):
                widget.clear()  # not kept in memory longer than needed
            done(account)

        self.runner.db(create_admin_step, username, full_name, password, on_done=created, on_error=self.failed)
        return True

"""Tài khoản → Quản lý tài khoản…: the administrator's list of accounts (add, disable, reset a
password) and the idle minutes before the lock. UI thread; every call runs on the DB thread
and the services decide who may (a non-administrator sees their "forbidden" message)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.permissions import ROLE_LABELS, ROLES
from desk_app.i18n import Translator
from desk_app.ui.accounts.lock import accounts_state, error_text
from desk_app.ui.tables import refill_table
from desk_app.ui.tasks import TaskRunner

if TYPE_CHECKING:  # the composition root (and the store under it) loads with the services
    from desk_app.services.context import DeskServices


def load(services: DeskServices) -> dict:
    # The list last: accounts_state's own "accounts" says only whether there are any.
    return {**accounts_state(services), "accounts": services.accounts.list()}


def add_account(services: DeskServices, username: str, role: str, full_name: str, password: str) -> dict:
    first = not services.accounts.has_accounts()
    account = services.accounts.add(username, role, full_name, password)
    if first:  # the first administrator signs in with the account just made
        services.accounts.login(username, password)
    return {**account, "first": first}


def save_lock_minutes(services: DeskServices, minutes: int) -> int:
    from desk_app.services.accounts import set_lock_minutes

    return set_lock_minutes(services, minutes)


class AccountsDialog(QDialog):
    first_account = Signal(dict)  # the administrator just made, now signed in
    lock_minutes_changed = Signal(int)

    def __init__(self, runner: TaskRunner, tr: Translator, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self._tr = tr
        self.setWindowTitle(tr("Quản lý tài khoản"))
        self.resize(720, 520)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([tr("Tên đăng nhập"), tr("Họ tên"), tr("Vai trò"), tr("Trạng thái")])
        header = self.table.horizontalHeader()
        for column in range(4):  # names and roles on one line; the full name takes the room left
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if column == 1
                                        else QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.username = QLineEdit()
        self.full_name = QLineEdit()
        self.role = QComboBox()
        for role in ROLES:
            self.role.addItem(tr(ROLE_LABELS[role]), role)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        add = QPushButton(tr("Thêm tài khoản"))
        add.clicked.connect(self.add)
        form = QFormLayout()
        form.addRow(tr("Tên đăng nhập"), self.username)
        form.addRow(tr("Họ tên"), self.full_name)
        form.addRow(tr("Vai trò"), self.role)
        form.addRow(tr("Mật khẩu"), self.password)
        form.addRow("", add)
        disable = QPushButton(tr("Khóa tài khoản đã chọn"))
        disable.clicked.connect(self.disable)
        reset = QPushButton(tr("Đặt lại mật khẩu…"))
        reset.clicked.connect(self.reset)
        self.minutes = QSpinBox(minimum=1, maximum=240, suffix=tr(" phút"))
        save_minutes = QPushButton(tr("Lưu"))
        save_minutes.clicked.connect(self.save_minutes)
        row = QHBoxLayout()
        for widget in (disable, reset):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(QLabel(tr("Tự khóa sau")))
        row.addWidget(self.minutes)
        row.addWidget(save_minutes)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(row)
        layout.addLayout(form)
        layout.addWidget(self.message)
        self.refresh()

    def refresh(self) -> None:
        self.runner.db(load, on_done=self._loaded, on_error=self._failed)

    def _loaded(self, state: dict) -> None:
        tr = self._tr
        accounts = state["accounts"]
        # The account chosen stays chosen by its user name (one added before it moves it down):
        # locking or resetting never falls on another account.
        refill_table(self.table, [(account["username"], account["full_name"], tr(ROLE_LABELS[account["role"]]),
                                   tr("Đang dùng") if account["active"] else tr("Đã khóa")) for account in accounts])
        self.minutes.setValue(state["lock_minutes"])
        if not accounts:
            self.role.setCurrentIndex(ROLES.index("admin"))
            self.message.setText(tr("Bàn này chưa có tài khoản: tài khoản đầu tiên phải là quản trị viên."))

    def _selected(self) -> str | None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        return item.text() if item else None

    def add(self) -> None:
        self.runner.db(add_account, self.username.text(), self.role.currentData(), self.full_name.text(),
                       self.password.text(), on_done=self._added, on_error=self._failed)

    def _added(self, account: dict) -> None:
        self.password.clear()
        self.username.clear()
        self.full_name.clear()
        self.message.setText(self._tr("Đã thêm tài khoản {username}.", username=account["username"]))
        if account["first"]:
            self.first_account.emit(account)
        self.refresh()

    def disable(self) -> None:
        username = self._selected()
        if not username:
            return
        answer = QMessageBox.question(self, self._tr("Khóa tài khoản"),
                                      self._tr("Khóa tài khoản {username}? Người này sẽ không đăng nhập được nữa.",
                                               username=username))
        if answer == QMessageBox.StandardButton.Yes:
            self.runner.db(lambda s: s.accounts.disable(username), on_done=lambda _r: self.refresh(), on_error=self._failed)

    def reset(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        username = self._selected()
        if not username:
            return
        password, ok = QInputDialog.getText(self, self._tr("Đặt lại mật khẩu"),
                                            self._tr("Mật khẩu mới cho {username}:", username=username),
                                            QLineEdit.EchoMode.Password)
        if ok:
            self.runner.db(lambda s: s.accounts.reset_password(username, password),
                           on_done=lambda _r: self.message.setText(self._tr("Đã đặt lại mật khẩu.")), on_error=self._failed)

    def save_minutes(self) -> None:
        self.runner.db(save_lock_minutes, self.minutes.value(), on_done=self._minutes_saved, on_error=self._failed)

    def _minutes_saved(self, minutes: int) -> None:
        self.lock_minutes_changed.emit(minutes)
        self.message.setText(self._tr("Đã lưu: tự khóa sau {minutes} phút không dùng.", minutes=minutes))

    def _failed(self, error: BaseException) -> None:
        self.message.setText(error_text(error, self._tr))

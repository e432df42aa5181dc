"""Accounts in the app: sign-in at start once the desk has accounts, the "Tài khoản"
menu (lock, switch user, manage accounts), the status-bar label, and the supervisor's pages
(review queue, dashboard, audit trail), each built on first use. UI thread."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from desk_app.i18n import N_
from desk_app.ui.accounts.lock import SessionControl, accounts_state

if TYPE_CHECKING:
    from desk_app.ui.accounts.manage_dialog import AccountsDialog

SUPERVISOR_PAGES = (
    ("review", N_("Rà soát")),
    ("dashboard", N_("Thống kê")),
    ("audit", N_("Nhật ký")),
)
ACTIONS = (
    ("lock", N_("Khóa màn hình"), "Ctrl+L"),
    ("switch", N_("Đổi người dùng…"), None),
    ("manage", N_("Quản lý tài khoản…"), None),
)


class AccountsUi:
    def __init__(self, window, runner, printing=None) -> None:
        self.window = window
        self.runner = runner
        self.printing = printing  # the printing add-on: form 04 from the review queue
        tr = window.tr_
        self.session = SessionControl(window, runner, tr)
        window.add_status_widget(self.session.label)
        self.menu = window.menuBar().addMenu("")
        self.actions: dict[str, QAction] = {}
        for key, _title, shortcut in ACTIONS:
            action = QAction(window)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(lambda _checked=False, key=key: self.trigger(key))
            self.menu.addAction(action)
            self.actions[key] = action
        self.page_actions = {
            key: window.add_page(key, lambda key=key: self._build(key), title) for key, title in SUPERVISOR_PAGES
        }
        self.session.changed.connect(self._account_changed)
        self.manage_dialog: AccountsDialog | None = None
        window.language_changed.connect(lambda _language: self.retranslate())
        self.retranslate()

    def retranslate(self) -> None:
        tr = self.window.tr_
        self.menu.setTitle(tr("Tài &khoản"))
        for key, title, _shortcut in ACTIONS:
            self.actions[key].setText(tr(title))

    def start(self) -> None:
        """After the database opened (DeskStartup's ready callbacks)."""
        self.runner.db(accounts_state, on_done=self.session.begin)

    def trigger(self, key: str) -> None:
        if key == "lock":
            self.session.lock()
        elif key == "switch":
            self.session.switch_user()
        else:
            self.open_manage()

    def open_manage(self):
        from desk_app.ui.accounts.manage_dialog import AccountsDialog

        if self.manage_dialog is None:
            self.manage_dialog = AccountsDialog(self.runner, self.window.tr_, parent=self.window)
            self.manage_dialog.first_account.connect(self.session.accounts_created)
            self.manage_dialog.lock_minutes_changed.connect(self.session.set_lock_minutes)
            self.manage_dialog.finished.connect(self._manage_closed)
        self.manage_dialog.open()
        return self.manage_dialog

    def _manage_closed(self, _result: int) -> None:
        if self.manage_dialog is not None:
            self.manage_dialog.deleteLater()
        self.manage_dialog = None

    def _build(self, key: str) -> QWidget:
        if key == "review":
            from desk_app.ui.accounts.review_page import ReviewPage

            return ReviewPage(self.runner, self.window.tr_, self.window)
        if key == "dashboard":
            from desk_app.ui.accounts.dashboard import DashboardPage

            return DashboardPage(self.runner, self.window.tr_, self.window)
        from desk_app.ui.accounts.audit_page import AuditPage

        return AuditPage(self.runner, self.window.tr_, self.window)

    def _account_changed(self, account: dict | None) -> None:
        """A receptionist does not see the supervisor's pages (the services refuse them anyway)."""
        supervisor = account is None or account.get("role") in ("supervisor", "admin")
        for action in self.page_actions.values():
            action.setVisible(supervisor)
        if not supervisor and self.window.current_page_key() in self.page_actions:
            self.window.show_page("intake", remember=False)


def install_accounts(window, runner, startup=None, printing=None) -> AccountsUi:
    ui = AccountsUi(window, runner, printing)
    window.accounts = ui
    if startup is not None:
        def start_unless_error(config: dict) -> None:
            if "error" not in config:
                ui.start()

        startup.ready_callbacks.append(start_unless_error)
    return ui

"""Sign-in at start, switching user and the inactivity lock. UI thread; signing in
runs on the DB thread.

The lock is a modal, frameless dialog laid over the whole main window: nothing underneath can
be read or reached (menus, shortcuts, scans), and nothing underneath is touched either, so an
intake being typed is still there, unsaved, after unlocking. Locking also signs the session
out in the services, so no call acts as that person until someone signs in again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.permissions import ROLE_LABELS
from desk_app.i18n import Translator
from desk_app.ui.tasks import TaskRunner

if TYPE_CHECKING:  # the composition root (and the store under it) loads with the services
    from desk_app.services.context import DeskServices

DEFAULT_LOCK_MINUTES = 10
ACTIVITY_EVENTS = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel})


def error_text(error: BaseException, tr: Translator) -> str:
    """A failure from the DB thread as the message to show (a DeskError translated)."""
    return error.translated(tr) if hasattr(error, "translated") else repr(error)


def sign_in(services: DeskServices, username: str, password: str) -> dict:
    """DB thread: sign in; the account and what waits for it (overdue, due soon)."""
    account = services.accounts.login(username, password, audited=True).as_dict()
    try:
        counts = services.review.counts()
    except Exception:  # a count must never block signing in
        counts = {}
    return {**account, "counts": counts}


def accounts_state(services: DeskServices) -> dict:
    """DB thread: does the desk have accounts, and after how many idle minutes it locks."""
    from desk_app.services.accounts import lock_minutes

    current = services.accounts.current
    return {
        "current": {**current.as_dict(), "counts": {}} if current else None,  # e.g. the wizard's new administrator
        "accounts": services.accounts.has_accounts(),
        "lock_minutes": lock_minutes(services, DEFAULT_LOCK_MINUTES),
    }


def sign_out(services: DeskServices, reason: str) -> None:
    """DB thread: sign out; ``reason`` ("lock", "switch") goes into the audit trail."""
    services.accounts.logout(reason=reason)


class LockDialog(QDialog):
    """Covers ``parent`` entirely; closes only when someone signed in."""

    signed_in = Signal(dict)

    def __init__(self, runner: TaskRunner, tr: Translator, parent: QWidget, *, username: str = "", locked: bool = False):
        super().__init__(parent, Qt.WindowType.FramelessWindowHint | Qt.WindowType.Dialog)
        self.runner = runner
        self._tr = tr
        self._done = False
        self.setObjectName("lockScreen")
        self.setModal(True)
        self.setStyleSheet(
            "#lockScreen { background: #1f3b57; } #lockPanel { background: white; border-radius: 8px; }"
            " #lockTitle { font-size: 18pt; font-weight: bold; } #lockError { color: #b00020; }"
        )
        panel = QFrame()
        panel.setObjectName("lockPanel")
        panel.setFixedWidth(420)
        title = QLabel(tr("Màn hình đã khóa") if locked else tr("Đăng nhập"))
        title.setObjectName("lockTitle")
        hint = QLabel(
            tr("Hồ sơ đang nhập dở vẫn được giữ nguyên. Đăng nhập để tiếp tục.") if locked
            else tr("Đăng nhập bằng tài khoản của bàn tiếp nhận.")
        )
        hint.setWordWrap(True)
        hint.setMinimumHeight(hint.fontMetrics().lineSpacing() * 2 + 6)  # two lines, never clipped
        self.username = QLineEdit(username, placeholderText=tr("Tên đăng nhập"))
        self.password = QLineEdit(placeholderText=tr("Mật khẩu"))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel("")
        self.error.setObjectName("lockError")
        self.error.setWordWrap(True)
        self.button = QPushButton(tr("Mở khóa") if locked else tr("Đăng nhập"))
        self.button.setDefault(True)
        self.button.clicked.connect(self.submit)
        self.username.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.submit)
        inner = QVBoxLayout(panel)
        inner.setContentsMargins(28, 24, 28, 24)
        for widget in (title, hint, QLabel(tr("Tên đăng nhập")), self.username, QLabel(tr("Mật khẩu")), self.password,
                       self.error, self.button):
            inner.addWidget(widget)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(panel, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        self.cover()
        (self.password if username else self.username).setFocus()

    def cover(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.frameGeometry())

    def submit(self) -> None:
        if not self.username.text().strip() or not self.password.text():
            self.error.setText(self._tr("Hãy nhập tên đăng nhập và mật khẩu."))
            return
        self.button.setEnabled(False)
        self.error.setText("")
        self.runner.db(sign_in, self.username.text(), self.password.text(), on_done=self._signed_in, on_error=self._failed)

    def _signed_in(self, account: dict) -> None:
        self._done = True
        self.password.clear()
        self.signed_in.emit(account)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.button.setEnabled(True)
        self.password.clear()
        self.password.setFocus()
        self.error.setText(error_text(error, self._tr))

    def take_card(self, _card) -> None:
        """An ID card scanned while locked fills nothing (wedge.py asks the modal widget first)."""

    def reject(self) -> None:  # Esc does not unlock
        pass

    def closeEvent(self, event) -> None:
        if self._done:
            event.accept()
        else:
            event.ignore()


class SessionControl(QObject):
    """Who is signed in on this window, the lock timer and the status-bar label."""

    changed = Signal(object)  # the account dict, or None

    def __init__(self, window, runner: TaskRunner, tr: Translator):
        super().__init__(window)
        self.window = window
        self.runner = runner
        self.tr_ = tr
        self.account: dict | None = None
        self.accounts_exist = False
        self.dialog: LockDialog | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEFAULT_LOCK_MINUTES * 60_000)
        self.timer.timeout.connect(self.lock)
        self.label = QLabel("")
        self._watching = False  # the activity filter, installed when someone first signs in

    def _watch_activity(self) -> None:
        """Every event of the application passes through ``eventFilter`` from now on. Not
        before someone signs in (nothing to count down before): the first event of one of Qt's
        private objects (a line edit's QWidgetLineControl) handed to a Python filter makes
        PySide set up every wrapped class, ~130 enums, 25-40 ms, which delayed the catalogue at
        start (bench/bench_startup.py)."""
        if not self._watching:
            app = QApplication.instance()
            assert app is not None  # the window exists, so the application does
            app.installEventFilter(self)
            self._watching = True

    def set_lock_minutes(self, minutes: int) -> None:
        self.timer.setInterval(max(1, int(minutes)) * 60_000)
        if self.account is not None:
            self.timer.start()

    def eventFilter(self, _obj, event) -> bool:
        if event.type() in ACTIVITY_EVENTS and self.account is not None and self.dialog is None:
            self.timer.start()  # any keystroke or click restarts the countdown
        return False

    def begin(self, state: dict) -> None:
        """After the database opened: ``state`` = {current, accounts, lock_minutes}."""
        self.accounts_exist = bool(state.get("accounts"))
        self.set_lock_minutes(state.get("lock_minutes") or DEFAULT_LOCK_MINUTES)
        if state.get("current"):
            self._signed_in(state["current"])  # signed in already (the first-run wizard's administrator)
        elif self.accounts_exist:
            self._ask(username="", locked=False)
        self._show_label()

    def lock(self) -> None:
        if not self.accounts_exist or self.dialog is not None:
            return
        username = (self.account or {}).get("username", "")
        self.runner.db(sign_out, "lock")
        self._ask(username=username, locked=True)

    def switch_user(self) -> None:
        if not self.accounts_exist or self.dialog is not None:
            return
        self.runner.db(sign_out, "switch")
        self._ask(username="", locked=False)

    def _ask(self, *, username: str, locked: bool) -> None:
        self.timer.stop()
        self.account = None
        self._show_label()
        self.dialog = LockDialog(self.runner, self.tr_, self.window, username=username, locked=locked)
        self.dialog.signed_in.connect(self._signed_in)
        self.dialog.finished.connect(self._closed)
        self.dialog.open()

    def _closed(self, _result: int) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None

    def _signed_in(self, account: dict) -> None:
        self.account = account
        self._watch_activity()
        self.timer.start()
        self._show_label()
        self.changed.emit(account)

    def accounts_created(self, account: dict) -> None:
        """The first account was just made; the administrator is signed in with it."""
        self.accounts_exist = True
        self._signed_in(account)

    def _show_label(self) -> None:
        tr = self.tr_
        if self.account is None:
            self.label.setText(tr("Chưa đăng nhập") if self.accounts_exist else "")
            return
        text = tr("{name} ({role})", name=self.account["full_name"], role=tr(ROLE_LABELS[self.account["role"]]))
        counts = self.account.get("counts") or {}
        if counts:
            text += " · " + tr("Quá hạn: {overdue} · Sắp đến hạn: {soon}", overdue=counts.get("overdue", 0),
                               soon=counts.get("due_soon", 0))
        self.label.setText(text)

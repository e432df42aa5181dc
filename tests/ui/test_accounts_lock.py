"""Sign-in at start, the inactivity lock that keeps an unsaved intake, switching user."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from desk_app.domain.errors import AuthError
from tests.ui.conftest import open_window, settled

PASSWORDS = {"admin": "quan-tri-123", "tiepnhan": "tiep-nhan-123"}


@pytest.fixture
def staffed_dir(data_dir, clock):
    from desk_app.services.context import build_services

    ctx = build_services(data_dir, clock=clock, actor="tester")
    ctx.accounts.create_first_admin("admin", "Hoàng Văn Quản", PASSWORDS["admin"])
    ctx.accounts.login("admin", PASSWORDS["admin"])
    ctx.accounts.add("tiepnhan", "receptionist", "Nông Văn Nhận", PASSWORDS["tiepnhan"])
    ctx.close()
    return data_dir


def start(qtbot, data_dir, clock):
    from desk_app.ui.accounts import install_accounts

    window, runner, startup, ready = open_window(qtbot, data_dir, clock)
    accounts = install_accounts(window, runner, startup)
    return window, runner, accounts


def sign_in(qtbot, accounts, username: str, password: str) -> None:
    dialog = accounts.session.dialog
    dialog.username.setText(username)
    dialog.password.setText(password)
    dialog.submit()


def audit_rows(data_dir, action: str) -> list[tuple[str, dict]]:
    """(account, after) of the audit trail's ``action`` entries, read from the file itself."""
    import json
    import sqlite3

    conn = sqlite3.connect(data_dir / "desk.sqlite3")
    try:
        rows = conn.execute("SELECT account, after FROM audit_log WHERE action = ? ORDER BY id", (action,)).fetchall()
        return [(account, json.loads(after)) for account, after in rows]
    finally:
        conn.close()


def service_session(runner):
    """The services' own idea of who is signed in (the DB thread's)."""
    return runner.db(lambda s: s.session.username).result(5)


def test_no_sign_in_on_a_desk_without_accounts(qtbot, data_dir, clock):
    window, runner, accounts = start(qtbot, data_dir, clock)
    try:
        qtbot.waitUntil(lambda: accounts.session.timer.interval() > 0 and not accounts.session.accounts_exist
                        and runner.db(lambda s: True).result(5), timeout=10000)
        settled(qtbot, runner)
        assert accounts.session.dialog is None
        accounts.session.lock()  # nothing to lock without accounts
        assert accounts.session.dialog is None
    finally:
        window.close()
        runner.shutdown()


def test_sign_in_lock_keeps_the_unsaved_intake_and_unlock(qtbot, staffed_dir, clock):
    window, runner, accounts = start(qtbot, staffed_dir, clock)
    try:
        qtbot.waitUntil(lambda: accounts.session.dialog is not None and accounts.session.dialog.isVisible(), timeout=10000)
        assert QApplication.activeModalWidget() is accounts.session.dialog
        sign_in(qtbot, accounts, "tiepnhan", "sai-mat-khau")
        qtbot.waitUntil(lambda: accounts.session.dialog.error.text() != "", timeout=10000)
        assert accounts.session.dialog.isVisible() and accounts.session.account is None
        sign_in(qtbot, accounts, "tiepnhan", PASSWORDS["tiepnhan"])
        qtbot.waitUntil(lambda: accounts.session.account is not None, timeout=10000)
        assert "Nông Văn Nhận" in accounts.session.label.text()
        assert not accounts.page_actions["dashboard"].isVisible()  # a receptionist's window
        assert service_session(runner) == "tiepnhan"

        window.intake.full_name.setText("Trần Văn Dũng")  # typed, not saved
        # Activity restarts the countdown; its end (the timer's signal, no sleeping) locks.
        accounts.session.timer.stop()
        QApplication.sendEvent(window, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Shift, Qt.KeyboardModifier.NoModifier))
        assert accounts.session.timer.isActive()
        accounts.session.timer.timeout.emit()
        qtbot.waitUntil(lambda: accounts.session.dialog is not None and accounts.session.dialog.isVisible(), timeout=10000)
        lock = accounts.session.dialog
        assert lock.username.text() == "tiepnhan"
        assert QApplication.activeModalWidget() is lock
        assert lock.geometry().contains(window.geometry().center())
        qtbot.waitUntil(lambda: service_session(runner) == "", timeout=5000)  # signed out in the services too
        assert audit_rows(staffed_dir, "auth.logout") == [("tiepnhan", {"reason": "lock"})]  # in the audit trail
        with pytest.raises(AuthError):
            runner.db(lambda s: s.queue.search("")).result(5)
        lock.reject()  # Esc does nothing
        lock.close()
        assert lock.isVisible()
        assert window.intake.full_name.text() == "Trần Văn Dũng"

        sign_in(qtbot, accounts, "tiepnhan", PASSWORDS["tiepnhan"])
        qtbot.waitUntil(lambda: accounts.session.dialog is None, timeout=10000)
        assert window.intake.full_name.text() == "Trần Văn Dũng"  # still there, still unsaved
        assert runner.db(lambda s: s.store.dossier_count()).result(5) == 0
    finally:
        window.close()
        runner.shutdown()


def test_switch_user_to_an_administrator_shows_the_supervisor_pages(qtbot, staffed_dir, clock):
    window, runner, accounts = start(qtbot, staffed_dir, clock)
    try:
        qtbot.waitUntil(lambda: accounts.session.dialog is not None, timeout=10000)
        sign_in(qtbot, accounts, "tiepnhan", PASSWORDS["tiepnhan"])
        qtbot.waitUntil(lambda: accounts.session.account is not None, timeout=10000)
        accounts.trigger("switch")
        qtbot.waitUntil(lambda: accounts.session.dialog is not None, timeout=10000)
        assert accounts.session.dialog.username.text() == ""
        sign_in(qtbot, accounts, "admin", PASSWORDS["admin"])
        qtbot.waitUntil(lambda: (accounts.session.account or {}).get("username") == "admin", timeout=10000)
        assert accounts.page_actions["dashboard"].isVisible()
        window.show_page("audit")
        audit = window.page("audit")
        qtbot.waitUntil(lambda: audit.table.rowCount() > 0, timeout=10000)
        # Who was at the desk when: each sign-in, and the sign-out of the user switched away.
        newest = [tuple(audit.table.item(r, c).text() for c in (1, 2, 5)) for r in range(3)]
        assert [row[:2] for row in newest] == [("admin", "Đăng nhập"), ("tiepnhan", "Đăng xuất, khóa màn hình"),
                                               ("tiepnhan", "Đăng nhập")]
        assert '"switch"' in newest[1][2] and '"admin"' in newest[0][2]
    finally:
        window.close()
        runner.shutdown()


def test_an_administrator_signed_in_by_the_set_up_is_not_asked_again(qtbot, data_dir, clock):
    from desk_app.ui.accounts import install_accounts

    window, runner, startup, ready = open_window(qtbot, data_dir, clock)
    # What the first-run wizard does on the DB thread before the window is ready.
    runner.db(lambda s: s.accounts.create_first_admin("admin", "Hoàng Văn Quản", PASSWORDS["admin"])).result(10)
    accounts = install_accounts(window, runner, startup)
    try:
        qtbot.waitUntil(lambda: (accounts.session.account or {}).get("username") == "admin", timeout=10000)
        assert accounts.session.dialog is None and accounts.session.accounts_exist
    finally:
        window.close()
        runner.shutdown()

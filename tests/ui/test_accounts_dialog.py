"""Tài khoản → Quản lý tài khoản… (the real dialog from the menu, DB thread and services): the
first account is an administrator, then staff accounts are added, locked, their passwords
reset, and the idle minutes saved; the account chosen stays chosen by its name when the list
is read again, so locking one never falls on the account that moved into its row."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QMessageBox

from tests.ui.conftest import settled

PASSWORD = "mật-khẩu-đủ-dài-2026"


def _listed(dialog) -> list[str]:
    return [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]


def _add(qtbot, dialog, username: str, role: str) -> None:
    dialog.username.setText(username)
    dialog.full_name.setText(username.title())
    dialog.role.setCurrentIndex(dialog.role.findData(role))
    dialog.password.setText(PASSWORD)
    dialog.add()
    qtbot.waitUntil(lambda: username in _listed(dialog), timeout=10000)
    assert dialog.password.text() == "" and f"Đã thêm tài khoản {username}" in dialog.message.text()


def test_accounts_are_managed_and_locking_falls_on_the_account_chosen(qtbot, desk_window, monkeypatch):
    from desk_app.ui.accounts import install_accounts

    runner = desk_window.runner
    accounts_ui = install_accounts(desk_window, runner)
    dialog = accounts_ui.open_manage()
    qtbot.waitUntil(lambda: "chưa có tài khoản" in dialog.message.text(), timeout=10000)
    assert dialog.role.currentData() == "admin"  # the first account must be an administrator
    _add(qtbot, dialog, "quantri", "admin")  # ...and is signed in
    _add(qtbot, dialog, "thu", "receptionist")
    dialog.table.selectRow(_listed(dialog).index("thu"))
    assert dialog._selected() == "thu"
    _add(qtbot, dialog, "lan", "receptionist")  # sorts before "thu": the rows move
    assert _listed(dialog) == ["lan", "quantri", "thu"]
    assert dialog._selected() == "thu"
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    dialog.disable()
    qtbot.waitUntil(lambda: dialog.table.item(_listed(dialog).index("thu"), 3).text() == "Đã khóa", timeout=10000)
    assert "thu" in asked[0]
    active = {a["username"]: a["active"] for a in runner.db(lambda s: s.accounts.list()).result(5)}
    assert active == {"lan": True, "quantri": True, "thu": False}

    dialog.table.selectRow(_listed(dialog).index("lan"))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("mật-khẩu-mới-của-lan-2026", True))
    dialog.reset()
    qtbot.waitUntil(lambda: dialog.message.text() == "Đã đặt lại mật khẩu.", timeout=10000)
    dialog.minutes.setValue(7)
    with qtbot.waitSignal(dialog.lock_minutes_changed, timeout=10000) as saved:
        dialog.save_minutes()
    assert saved.args == [7]
    settled(qtbot, runner)
    assert runner.db(lambda s: s.accounts.login("lan", "mật-khẩu-mới-của-lan-2026").username).result(5) == "lan"
    dialog.reject()

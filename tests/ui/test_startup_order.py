"""What waits for the catalogue at start (issue 15, "Ready to work at start"): the work the first
intake does not need (help and backup menus, sync rounds, OCR) starts once the catalogue is
listed, the set-up wizard is open or the failure is reported (ui/app.py DeskStartup)."""

from __future__ import annotations

from desk_app.i18n import Translator
from tests.ui.conftest import open_window


def test_listed_and_settled_callbacks_run_once_after_the_catalogue_is_listed(qtbot, data_dir, clock):
    window, runner, startup, ready = open_window(qtbot, data_dir, clock)
    seen: list[tuple[str, int]] = []
    startup.listed_callbacks.append(lambda config: seen.append((config["unit_code"], window.intake.finder.matches.count())))
    startup.settled_callbacks.append(lambda: seen.append(("settled", window.intake.finder.matches.count())))
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=10000)
    assert ready and "error" not in ready[0]
    (unit_code, listed_count), (settled, settled_count) = seen
    assert unit_code == ready[0]["unit_code"] and listed_count > 0  # the catalogue came first
    assert settled == "settled" and settled_count == listed_count
    done: list = []
    runner.db(lambda _services: None, on_done=done.append)  # anything queued after has answered
    qtbot.waitUntil(lambda: bool(done), timeout=10000)
    qtbot.wait(50)
    assert len(seen) == 2  # once each
    window.close()
    runner.shutdown()


def test_settled_callbacks_run_when_the_first_run_wizard_opens(qtbot, tmp_path, clock):
    window, runner, startup, ready = open_window(qtbot, tmp_path / "fresh", clock)
    settled: list[bool] = []
    startup.settled_callbacks.append(lambda: settled.append(startup.dialog is not None and startup.dialog.isVisible()))
    qtbot.waitUntil(lambda: bool(settled), timeout=60000)
    assert settled == [True] and not ready  # the desk is not set up yet: nothing else started
    window.close()
    runner.shutdown()


def test_settled_callbacks_run_when_the_database_cannot_be_opened(qtbot, tmp_path):
    from desk_app.services.context import build_services
    from desk_app.ui.app import DeskStartup
    from desk_app.ui.main_window import MainWindow
    from desk_app.ui.tasks import TaskRunner

    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("a file where the data folder should be")
    tr = Translator("vi")
    runner = TaskRunner(lambda: build_services(not_a_folder, tr=tr))
    window = MainWindow(runner, tr)
    startup = DeskStartup(window, runner, interactive=False)
    order: list[str] = []
    startup.settled_callbacks.append(lambda: order.append("settled"))
    startup.ready_callbacks.append(lambda config: order.append("error" if "error" in config else "ready"))
    window.show()
    startup.start()
    qtbot.waitUntil(lambda: len(order) == 2, timeout=10000)
    assert order == ["settled", "error"] and startup.error is not None
    window.close()
    runner.shutdown()


def test_the_activity_filter_waits_for_a_signed_in_account(qtbot, data_dir, clock, monkeypatch):
    """An application-wide Python event filter at start made PySide set up every wrapped class
    (the first event of a line edit's private QWidgetLineControl it was handed): ~130 enums,
    25-40 ms before the catalogue. The inactivity lock's filter waits for someone to sign in."""
    from PySide6.QtWidgets import QApplication

    from desk_app.ui.accounts import install_accounts
    from desk_app.ui.accounts.lock import SessionControl

    installed: list[object] = []
    real = QApplication.installEventFilter
    monkeypatch.setattr(QApplication, "installEventFilter", lambda app, watcher: (installed.append(watcher), real(app, watcher))[1])
    window, runner, startup, ready = open_window(qtbot, data_dir, clock)
    accounts = install_accounts(window, runner, startup)
    qtbot.waitUntil(lambda: bool(ready) and window.intake.finder.matches.count() > 0, timeout=10000)
    done: list = []
    runner.db(lambda _services: None, on_done=done.append)  # accounts_state (queued at ready) has answered
    qtbot.waitUntil(lambda: bool(done), timeout=10000)
    assert not any(isinstance(watcher, SessionControl) for watcher in installed)
    accounts.session.accounts_created({"username": "admin", "full_name": "Hoàng Văn Quản", "role": "admin"})
    assert [watcher for watcher in installed if isinstance(watcher, SessionControl)] == [accounts.session]
    accounts.session.accounts_created({"username": "admin", "full_name": "Hoàng Văn Quản", "role": "admin"})
    assert len([watcher for watcher in installed if isinstance(watcher, SessionControl)]) == 1  # once
    QApplication.instance().removeEventFilter(accounts.session)
    window.close()
    runner.shutdown()


def test_the_entry_point_loads_the_app_with_the_collector_off(monkeypatch):
    """ui/launch.py turns the cyclic garbage collector off before the UI's modules load; the
    app's main turns it back on once the start-up settled (a settled callback)."""
    import gc

    import desk_app.ui.app
    from desk_app.ui import launch

    seen: list[tuple[list[str] | None, bool]] = []
    monkeypatch.setattr(desk_app.ui.app, "main", lambda argv=None: seen.append((argv, gc.isenabled())) or 0)
    try:
        assert launch.main(["--selftest"]) == 0
    finally:
        gc.enable()
    assert seen == [(["--selftest"], False)]

"""Logs, crash dialog, one instance per data folder, with real processes and files."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from desk_app.domain.errors import ValidationError
from desk_app.i18n import Translator
from desk_app.services.logs import log_error, mask, setup_logging
from desk_app.ui.crash_dialog import install_crash_dialog
from tests.conftest import ROOT
from tests.ui.conftest import settled


def _start_app(data, *extra):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--data", str(data), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )


def _wait_for(predicate, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_second_start_brings_the_running_window_forward_and_exits(tmp_path):
    data = tmp_path / "desk"
    log_file = data / "logs" / "desk.log"
    first = _start_app(data)
    try:
        assert _wait_for(lambda: log_file.exists() and (data / "desk.sqlite3").exists(), 60), first.stderr
        second = _start_app(data)
        out, err = second.communicate(timeout=60)
        assert second.returncode == 0, err
        assert json.loads(out.strip().splitlines()[-1])["already_running"] is True
        assert _wait_for(lambda: "asked this window to come to the front" in log_file.read_text(), 10)
        assert first.poll() is None  # the first window still runs, the only writer
        # Another data folder is another desk: it starts normally (and stays up).
        other = _start_app(tmp_path / "other")
        time.sleep(3)
        assert other.poll() is None
        other.terminate()
        other.wait(10)
    finally:
        first.terminate()
        first.wait(10)


def test_a_crashed_run_does_not_block_the_next_start(tmp_path):
    data = tmp_path / "desk"
    first = _start_app(data)
    assert _wait_for(lambda: (data / "desk.sqlite3").exists(), 60)
    first.kill()  # no clean-up: the lock file and the socket stay behind
    first.wait(10)
    again = _start_app(data)
    try:
        time.sleep(4)
        assert again.poll() is None, again.communicate()[0]
    finally:
        again.terminate()
        again.wait(10)


def test_uncaught_errors_of_any_thread_are_logged_and_shown_with_copyable_details(qtbot, tmp_path):
    log_file = setup_logging(tmp_path)
    reporter = install_crash_dialog(Translator("vi"), log_file)
    try:
        worker = threading.Thread(target=lambda: 1 / 0, name="worker-x")
        worker.start()
        worker.join()
        qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible(), timeout=5000)
        assert "ZeroDivisionError" in reporter.dialog.details and "worker-x" in reporter.dialog.details
        reporter.dialog.copy_button.click()
        assert "ZeroDivisionError" in QApplication.clipboard().text()
        reporter.dialog.close()

        def slot_fails():  # an exception in a Qt slot on the UI thread goes to sys.excepthook
            raise RuntimeError("boom in a slot")

        QTimer.singleShot(0, slot_fails)
        qtbot.waitUntil(lambda: reporter.dialog.isVisible() and "boom in a slot" in reporter.dialog.details, timeout=5000)
        reporter.dialog.close()
        from PySide6.QtCore import qWarning

        qWarning("a Qt warning")
    finally:
        reporter.restore_hooks()
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert text.count("CRITICAL") == 2 and "ZeroDivisionError" in text and "boom in a slot" in text
    assert "WARNING MainThread qt: a Qt warning" in text


def test_log_lines_hide_personal_values_and_keys(tmp_path):
    log_file = setup_logging(tmp_path)
    error = ValidationError("Số định danh {value} không hợp lệ.", field="id_number", value="004199012345")
    log_error("intake refused", error)
    try:
        raise RuntimeError("row 004199012345 phone 0912 345 678 key " + "ab" * 32 + " dao@example.vn")
    except RuntimeError as exc:
        log_error("unexpected", exc)
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "field=id_number" in text and "{value}" in text and "Traceback" in text
    for secret in ("004199012345", "0912 345 678", "ab" * 32, "dao@example.vn"):
        assert secret not in text
    assert mask("000.31.14.H14-261118-3001") == "000.31.14.H14-261118-3001"  # codes stay readable
    from pathlib import Path

    assert mask(str(Path.home() / "desk-data")) == str(Path("~") / "desk-data")  # a login name is a name


def test_update_notice_and_diagnostics_from_the_help_menu(qtbot, desk_window, data_dir, tmp_path, monkeypatch):
    import zipfile

    from desk_app.services import updates
    from desk_app.services.context import build_services
    from desk_app.store.sync_store import SyncStore
    from desk_app.ui.help_menu import install_help_menu

    menu = install_help_menu(desk_window, desk_window.runner, data_dir)
    menu.start()
    settled(qtbot, desk_window.runner)  # the saved notice was read and shown (or not)
    assert not menu.update_button.isVisible()  # no server answer yet: no notice
    ctx = build_services(data_dir)
    SyncStore(ctx.store.db).set_state(**{updates.STATE_KEY: {"version": "99.0", "url": "https://tinh.example.gov.vn/desk"}})
    ctx.close()
    menu.check()
    qtbot.waitUntil(lambda: menu.update_button.isVisible(), timeout=5000)
    assert "99.0" in menu.update_button.text()
    assert "https://tinh.example.gov.vn/desk" in menu.version_text()
    out = tmp_path / "support.zip"
    monkeypatch.setattr("desk_app.ui.help_menu.QFileDialog.getSaveFileName", lambda *a, **k: (str(out), ""))
    menu.diagnostics_action.trigger()
    qtbot.waitUntil(lambda: "chẩn đoán" in desk_window.statusBar().currentMessage(), timeout=15000)
    assert "report.json" in zipfile.ZipFile(out).namelist()
    menu.stop()


def test_cli_restore_refuses_a_folder_the_running_app_holds(tmp_path):
    from desk_app.services import backup
    from desk_app.ui import single_instance
    from tests.conftest import desk_cli

    assert single_instance.LOCK_NAME == backup.APP_LOCK
    data = tmp_path / "desk"
    app = _start_app(data)
    try:
        assert _wait_for(lambda: (data / "desk.sqlite3").exists() and (data / backup.APP_LOCK).exists(), 60)
        made = desk_cli("backup", "--data", str(data), "--out", str(tmp_path / "usb"))
        assert made.returncode == 0, made.stderr
        path = json.loads(made.stdout)["path"]
        refused = desk_cli("restore", "--data", str(data), "--from", path, "--force")
        assert refused.returncode == 1 and "đóng ứng dụng" in json.loads(refused.stderr)["message"]
        assert not list(data.glob("replaced-*"))
    finally:
        app.terminate()
        app.wait(10)
    done = desk_cli("restore", "--data", str(data), "--from", path, "--force")  # closed now: allowed
    assert done.returncode == 0, done.stderr

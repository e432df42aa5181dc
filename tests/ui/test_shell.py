"""The main window shell: language switch, extension points, first-run set-up, self-test,
and the PySide6 6.12.0 / Python 3.11 regression (docs/platform.md)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from desk_app.i18n import N_
from tests.conftest import ROOT
from tests.ui.conftest import open_window


def test_language_switch_retranslates_every_page(qtbot, desk_window):
    window = desk_window
    assert window.intake.applicant_box.title() == "Người nộp hồ sơ"
    window.language_actions["en"].trigger()
    assert window.windowTitle() == "One-stop desk — Dossier intake"
    assert window.intake.applicant_box.title() == "Applicant"
    assert window.intake.save_button.text() == "Save dossier (Ctrl+S)"
    assert window.nav_action("queue").text() == "Dossier list (F3)"
    assert window.queue.view.itemText(0) == "All"
    assert window.queue.model.headerData(0, Qt.Orientation.Horizontal) == "Dossier code"
    assert window.intake.checklist.extra_add.text() == "Add document"
    window.language_actions["vi"].trigger()
    assert window.intake.applicant_box.title() == "Người nộp hồ sơ"


def test_extension_points(qtbot, desk_window):
    page = QWidget()
    action = desk_window.add_page("sync", page, N_("Danh sách hồ sơ"))
    assert action.text() == "Danh sách hồ sơ"
    desk_window.show_page("sync")
    assert desk_window.stack.currentWidget() is page
    desk_window.go_back()
    assert desk_window.stack.currentWidget() is desk_window.intake
    label = QLabel("sync: ok")
    desk_window.add_status_widget(label)
    assert label.parent() is not None
    triggered = []
    print_action = QAction("In phiếu", desk_window)
    print_action.triggered.connect(lambda: triggered.append(desk_window.dossier.current_code))
    desk_window.dossier.add_action(print_action)
    assert desk_window.dossier.toolbar.isVisibleTo(desk_window.dossier)


def test_first_run_opens_the_wizard_not_the_intake(qtbot, tmp_path, clock):
    """A fresh data folder starts the first-run wizard (driven key by key in
    tests/ui/test_first_run_wizard.py); nothing is ready until it finishes."""
    from desk_app.ui.first_run.wizard import FirstRunWizard

    window, runner, startup, ready = open_window(qtbot, tmp_path / "fresh", clock)
    try:
        qtbot.waitUntil(lambda: startup.dialog is not None and startup.dialog.isVisible(), timeout=30000)
        wizard = startup.dialog
        assert isinstance(wizard, FirstRunWizard) and wizard.currentPage() is wizard.place
        assert wizard.place.province.name == "Cao Bằng" and wizard.place.commune.matches.count() == 56
        assert wizard.place.commune.code is None  # chosen by the receptionist, not prefilled
        assert ready == []
    finally:
        window.close()
        runner.shutdown()


def test_selftest_opens_the_window_and_exits_zero(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--selftest", "--data", str(tmp_path / "d"), "--lang", "en"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["ready"] is True and report["initialised"] is False
    # The headless checks of `desk selftest` too, after the window's own.
    assert report["ok"] is True
    assert [c["name"] for c in report["checks"]] == ["window", "resources", "store", "intake", "receipt", "page", "backup"]
    assert (tmp_path / "d" / "desk.sqlite3").exists()


def test_many_qt_calls_returning_none_do_not_abort(tmp_path):
    """PySide6 6.12.0 on Python 3.11 leaks a reference to None per such call and aborts
    after ~5,000 (exit 134). Run in a child so an abort fails this test, not the worker."""
    code = textwrap.dedent(
        """
        import sys
        from PySide6.QtWidgets import QApplication, QLabel
        app = QApplication(["x", "-platform", "offscreen"])
        label = QLabel()
        for i in range(12000):
            label.setText("x")      # returns None
            label.setEnabled(True)  # returns None
        print("ok", sys.getrefcount(None) > 0)
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
    assert result.stdout.startswith("ok")


def test_queue_and_dossier_pages_are_built_on_first_use_and_keep_early_actions(qtbot, desk_window):
    window = desk_window
    assert window.built("queue") is None and window.built("dossier") is None
    early = QAction("Quét giấy tờ…", window)
    built = []
    window.when_page("dossier", lambda page: (built.append(page), page.add_action(early)))
    assert built == []
    window.show_page("dossier")
    page = window.dossier
    assert built == [page] and early in page.toolbar.actions()
    assert window.stack.currentWidget() is page
    later = QAction("In phiếu", window)
    window.when_page("dossier", lambda p: p.add_action(later))  # built: applied at once
    assert later in page.toolbar.actions()
    # F3 builds the queue page and shows it
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_F3)
    assert window.built("queue") is not None and window.stack.currentWidget() is window.queue


def test_status_widgets_go_between_the_desk_label_and_the_busy_label(qtbot, desk_window):
    first, second = QLabel("a"), QLabel("b")
    desk_window.add_status_widget(first)
    desk_window.add_status_widget(second)
    bar = desk_window.statusBar()
    expected = [desk_window.desk_label, second, first, desk_window.busy_label]

    def left_to_right():
        return sorted(expected, key=lambda w: w.mapTo(bar, w.rect().topLeft()).x())

    qtbot.waitUntil(lambda: left_to_right() == expected, timeout=3000)

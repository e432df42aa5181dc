"""Recording a status on the dossier page: a final status (refused, withdrawn) needs a reason
and a confirmation whose safe answer is the default; only the statuses the dossier may move to
are offered; an ordinary status still records with Enter."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from desk_app.domain.dossier import TRANSITIONS
from tests.ui.conftest import seed_dossiers, settled


def open_dossier(qtbot, window, code):
    window.open_dossier(code)
    page = window.dossier
    qtbot.waitUntil(lambda: page.current_code == code, timeout=5000)
    return page


def test_final_status_needs_a_reason_and_a_yes(qtbot, keyboard, desk_window, data_dir, clock, intake_json):
    code = seed_dossiers(data_dir, clock, [intake_json])[0].code
    page = open_dossier(qtbot, desk_window, code)
    offered = {page.new_status.itemData(i) for i in range(page.new_status.count())} - {None}  # None: "choose"
    assert offered == set(TRANSITIONS["received"])

    page.new_status.setCurrentIndex(page.new_status.findData("refused"))
    assert page.note.placeholderText() == "Lý do (bắt buộc)"
    page.note.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.note, timeout=2000)
    keyboard.press(Qt.Key.Key_Return)  # no reason: refused at once, nothing asked
    assert page.confirm_box is None
    assert "lý do" in page.errors.message("note")

    keyboard.type("Không thuộc thẩm quyền")
    keyboard.press(Qt.Key.Key_Return)
    box = page.confirm_box
    assert box is not None and box.isVisible()
    assert box.defaultButton().text() == "Không"
    keyboard.press(Qt.Key.Key_Return)  # Enter again, wherever the focus is, records nothing
    settled(qtbot, desk_window.runner)  # a status it had sent would have answered by now
    assert page.history.rowCount() == 1
    QTest.keyClick(box, Qt.Key.Key_Return)  # Enter in the question answers "no"
    qtbot.waitUntil(lambda: page.confirm_box is None, timeout=2000)
    settled(qtbot, desk_window.runner)
    assert page.history.rowCount() == 1 and page.dossier.status == "received"

    assert page.new_status.currentData() == "refused"  # kept through re-renders (page counts)
    page.apply_status()  # Ghi nhận again (the focus left with the closed question)
    box = page.confirm_box
    yes = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    with qtbot.waitSignal(page.dossier_loaded, timeout=5000):
        yes.click()
    assert page.dossier.status == "refused"
    assert page.history.item(1, 3).text() == "Không thuộc thẩm quyền"
    offered = {page.new_status.itemData(i) for i in range(page.new_status.count())} - {None}  # None: "choose"
    assert offered == set(TRANSITIONS["refused"]) == {"returned"}


def test_an_ordinary_status_still_records_with_enter(qtbot, keyboard, desk_window, data_dir, clock, intake_json):
    code = seed_dossiers(data_dir, clock, [intake_json])[0].code
    page = open_dossier(qtbot, desk_window, code)
    page.new_status.setCurrentIndex(page.new_status.findData("processing"))
    assert page.note.placeholderText() == "Ghi chú (không bắt buộc)"
    page.note.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.note, timeout=2000)
    with qtbot.waitSignal(page.dossier_loaded, timeout=5000):
        keyboard.press(Qt.Key.Key_Return)
    assert page.confirm_box is None and page.dossier.status == "processing"

"""At the counter: saving with a required document unticked asks first, naming what is missing
(Enter goes back to the checklist, nothing saved); saving with none ticked is refused."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox

from tests.ui.conftest import settled


def count_dossiers(data_dir) -> int:
    conn = sqlite3.connect(data_dir / "desk.sqlite3")
    try:
        return conn.execute("SELECT count(*) FROM dossiers").fetchone()[0]
    finally:
        conn.close()


def choose_birth_registration(qtbot, keyboard, page):
    keyboard.type("Lê Thị Hoa")
    page.finder.search.setFocus()
    keyboard.type("khai sinh\n")
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QCheckBox), timeout=5000)


def test_missing_required_document_asks_and_names_it(qtbot, keyboard, desk_window, data_dir):
    page = desk_window.intake
    choose_birth_registration(qtbot, keyboard, page)
    rows = page.checklist.row_widgets()
    assert [r.required for r in rows] == [True, True, True, False]  # the last one is "(nếu có)"
    assert page.checklist.required_hint.isVisible()
    keyboard.press(Qt.Key.Key_Space)  # only the declaration
    keyboard.press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.confirm_missing is not None, timeout=2000)
    box = page.confirm_missing
    assert "Giấy chứng sinh" in box.text() and "Căn cước của người đi đăng ký" in box.text()
    assert "Giấy chứng nhận kết hôn" not in box.text()  # optional: not asked about
    QTest.keyClick(box, Qt.Key.Key_Return)  # the default answer is the safe one: back to the checklist
    qtbot.waitUntil(lambda: page.confirm_missing is None, timeout=2000)
    # The cursor is on the first document missing.
    qtbot.waitUntil(lambda: QApplication.focusWidget() is rows[1].received, timeout=2000)
    settled(qtbot, desk_window.runner)  # a save it had sent would have answered by now
    assert count_dossiers(data_dir) == 0 and page.full_name.text() == "Lê Thị Hoa"

    keyboard.press(Qt.Key.Key_Space)  # the birth certificate; the ID card still missing
    keyboard.press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.confirm_missing is not None, timeout=2000)
    assert "Giấy chứng sinh" not in page.confirm_missing.text()
    with qtbot.waitSignal(page.saved, timeout=5000) as saved:
        qtbot.mouseClick(page.confirm_save_anyway, Qt.MouseButton.LeftButton)
    assert [d.name for d in saved.args[0].documents] == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]


def test_all_required_ticked_saves_without_asking(qtbot, keyboard, desk_window):
    page = desk_window.intake
    choose_birth_registration(qtbot, keyboard, page)
    for key in (Qt.Key.Key_Space, Qt.Key.Key_Down, Qt.Key.Key_Space, Qt.Key.Key_Down, Qt.Key.Key_Space):
        keyboard.press(key)
    with qtbot.waitSignal(page.saved, timeout=5000):
        keyboard.press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert page.confirm_missing is None


def test_none_ticked_is_refused(qtbot, keyboard, desk_window, data_dir):
    page = desk_window.intake
    choose_birth_registration(qtbot, keyboard, page)
    keyboard.press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.errors.message("documents") != "", timeout=2000)
    assert "Chưa đánh dấu giấy tờ nào" in page.errors.message("documents")
    assert page.confirm_missing is None
    settled(qtbot, desk_window.runner)
    assert count_dossiers(data_dir) == 0

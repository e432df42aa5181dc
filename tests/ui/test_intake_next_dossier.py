"""Intake form: F2 / 'Làm mới' starts a new dossier (asking first when something was typed),
every field error shown at once, the last save's banner going with the next edit, Up/Down
between documents, most-used procedures first. Offscreen, real data folder and DB thread."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox

pytestmark = pytest.mark.ui


def test_f2_asks_before_discarding_and_esc_keeps_the_form(qtbot, keyboard, desk_window):
    page = desk_window.intake
    keyboard.type("Nguyễn Thị Đào")
    keyboard.press(Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: page.confirm_new is not None and page.confirm_new.isVisible(), timeout=2000)
    QTest.keyClick(page.confirm_new, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.confirm_new is None, timeout=2000)
    assert page.full_name.text() == "Nguyễn Thị Đào"
    page.new_button.click()  # the visible button does the same
    qtbot.waitUntil(lambda: page.confirm_new is not None and page.confirm_new.isVisible(), timeout=2000)
    QTest.keyClick(page.confirm_new, Qt.Key.Key_Return)  # Enter: discard
    qtbot.waitUntil(lambda: page.confirm_new is None, timeout=2000)
    assert page.full_name.text() == "" and QApplication.focusWidget() is page.full_name


def test_all_field_errors_at_once_next_to_their_fields(qtbot, keyboard, desk_window, data_dir):
    page = desk_window.intake
    page.id_number.setText("12345")
    page.birth_date.setText("31/02/1999")
    page.phone.setText("12")
    page.email.setText("not-an-email")
    page.save()
    for field in ("full_name", "id_number", "birth_date", "phone", "email", "procedure_code"):
        assert page.errors.message(field), field
    assert QApplication.focusWidget() is page.full_name  # the first field at fault
    assert page.saving is False  # nothing was sent to the service


def test_banner_goes_once_the_next_dossier_starts(qtbot, keyboard, desk_window):
    page = desk_window.intake
    page.full_name.setFocus()
    keyboard.type("Lê Văn Hùng")
    page.finder.search.setFocus()
    keyboard.type("khai sinh\n")
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QCheckBox), timeout=5000)
    for key in (Qt.Key.Key_Space, Qt.Key.Key_Down, Qt.Key.Key_Space, Qt.Key.Key_Down, Qt.Key.Key_Space):
        keyboard.press(key)  # the three required documents
    keyboard.press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.last_saved is not None, timeout=5000)
    assert page.result.isVisible()
    keyboard.type("T")  # the next citizen's name
    assert not page.result.isVisible() and page.last_saved is None


def test_up_down_walk_the_document_checkboxes(qtbot, keyboard, desk_window):
    page = desk_window.intake
    page.finder.search.setFocus()
    keyboard.type("khai sinh\n")
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QCheckBox), timeout=5000)
    for key in (Qt.Key.Key_Space, Qt.Key.Key_Down, Qt.Key.Key_Space, Qt.Key.Key_Down, Qt.Key.Key_Space):
        keyboard.press(key)
    rows = page.checklist.row_widgets()
    assert [r.received.isChecked() for r in rows] == [True, True, True, False]
    keyboard.press(Qt.Key.Key_Up)
    assert QApplication.focusWidget() is rows[1].received


def test_most_used_procedures_first(qtbot, data_dir, clock, intake_json):
    from desk_app.services.context import build_services

    ctx = build_services(data_dir, clock=clock, actor="tester")
    try:
        names = [p.name for p in ctx.catalogue.find("", limit=3)]
        assert names[0] == "Đăng ký khai sinh" and names[1].startswith("Chứng thực bản sao")
        other = next(p for p in ctx.catalogue.find("thuong tru", limit=5) if p.name == "Đăng ký thường trú")
        ctx.intake.intake({**intake_json, "procedure_code": other.code})
        assert ctx.catalogue.find("", limit=1)[0].code == other.code
    finally:
        ctx.close()

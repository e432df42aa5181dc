"""The intake page driven from the keyboard only, as at the counter (offscreen Qt)."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QCheckBox

from tests.conftest import SAMPLE_QR


def db_rows(data_dir, sql, params=()):
    conn = sqlite3.connect(data_dir / "desk.sqlite3")
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_keyboard_only_intake_is_committed_to_the_database(qtbot, keyboard, desk_window, data_dir):
    page = desk_window.intake
    keyboard.press(Qt.Key.Key_F2)
    assert QApplication.focusWidget() is page.full_name
    keyboard.type("Nguyễn Thị Đào")
    keyboard.tab()
    keyboard.type("004199012345")
    keyboard.tab()
    keyboard.type("20/05/1999")
    keyboard.tab()
    assert QApplication.focusWidget() is page.gender
    keyboard.press(Qt.Key.Key_Down)
    keyboard.press(Qt.Key.Key_Down)
    assert page.gender.currentData() == "Nữ"
    keyboard.tab()
    keyboard.type("Xóm Nà Rỏa, Phường Thục Phán, Tỉnh Cao Bằng")
    keyboard.tab()
    keyboard.type("0912 345 678")
    keyboard.tab()
    keyboard.type("dao@example.vn")
    keyboard.tab()
    assert QApplication.focusWidget() is page.finder.search
    keyboard.type("khai sinh\n")  # Enter may come before the lookup answers
    qtbot.waitUntil(lambda: page.finder.procedure is not None, timeout=5000)
    assert page.finder.procedure.name == "Đăng ký khai sinh"
    # Focus moved to the first document; Space ticks, Tab walks kind and count to the next row.
    rows = page.checklist.row_widgets()
    assert [r.name for r in rows][:2] == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
    assert rows[0].received.text() == "Tờ khai đăng ký khai sinh *"  # required, marked
    for _ in range(3):
        assert isinstance(QApplication.focusWidget(), QCheckBox), (
            QApplication.focusWidget().placeholderText(),
            page.finder.search.text(),
            [r.received.isChecked() for r in rows],
        )
        keyboard.press(Qt.Key.Key_Space)
        keyboard.tab(3)
    assert [r.received.isChecked() for r in rows] == [True, True, True, False]
    keyboard.press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    with qtbot.waitSignal(page.saved, timeout=5000) as saved:
        pass
    dossier = saved.args[0] if saved.args else page.last_saved
    assert page.result.isVisible()
    assert page.result_code.text() == dossier.code
    assert dossier.code.startswith("000.31.14.H14-261118-3")
    assert "Hẹn trả kết quả" in page.result_when.text()
    # The form is ready for the next citizen.
    assert page.full_name.text() == "" and QApplication.focusWidget() is page.full_name

    rows = db_rows(
        data_dir,
        "SELECT code, applicant_name, applicant_gender, applicant_birth_date, phone, procedure_code FROM dossiers",
    )
    assert rows == [(dossier.code, "Nguyễn Thị Đào", "Nữ", "1999-05-20", "0912345678", "1.001193.000.00.00.H14")]
    docs = db_rows(data_dir, "SELECT name, kind, count FROM dossier_documents ORDER BY position")
    assert docs == [
        ("Tờ khai đăng ký khai sinh", "original", 1),
        ("Giấy chứng sinh", "original", 1),
        ("Căn cước của người đi đăng ký", "original", 1),
    ]


FIELDS = ["full_name", "id_number", "address", "phone", "email", "notes", "finder.search", "checklist.extra_name"]


@pytest.mark.parametrize("field", FIELDS)
def test_wedge_scanner_fills_the_applicant_wherever_it_types(qtbot, keyboard, desk_window, field):
    page = desk_window.intake
    target = page
    for part in field.split("."):
        target = getattr(target, part)
    target.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is target, timeout=2000)
    before = "" if field == "id_number" else "ghi "
    keyboard.type(before)
    keyboard.scan(SAMPLE_QR)  # the scanner's keystrokes, ending in Enter

    assert page.full_name.text() == "Nguyễn Văn An"
    assert page.id_number.text() == "004099001234"
    assert page.birth_date.text() == "15/08/1999"
    assert page.gender.currentData() == "Nam"
    assert page.address.text() == "Tổ 1, Phường Thục Phán, Tỉnh Cao Bằng"
    if field not in ("full_name", "id_number", "address"):
        assert target.text() == before  # the payload was taken out, what was typed stays
    assert "|" not in "".join(w.text() for w in (page.phone, page.email, page.notes, page.finder.search))
    assert "Nguyễn Văn An" in page.scan_hint.text()
    assert page.finder.procedure is None  # the scanner's Enter chose nothing


def test_scan_after_digits_in_the_id_field_and_a_bad_card(qtbot, keyboard, desk_window):
    page = desk_window.intake
    page.id_number.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.id_number, timeout=2000)
    keyboard.type("0041")
    keyboard.scan(SAMPLE_QR)
    assert page.id_number.text() == "004099001234"

    page.reset()
    page.phone.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.phone, timeout=2000)
    # ID says male born 1999, card says 1985: refused with a Vietnamese message, field cleaned.
    keyboard.scan("004099001234||Trần Văn Bình|01011985|Nam|Tổ 2, Phường Tân Giang|01012020")
    assert page.phone.text() == ""
    assert page.full_name.text() == ""
    assert "Không đọc được căn cước" in page.general_error.text()
    assert "không khớp ngày sinh" in page.general_error.text()


def test_bad_input_is_shown_next_to_the_field_and_nothing_is_lost(qtbot, keyboard, desk_window, data_dir):
    page = desk_window.intake
    keyboard.type("Lò Thị Mai")
    page.phone.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.phone, timeout=2000)
    keyboard.type("12345")
    keyboard.press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.errors.message("phone") != "", timeout=5000)
    assert "Số điện thoại không hợp lệ" in page.errors.message("phone")
    assert QApplication.focusWidget() is page.phone
    assert page.full_name.text() == "Lò Thị Mai" and page.phone.text() == "12345"

    page.phone.clear()
    page.birth_date.setText("31/02/1990")
    keyboard.press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "Ngày không hợp lệ" in page.errors.message("birth_date")

    page.birth_date.clear()
    keyboard.press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.errors.message("procedure_code") != "", timeout=5000)
    assert page.errors.message("procedure_code") == "Chưa chọn thủ tục hành chính."
    assert db_rows(data_dir, "SELECT count(*) FROM dossiers") == [(0,)]


def test_extra_document_and_choice_by_code(qtbot, keyboard, desk_window, data_dir):
    page = desk_window.intake
    keyboard.type("Hoàng Văn Nam")
    page.finder.search.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.finder.search, timeout=2000)
    keyboard.type("1.000894")
    qtbot.waitUntil(lambda: page.finder.matches.count() == 1, timeout=5000)
    keyboard.press(Qt.Key.Key_Return)
    assert page.finder.procedure.name == "Đăng ký kết hôn"
    page.checklist.extra_name.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.checklist.extra_name, timeout=2000)
    keyboard.type("Giấy ủy quyền\n")
    extra = page.checklist.row_widgets()[-1]
    assert extra.received.text() == "Giấy ủy quyền" and extra.received.isChecked()
    extra.kind.setCurrentIndex(extra.kind.findData("certified_copy"))
    extra.count.setValue(2)
    page.sets.setValue(2)
    page.channel.setCurrentIndex(page.channel.findData("post"))
    keyboard.press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    # None of the procedure's required documents is ticked: asked first, saved on "Vẫn lưu".
    qtbot.waitUntil(lambda: page.confirm_missing is not None, timeout=2000)
    with qtbot.waitSignal(page.saved, timeout=5000):
        qtbot.mouseClick(page.confirm_save_anyway, Qt.MouseButton.LeftButton)
    assert db_rows(data_dir, "SELECT sets, return_channel FROM dossiers") == [(2, "post")]
    assert db_rows(data_dir, "SELECT name, kind, count FROM dossier_documents") == [("Giấy ủy quyền", "certified_copy", 2)]

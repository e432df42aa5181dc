"""Administration from the main window's "Quản trị" menu: catalogue import with per-row errors,
the calendar's days off / make-up working days (offscreen Qt, real window, real DB thread)."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtWidgets import QApplication

from desk_app.ui.admin import install_admin

CSV = (
    "Mã thủ tục,Tên thủ tục,Thời hạn giải quyết,Thành phần hồ sơ\n"
    "2.000001.000.00.00.H14,Cấp giấy phép thử nghiệm,5,Đơn đề nghị|original|1 ; Bản vẽ (nếu có)|photocopy|1\n"
    "2.000002.000.00.00.H14,Xác nhận thử nghiệm,3,Đơn|original|1\n"
    "2.000003.000.00.00.H14,Thủ tục sai thời hạn,ba ngày,Đơn|original|1\n"
)


@pytest.fixture
def admin(desk_window):
    return install_admin(desk_window, desk_window.runner)


def services(data_dir, clock):
    from desk_app.services.context import build_services

    return build_services(data_dir, clock=clock, actor="tester")


def test_catalogue_import_shows_row_errors_then_imports_good_rows(qtbot, keyboard, admin, desk_window, tmp_path, data_dir, clock):
    path = tmp_path / "danh-muc.csv"
    path.write_text(CSV, encoding="utf-8")
    admin.actions["catalogue"].trigger()
    dialog = admin.dialogs["catalogue"]
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    dialog.path.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.path, timeout=2000)
    keyboard.type(str(path) + "\n")  # Enter checks the file
    qtbot.waitUntil(lambda: dialog.checked is not None, timeout=5000)
    assert dialog.summary.text() == "2 thủ tục hợp lệ, 1 dòng lỗi."
    rows = [dialog.row_errors.item(i).text() for i in range(dialog.row_errors.count())]
    assert len(rows) == 1 and rows[0].startswith("Dòng 4: cột processing_days phải là số")
    assert not dialog.import_button.isEnabled()  # a bad row: nothing imported unless asked
    box = dialog.allow_partial  # click its tick box (the widget is as wide as the dialog)
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert box.isChecked()
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.imported, timeout=5000) as done:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert done.args[0]["imported"] == 2
    ctx = services(data_dir, clock)
    try:
        proc = ctx.catalogue.get("2.000001.000.00.00.H14")
        assert [(d.name, d.required) for d in proc.documents] == [("Đơn đề nghị", True), ("Bản vẽ (nếu có)", False)]
    finally:
        ctx.close()
    # The intake page lists the new procedures at once.
    qtbot.waitUntil(lambda: any("thử nghiệm" in desk_window.intake.finder.matches.item(i).text()
                                for i in range(desk_window.intake.finder.matches.count())), timeout=5000)


def test_catalogue_import_of_a_bad_file_says_why(qtbot, admin, tmp_path):
    dialog = admin.open("catalogue")
    dialog.path.setText(str(tmp_path / "khong-co.csv"))
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=5000)
    assert "Không tìm thấy tệp" in dialog.error.text() and not dialog.import_button.isEnabled()


def test_calendar_add_and_remove_a_desk_day(qtbot, keyboard, admin, data_dir, clock):
    dialog = admin.open("calendar")
    dialog.year.setValue(2026)
    qtbot.waitUntil(lambda: any(d["source"] == "law" for d in dialog.days), timeout=5000)
    assert any(d["day"] == "2026-09-02" for d in dialog.days)  # National Day, by law
    dialog.day.setDate(QDate(2026, 12, 31))
    dialog.kind.setCurrentIndex(dialog.kind.findData("off"))
    dialog.note.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.note, timeout=2000)
    keyboard.type("Nghi bu cuoi nam\n")
    qtbot.waitUntil(lambda: any(d["day"] == "2026-12-31" for d in dialog.days), timeout=5000)
    row = next(i for i, d in enumerate(dialog.days) if d["day"] == "2026-12-31")
    assert dialog.table.item(row, 0).text() == "31/12/2026"
    assert dialog.table.item(row, 1).text() == "Nghỉ" and dialog.table.item(row, 3).text() == "Bàn này"
    ctx = services(data_dir, clock)
    try:
        assert not ctx.setup.calendar().is_working_day(date(2026, 12, 31))
    finally:
        ctx.close()
    law_row = next(i for i, d in enumerate(dialog.days) if d["source"] == "law")
    dialog.table.selectRow(law_row)
    assert not dialog.remove_button.isEnabled()  # only this desk's own days can be removed here
    dialog.table.selectRow(row)
    assert dialog.remove_button.isEnabled()
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not any(d["day"] == "2026-12-31" for d in dialog.days), timeout=5000)
    ctx = services(data_dir, clock)
    try:
        assert ctx.setup.calendar().is_working_day(date(2026, 12, 31))
    finally:
        ctx.close()


def test_bundle_export_on_a_desk_not_enrolled_says_so(qtbot, admin, tmp_path):
    dialog = admin.open("bundle")
    dialog.path.setText(str(tmp_path / "usb" / "goi.bundle"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.error.isVisible, timeout=5000)
    assert "chưa đăng ký" in dialog.error.text() and dialog.isVisible()
    assert not (tmp_path / "usb" / "goi.bundle").exists()

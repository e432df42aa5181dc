"""The dossier page (offscreen Qt, real DB thread): correcting a dossier still at the desk,
asking who collects the result on "returned" (an ID card read through the scanner router's
``cccd_scanned``), and the scanned pages as thumbnails opening the viewer, paged by keys."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desk_app.domain.cccd import parse_cccd_qr
from tests.conftest import SAMPLE_QR
from tests.ui.conftest import seed_dossiers


def _open(qtbot, desk_window, code):
    desk_window.open_dossier(code)
    page = desk_window.dossier
    qtbot.waitUntil(lambda: page.current_code == code, timeout=5000)
    return page


def _is_returned(dossier) -> bool:
    return dossier.status == "returned"


def test_edit_a_dossier_at_the_desk(qtbot, keyboard, desk_window, data_dir, clock, intake_json):
    intake_json["applicant"]["full_name"] = "Nguyễn Thi Dao"
    [dossier] = seed_dossiers(data_dir, clock, [intake_json])
    page = _open(qtbot, desk_window, dossier.code)
    assert page.edit_button.isVisible()
    page.edit_button.click()
    qtbot.waitUntil(lambda: page.edit_dialog is not None and page.edit_dialog.isVisible(), timeout=5000)
    dialog = page.edit_dialog
    dialog.full_name.setFocus()
    dialog.full_name.selectAll()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.full_name, timeout=2000)
    keyboard.type("Nguyễn Thị Đào")
    # The forgotten document, from the procedure's catalogue list.
    index = dialog.catalogue.findData("Căn cước của người đi đăng ký")
    assert index >= 0
    dialog.catalogue.setCurrentIndex(index)
    dialog.add_button.click()
    assert dialog.documents.rowCount() == 3
    dialog.reason.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.reason, timeout=2000)
    keyboard.type("Sai dấu họ tên")
    with qtbot.waitSignal(page.dossier_loaded, timeout=5000):
        keyboard.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.edit_dialog is None, timeout=5000)
    assert page.field_text("applicant.full_name") == "Nguyễn Thị Đào"
    assert page.documents.rowCount() == 3
    last = page.history.rowCount() - 1
    assert page.history.item(last, 0).text() == "Sửa hồ sơ"
    details = page.history.item(last, 3).text()
    assert "Họ tên: Nguyễn Thi Dao → Nguyễn Thị Đào" in details and "Lý do: Sai dấu họ tên" in details


def test_a_bad_edit_shows_at_its_field_and_saves_nothing(qtbot, desk_window, data_dir, clock, intake_json):
    [dossier] = seed_dossiers(data_dir, clock, [intake_json])
    page = _open(qtbot, desk_window, dossier.code)
    page.edit_button.click()
    qtbot.waitUntil(lambda: page.edit_dialog is not None, timeout=5000)
    dialog = page.edit_dialog
    dialog.id_number.setText("12345")
    dialog.save()
    qtbot.waitUntil(lambda: bool(dialog.errors.message("id_number")), timeout=5000)
    assert "12 chữ số" in dialog.errors.message("id_number")
    assert dialog.isVisible()
    dialog.reject()
    qtbot.waitUntil(lambda: page.edit_dialog is None, timeout=5000)


def test_returned_asks_who_collects_and_takes_their_card(qtbot, desk_window, data_dir, clock, intake_json):
    [dossier] = seed_dossiers(data_dir, clock, [intake_json])
    page = _open(qtbot, desk_window, dossier.code)
    page.new_status.setCurrentIndex(page.new_status.findData("result_ready"))
    with qtbot.waitSignal(page.dossier_loaded, timeout=5000):
        page.apply_status()
    assert not page.edit_button.isVisible()  # no longer at the desk
    page.new_status.setCurrentIndex(page.new_status.findData("returned"))
    page.apply_status()
    qtbot.waitUntil(lambda: page.collector_dialog is not None and page.collector_dialog.isVisible(), timeout=5000)
    dialog = page.collector_dialog
    assert QApplication.activeModalWidget() is dialog
    # The card reaches the dialog through the router (not the intake form of the next citizen).
    desk_window.router.cccd_scanned.emit(parse_cccd_qr(SAMPLE_QR))
    assert dialog.name.text() == "Nguyễn Văn An" and dialog.id_number.text() == "004099001234"
    assert desk_window.intake.full_name.text() == ""
    # The status's own view, not the change signal's late reload of "result_ready".
    with qtbot.waitSignal(page.dossier_loaded, timeout=5000, check_params_cb=_is_returned):
        QTest.keyClick(dialog, Qt.Key.Key_Return)
    last = page.history.rowCount() - 1
    assert page.history.item(last, 0).text() == "Đã trả kết quả"
    assert "Người nhận: Nguyễn Văn An (số định danh 004099001234)" in page.history.item(last, 3).text()


def test_returned_by_post_needs_a_tracking_number(qtbot, desk_window, data_dir, clock, intake_json):
    [dossier] = seed_dossiers(data_dir, clock, [{**intake_json, "return_channel": "post"}])
    page = _open(qtbot, desk_window, dossier.code)
    page.new_status.setCurrentIndex(page.new_status.findData("result_ready"))
    with qtbot.waitSignal(page.dossier_loaded, timeout=5000):
        page.apply_status()
    page.new_status.setCurrentIndex(page.new_status.findData("returned"))
    page.apply_status()
    qtbot.waitUntil(lambda: page.collector_dialog is not None, timeout=5000)
    dialog = page.collector_dialog
    assert dialog.by_post.isChecked()
    QTest.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.errors.message("post_tracking")
    dialog.tracking.setText("EE123456789VN")
    # The status's own view, not the change signal's late reload of "result_ready".
    with qtbot.waitSignal(page.dossier_loaded, timeout=5000, check_params_cb=_is_returned):
        QTest.keyClick(dialog, Qt.Key.Key_Return)
    assert "EE123456789VN" in page.history.item(page.history.rowCount() - 1, 3).text()


def test_thumbnails_open_the_viewer_and_page_with_keys(qtbot, desk_window, data_dir, clock, intake_json):
    from desk_app.scanning.page import RawPage
    from desk_app.scanning.pipeline import process
    from desk_app.scanning.samples import text_page
    from desk_app.services.context import build_services

    [dossier] = seed_dossiers(data_dir, clock, [intake_json])
    ctx = build_services(data_dir, clock=clock, actor="tester")
    try:
        for doc, seeds in ((intake_json["documents"][0]["name"], (1, 2)), (intake_json["documents"][1]["name"], (3,))):
            ctx.digitise.attach(dossier.code, doc, [process(RawPage(text_page(100, seed=s), 100)) for s in seeds])
    finally:
        ctx.close()
    page = _open(qtbot, desk_window, dossier.code)
    strip = page.pages_box.strip
    qtbot.waitUntil(lambda: strip.count() == 3 and all(not strip.item(i).icon().isNull() for i in range(3)), timeout=10000)
    strip.setFocus()
    strip.setCurrentRow(0)
    QTest.keyClick(strip, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.pages_box.viewer is not None, timeout=5000)
    viewer = page.pages_box.viewer
    qtbot.waitUntil(lambda: not viewer.view.item.pixmap().isNull(), timeout=10000)
    assert "1/3" in viewer.caption.text() and "trang 1" in viewer.caption.text()
    QTest.keyClick(viewer, Qt.Key.Key_PageDown)
    QTest.keyClick(viewer, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: viewer.index == 2 and not viewer.view.item.pixmap().isNull(), timeout=10000)
    assert intake_json["documents"][1]["name"] in viewer.caption.text()
    QTest.keyClick(viewer, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.pages_box.viewer is None, timeout=5000)
    assert strip.currentRow() == 2


def test_a_change_to_the_dossier_keeps_its_thumbnails_and_the_page_chosen(qtbot, desk_window, data_dir, clock,
                                                                         intake_json):
    from desk_app.scanning.page import RawPage
    from desk_app.scanning.pipeline import process
    from desk_app.scanning.samples import text_page
    from desk_app.services.context import build_services
    from tests.ui.conftest import settled

    [dossier] = seed_dossiers(data_dir, clock, [intake_json])
    ctx = build_services(data_dir, clock=clock, actor="tester")
    try:
        ctx.digitise.attach(dossier.code, intake_json["documents"][0]["name"],
                            [process(RawPage(text_page(100, seed=s), 100)) for s in (1, 2, 3)])
    finally:
        ctx.close()
    page = _open(qtbot, desk_window, dossier.code)
    strip = page.pages_box.strip
    qtbot.waitUntil(lambda: strip.count() == 3 and all(not strip.item(i).icon().isNull() for i in range(3)), timeout=10000)
    strip.setCurrentRow(2)
    loads: list = []
    page.dossier_loaded.connect(loads.append)
    page.new_status.setCurrentIndex(page.new_status.findData("processing"))
    page.apply_status()
    # The status's own view, then the change signal's reload (dossier, pages, page counts).
    qtbot.waitUntil(lambda: len(loads) >= 2, timeout=5000)
    settled(qtbot, desk_window.runner)
    assert page.dossier.status == "processing"
    assert strip.count() == 3 and strip.currentRow() == 2
    assert all(not strip.item(i).icon().isNull() for i in range(3))  # not blanked to be drawn again

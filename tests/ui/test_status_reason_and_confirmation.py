"""Acceptance-test fixes on the UI: final statuses need a reason and a confirmation, only
allowed statuses are offered, the queue's dates are Vietnam's, cut-off cells get tooltips,
windows fit a 1366x768-class screen, and the receiving officer is set up and changeable."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QStyleOptionViewItem

from desk_app.domain.dossier import TRANSITIONS
from desk_app.i18n import Translator
from tests.ui.conftest import seed_dossiers


def open_dossier(qtbot, window, code):
    window.open_dossier(code)
    page = window.dossier
    qtbot.waitUntil(lambda: page.current_code == code, timeout=5000)
    return page


def test_final_status_needs_a_reason_and_a_yes(qtbot, keyboard, desk_window, data_dir, clock, intake_json):
    code = seed_dossiers(data_dir, clock, [intake_json])[0]["code"]
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
    qtbot.wait(100)
    assert page.history.rowCount() == 1
    QTest.keyClick(box, Qt.Key.Key_Return)  # Enter in the question answers "no"
    qtbot.waitUntil(lambda: page.confirm_box is None, timeout=2000)
    qtbot.wait(200)
    assert page.history.rowCount() == 1 and page.dossier["status"] == "received"

    assert page.new_status.currentData() == "refused"  # kept through re-renders (page counts)
    page.apply_status()  # Ghi nhận again (the focus left with the closed question)
    box = page.confirm_box
    yes = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    with qtbot.waitSignal(page.dossier_loaded, timeout=5000):
        yes.click()
    assert page.dossier["status"] == "refused"
    assert page.history.item(1, 3).text() == "Không thuộc thẩm quyền"
    offered = {page.new_status.itemData(i) for i in range(page.new_status.count())} - {None}  # None: "choose"
    assert offered == set(TRANSITIONS["refused"]) == {"returned"}


def test_an_ordinary_status_still_records_with_enter(qtbot, keyboard, desk_window, data_dir, clock, intake_json):
    code = seed_dossiers(data_dir, clock, [intake_json])[0]["code"]
    page = open_dossier(qtbot, desk_window, code)
    page.new_status.setCurrentIndex(page.new_status.findData("processing"))
    assert page.note.placeholderText() == "Ghi chú (không bắt buộc)"
    page.note.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.note, timeout=2000)
    with qtbot.waitSignal(page.dossier_loaded, timeout=5000):
        keyboard.press(Qt.Key.Key_Return)
    assert page.confirm_box is None and page.dossier["status"] == "processing"


def test_queue_dates_are_vietnams_and_cut_cells_have_tooltips(qtbot, desk_window, data_dir, clock, intake_json):
    from desk_app.domain.calendar import now_vn

    seed_dossiers(data_dir, clock, [intake_json])
    desk_window.show_page("queue")
    queue = desk_window.queue
    today = now_vn().date()
    assert not queue.date_to.isEnabled()
    assert (queue.date_to.date().year(), queue.date_to.date().month(), queue.date_to.date().day()) == (
        today.year, today.month, today.day)
    qtbot.waitUntil(lambda: queue.model.rowCount() == 1, timeout=5000)
    delegate = queue.table.itemDelegate()
    procedure = queue.model.index(0, 4)
    code = queue.model.index(0, 0)

    def elided(index, width):
        option = QStyleOptionViewItem()
        option.initFrom(queue.table)
        option.rect = queue.table.visualRect(index)
        option.rect.setWidth(width)
        return delegate.is_elided(option, index)

    full = queue.model.data(procedure, Qt.ItemDataRole.ToolTipRole)
    assert full == queue.model.data(procedure)
    assert elided(procedure, 60) and not elided(procedure, 2000)
    assert not elided(code, 400)


def test_preview_fits_a_small_screen(qtbot):
    from desk_app.ui.printing.preview import PreviewDialog
    from desk_app.ui.widgets import available_area

    class NoWork:
        def io(self, *args, **kwargs):
            pass

    dialog = PreviewDialog(NoWork(), Translator("vi"), b"", "t")
    qtbot.addWidget(dialog)
    area = available_area(dialog)
    assert dialog.height() <= area.height() - 40 and dialog.width() <= area.width()
    assert dialog.height() <= 860


def test_main_window_fits_the_screen(qtbot, desk_window):
    area = desk_window.screen().availableGeometry()
    assert desk_window.width() <= area.width() and desk_window.height() <= area.height()
    status = desk_window.statusBar()
    bottom = status.mapTo(desk_window, QPoint(0, status.height())).y()
    assert bottom <= desk_window.height()


def test_officer_from_setup_and_file_menu(qtbot, tmp_path, clock, intake_json):
    from desk_app.services.context import build_services
    from desk_app.ui.first_run.identity_pages import UnitPage
    from desk_app.ui.tasks import TaskRunner

    data = tmp_path / "d"
    runner = TaskRunner(lambda: build_services(data, clock=clock, actor="root"))
    try:
        # The wizard's identity step (the whole wizard: tests/ui/test_first_run_wizard.py).
        state = {"commune_code": "01273"}
        page = UnitPage(runner, Translator("vi"), state)
        qtbot.addWidget(page)
        page.unit_code.setText("000.31.14.H14")
        page.officer.setText("Nguyễn Văn Tiếp")
        saved = []
        page.save(saved.append)
        qtbot.waitUntil(lambda: bool(saved), timeout=10000)
        config = state["config"]
        assert config["officer_name"] == "Nguyễn Văn Tiếp"

        from desk_app.ui.main_window import MainWindow

        window = MainWindow(runner, Translator("vi"))
        qtbot.addWidget(window)
        window.set_config(config)
        assert "Cán bộ: Nguyễn Văn Tiếp" in window.desk_label.text()
        assert window.officer_action.text() == "Cán bộ tiếp nhận…"
        window.officer_action.trigger()
        officer = window.officer_dialog
        qtbot.waitUntil(lambda: officer.name.isEnabled() and officer.name.text() == "Nguyễn Văn Tiếp", timeout=5000)
        officer.name.setText("Trần Thị Hoa")
        with qtbot.waitSignal(officer.saved, timeout=5000):
            officer.save()
        assert "Cán bộ: Trần Thị Hoa" in window.desk_label.text()
        done = []
        runner.db(lambda services: (services.catalogue.ensure_sample(), services.intake.intake(intake_json))[1]["received_by"],
                  on_done=done.append)
        qtbot.waitUntil(lambda: bool(done), timeout=5000)
        assert done == ["Trần Thị Hoa"]
    finally:
        runner.shutdown()

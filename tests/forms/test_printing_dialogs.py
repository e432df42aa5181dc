"""The printing dialogs in the real window (offscreen): forms 02-04 ask for their details before
printing, the tracking book from the File menu, the printing settings, and the interface
language remembered between runs. Real data folder, real DB thread and I/O pool, real PDFs
read back with pypdfium2; text is typed one key event per character (Vietnamese)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from desk_app.domain.calendar import VN_TZ
from desk_app.services.context import build_services
from desk_app.ui.printing import install_printing
from tests.forms.helpers import page_texts
from tests.ui.conftest import data_dir, keyboard, open_window, seed_dossiers  # noqa: F401

pytestmark = pytest.mark.ui
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def counter(qtbot, data_dir, clock, intake_json):
    """The window with printing installed and one received dossier open on the dossier page."""
    (dossier,) = seed_dossiers(data_dir, clock, [intake_json])
    window, runner, _startup, ready = open_window(qtbot, data_dir, clock)
    qtbot.waitUntil(lambda: bool(ready), timeout=10000)
    controller = install_printing(window, runner)
    window.open_dossier(dossier.code)
    qtbot.waitUntil(lambda: window.dossier.current_code == dossier.code, timeout=5000)
    yield window, controller, dossier
    window.close()
    runner.shutdown()


def read_back(data_dir, code: str) -> dict:
    """What another connection (the CLI) sees afterwards."""
    ctx = build_services(data_dir)
    try:
        row = ctx.store.find_dossier_row(code)
        return {
            "status": row["status"],
            "history": ctx.store.dossier_history(row["id"]),
            "prints": ctx.printing.prints(code),
            "settings": ctx.printing.settings().as_dict(),
        }
    finally:
        ctx.close()


def open_extras(qtbot, controller, code: str, form: str):
    controller.extras_dialog = None
    controller.print_form(code, form)
    qtbot.waitUntil(lambda: controller.extras_dialog is not None and controller.extras_dialog.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is controller.extras_dialog)  # keys go to it
    return controller.extras_dialog


def save_from_preview(qtbot, controller, monkeypatch, out: Path) -> None:
    """Preview -> 'Save PDF…' (the file chooser answers ``out``) -> written and logged."""
    qtbot.waitUntil(lambda: bool(controller.previews), timeout=10000)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    controller.last_result = None
    controller.previews[-1].save_button.click()
    qtbot.waitUntil(lambda: controller.last_result is not None, timeout=10000)


def test_form_02_dialog_fills_the_form_and_records_the_status(qtbot, counter, keyboard, data_dir, monkeypatch, tmp_path):
    window, controller, dossier = counter
    dialog = open_extras(qtbot, controller, dossier.code, "02")
    assert dialog.officer.text() == "tester"  # the login name, until someone signs with theirs
    assert dialog.record_status.isChecked()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.items)
    keyboard.type("Bản sao Giấy chứng sinh có chứng thực\nTờ khai ghi đủ họ, chữ đệm, tên của cha")
    keyboard.tab()
    keyboard.type("Hồ sơ thiếu giấy tờ theo quy định")
    keyboard.tab()
    assert QApplication.focusWidget() is dialog.officer
    keyboard.press(Qt.Key.Key_A, CTRL)
    keyboard.type("Nông Thị Hà")
    keyboard.tab()
    keyboard.type("0206 3852 123")
    keyboard.press(Qt.Key.Key_Return, CTRL)  # Enter in the items box adds a line; Ctrl+Enter prints
    out = tmp_path / "mau02.pdf"
    save_from_preview(qtbot, controller, monkeypatch, out)
    assert not dialog.isVisible()
    text = " ".join(" ".join(page_texts(out.read_bytes())).split())
    for expected in ("Bản sao Giấy chứng sinh có chứng thực", "Tờ khai ghi đủ họ, chữ đệm, tên của cha",
                     "Lý do: Hồ sơ thiếu giấy tờ theo quy định", "Nông Thị Hà", "0206 3852 123"):
        assert expected in text
    assert controller.last_result["dossier"].status == "supplement_requested"
    saved = read_back(data_dir, dossier.code)
    assert saved["status"] == "supplement_requested"
    assert saved["history"][-1]["note"] == "Hồ sơ thiếu giấy tờ theo quy định"
    assert [(p["form"], p["copy_number"]) for p in saved["prints"]] == [("02", 1)]
    # the dossier page shows the new status; the next form 02 starts with this officer
    qtbot.waitUntil(lambda: window.dossier.dossier.status == "supplement_requested", timeout=5000)
    again = open_extras(qtbot, controller, dossier.code, "02")
    assert again.officer.text() == "Nông Thị Hà" and again.phone.text() == "0206 3852 123"
    assert again.record_status is None  # already supplement_requested: nothing to record
    again.reject()


def test_form_03_needs_a_reason_to_record_a_refusal_and_keeps_what_was_typed(qtbot, counter, keyboard, data_dir, monkeypatch, tmp_path):
    _window, controller, dossier = counter
    dialog = open_extras(qtbot, controller, dossier.code, "03")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.reason)
    keyboard.press(Qt.Key.Key_Return)  # empty reason, status box ticked
    assert dialog.isVisible() and dialog.error.isVisible()
    assert dialog.error.text() == "Hãy nhập lý do từ chối."
    assert QApplication.focusWidget() is dialog.reason and controller.previews == []
    keyboard.type("Thủ tục không thuộc thẩm quyền của UBND phường")
    keyboard.press(Qt.Key.Key_Return)
    out = tmp_path / "mau03.pdf"
    save_from_preview(qtbot, controller, monkeypatch, out)
    assert "Thủ tục không thuộc thẩm quyền của UBND phường" in " ".join(page_texts(out.read_bytes()))
    saved = read_back(data_dir, dossier.code)
    assert saved["status"] == "refused" and saved["history"][-1]["note"] == "Thủ tục không thuộc thẩm quyền của UBND phường"


def test_form_03_without_the_status_prints_blank_lines_and_changes_nothing(qtbot, counter, keyboard, data_dir, monkeypatch, tmp_path):
    _window, controller, dossier = counter
    dialog = open_extras(qtbot, controller, dossier.code, "03")
    dialog.record_status.setChecked(False)
    dialog.reason.setFocus()
    keyboard.press(Qt.Key.Key_Return)
    save_from_preview(qtbot, controller, monkeypatch, tmp_path / "mau03.pdf")
    assert "…" in " ".join(page_texts((tmp_path / "mau03.pdf").read_bytes()))  # dotted lines to fill by hand
    saved = read_back(data_dir, dossier.code)
    assert saved["status"] == "received" and [p["form"] for p in saved["prints"]] == ["03"]


def test_form_04_suggests_a_working_day_and_rejects_a_date_before_the_old_one(qtbot, counter, keyboard, data_dir, monkeypatch, tmp_path):
    from desk_app.ui.printing.extras_dialog import from_qdatetime, to_qdatetime

    _window, controller, dossier = counter
    dialog = open_extras(qtbot, controller, dossier.code, "04")
    old = datetime.fromisoformat(dossier.appointment_at)
    suggested = from_qdatetime(dialog.new_appointment.dateTime())
    assert suggested > old and suggested.weekday() < 5 and dialog.record_status is None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.reason)
    keyboard.type("Chờ xác minh thông tin hộ tịch")
    dialog.new_appointment.setDateTime(to_qdatetime(old - timedelta(hours=1)))
    keyboard.press(Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.error.isVisible, timeout=5000)
    assert dialog.error.text().startswith("Ngày hẹn mới phải sau ngày hẹn cũ")
    assert QApplication.focusWidget() is dialog.new_appointment and dialog.reason.text() == "Chờ xác minh thông tin hộ tịch"
    dialog.new_appointment.setDateTime(to_qdatetime(suggested))
    dialog.ok_button.click()
    out = tmp_path / "mau04.pdf"
    save_from_preview(qtbot, controller, monkeypatch, out)
    text = " ".join(" ".join(page_texts(out.read_bytes())).split())
    local = suggested.astimezone(VN_TZ)
    assert f"{local:%H} giờ {local:%M} phút" in text and "Chờ xác minh thông tin hộ tịch" in text
    assert read_back(data_dir, dossier.code)["status"] == "received"


def test_tracking_book_from_the_file_menu_to_xlsx(qtbot, counter, keyboard, tmp_path):
    import openpyxl

    from desk_app.ui.printing.book_dialog import to_qdate

    window, controller, dossier = counter
    assert controller.book_action in window.file_menu.actions()
    controller.book_action.trigger()
    qtbot.waitUntil(lambda: controller.book_dialog is not None and controller.book_dialog.isVisible(), timeout=5000)
    dialog = controller.book_dialog
    received = datetime.fromisoformat(dossier.received_at).date()
    dialog.date_from.setDate(to_qdate(received.replace(day=1)))
    dialog.date_to.setDate(to_qdate(received))
    dialog.format.setCurrentIndex(dialog.format.findData("xlsx"))
    assert dialog.path.text().endswith(f"so-theo-doi_{received:%Y%m}01-{received:%Y%m%d}.xlsx")
    out = tmp_path / "so.xlsx"
    dialog.path.setText(str(out))
    dialog.path.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.path)
    keyboard.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible() or dialog.error.isVisible(), timeout=10000)
    assert not dialog.error.isVisible(), dialog.error.text()
    assert controller.last_result["rows"] == 1 and Path(controller.last_result["path"]) == out
    cells = [c for row in openpyxl.load_workbook(out).active.iter_rows(values_only=True) for c in row if c]
    assert dossier.code in cells and "Nguyễn Thị Đào" in cells


def test_tracking_book_export_creates_a_missing_folder(qtbot, counter, tmp_path):
    _window, controller, _dossier = counter
    controller.open_book_dialog()
    dialog = controller.book_dialog
    out = tmp_path / "Documents" / "Mot cua" / "so.pdf"  # neither folder exists yet
    dialog.path.setText(str(out))
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible() or dialog.error.isVisible(), timeout=10000)
    assert not dialog.error.isVisible(), dialog.error.text()
    assert out.read_bytes().startswith(b"%PDF")


def test_tracking_book_error_stays_in_the_dialog(qtbot, counter, tmp_path):
    _window, controller, _dossier = counter
    controller.open_book_dialog()
    dialog = controller.book_dialog
    (tmp_path / "a-file").write_text("not a folder")  # a missing folder is created; under a file it cannot be
    dialog.path.setText(str(tmp_path / "a-file" / "no-such-folder" / "so.pdf"))
    dialog.ok_button.click()
    qtbot.waitUntil(dialog.error.isVisible, timeout=10000)
    assert dialog.isVisible() and "no-such-folder" in dialog.error.text()
    assert QApplication.focusWidget() is dialog.path and dialog.ok_button.isEnabled()
    dialog.reject()


def test_settings_dialog_saves_what_the_cli_reads(qtbot, counter, keyboard, data_dir):
    _window, controller, _dossier = counter
    controller.settings_action.trigger()
    qtbot.waitUntil(lambda: controller.settings_dialog is not None and controller.settings_dialog.isVisible(), timeout=5000)
    dialog = controller.settings_dialog
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    assert dialog.printer.currentData() == "" and not dialog.print_direct.isChecked()
    dialog.print_direct.setChecked(True)
    dialog.copies.setCurrentIndex(dialog.copies.findData(2))
    dialog.layout_choice.setCurrentIndex(dialog.layout_choice.findData("thermal80"))
    dialog.edits["tracking_url_template"].setFocus()
    keyboard.type("https://dichvucong.caobang.gov.vn/tra-cuu?mahs={code}")
    dialog.edits["bank_bin"].setFocus()
    keyboard.type("97041")  # one digit short
    dialog.edits["bank_account"].setFocus()
    keyboard.type("113366668888")
    dialog.edits["bank_account_name"].setFocus()
    keyboard.type("UBND PHƯỜNG THỤC PHÁN")
    keyboard.press(Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.error.isVisible, timeout=5000)
    assert QApplication.focusWidget() is dialog.edits["bank_bin"]
    assert read_back(data_dir, _dossier.code)["settings"]["slip_copies"] == 1  # nothing written
    keyboard.type("5")
    keyboard.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    settings = read_back(data_dir, _dossier.code)["settings"]
    expected = {
        "print_direct": True,
        "slip_copies": 2,
        "default_layout": "thermal80",
        "tracking_url_template": "https://dichvucong.caobang.gov.vn/tra-cuu?mahs={code}",
        "bank_bin": "970415",
        "bank_account": "113366668888",
        "bank_account_name": "UBND PHƯỜNG THỤC PHÁN",
        "printer_name": "",
    }
    assert {key: settings[key] for key in expected} == expected


def test_settings_dialog_keeps_a_printer_it_cannot_see(qtbot):
    from desk_app.i18n import Translator
    from desk_app.ui.printing.settings_dialog import PrintSettingsDialog

    dialog = PrintSettingsDialog(Translator("en"), {"printer_name": "XP-80C", "slip_copies": 2, "default_layout": "a4"})
    qtbot.addWidget(dialog)
    dialog.fill_printers(["HP LaserJet", "XP-80C"])
    assert [dialog.printer.itemData(i) for i in range(dialog.printer.count())] == ["", "XP-80C", "HP LaserJet"]
    assert dialog.printer.currentData() == "XP-80C" and dialog.values()["slip_copies"] == 2
    assert dialog.windowTitle() == "Printing settings" and dialog.printer.itemText(0) == "The system's default printer"


def start_window(qtbot, data_dir, clock, *, language_fixed: bool):
    """As main() does: Vietnamese first; the remembered language applies once the DB is open."""
    from desk_app.i18n import Translator
    from desk_app.ui.app import DeskStartup
    from desk_app.ui.main_window import MainWindow
    from desk_app.ui.tasks import TaskRunner

    tr = Translator("vi")
    runner = TaskRunner(lambda: build_services(data_dir, tr=tr, clock=clock, actor="tester"))
    window = MainWindow(runner, tr)
    startup = DeskStartup(window, runner, language_fixed=language_fixed)
    ready: list[dict] = []
    startup.ready_callbacks.append(ready.append)
    window.show()
    qtbot.waitExposed(window)
    startup.start()
    return window, runner, ready


@pytest.mark.parametrize("fixed", [False, True])
def test_language_choice_is_remembered_unless_given_on_the_command_line(qtbot, data_dir, clock, fixed):
    from desk_app.ui.app import remember_language

    window, runner, _startup, ready = open_window(qtbot, data_dir, clock)
    qtbot.waitUntil(lambda: bool(ready), timeout=10000)
    remember_language(window, runner)
    window.language_actions["en"].trigger()
    runner.db(lambda services: None).result(timeout=5)  # the DB thread has run the save before this
    window.close()
    runner.shutdown()

    window, runner, ready = start_window(qtbot, data_dir, clock, language_fixed=fixed)
    qtbot.waitUntil(lambda: bool(ready), timeout=10000)
    try:
        assert window.tr_.language == ("vi" if fixed else "en")
        assert window.language_actions[window.tr_.language].isChecked()
    finally:
        window.close()
        runner.shutdown()

"""The first-run wizard driven from the keyboard with real key events (issue 9 "First run",
issue 8's set-up dialog defects): the official commune list with type-ahead, the example unit
code refused, a real test print to a PDF decoded back, Esc asks before quitting, an interrupted
wizard comes back, and a desk still on the example code is warned and refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desk_app.domain.codes import is_placeholder_unit_code
from desk_app.services.dossier_view import DossierView
from tests.forms.helpers import decode, render_pages
from tests.scanning.conftest import sane_config  # noqa: F401 - used through sane_first
from tests.ui.conftest import open_window

NEXT = Qt.Key.Key_Return


@pytest.fixture
def sane_first(request):
    """The scanner page asks SANE for devices, and SANE reads its configuration once per
    process: where SANE is installed, enable the test device first, as every SANE test does
    (tests/scanning/conftest.py), so a later scanner test in this process still finds it."""
    from tests.scanning.conftest import _sane_available

    return request.getfixturevalue("sane_config") if _sane_available() else None


def open_wizard(qtbot, data_dir, clock):
    window, runner, startup, ready = open_window(qtbot, data_dir, clock)
    qtbot.waitUntil(lambda: startup.dialog is not None and startup.dialog.isVisible(), timeout=60000)
    wizard = startup.dialog
    wizard.activateWindow()
    return window, runner, startup, ready, wizard


def settings_of(data_dir: Path, clock) -> dict:
    from desk_app.services.context import build_services

    ctx = build_services(data_dir, clock=clock, actor="tester")
    try:
        return ctx.store.all_settings()
    finally:
        ctx.close()


def focus_box(qtbot, box) -> None:
    """A dialog takes the keyboard (a window manager activates it; offscreen, the test does)."""
    box.activateWindow()
    qtbot.waitUntil(lambda: (focused := QApplication.focusWidget()) is not None and focused.window() is box,
                    timeout=5000)


def clear_field(keyboard) -> None:
    keyboard.press(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    keyboard.press(Qt.Key.Key_Backspace)


def test_wizard_from_keyboard_sets_up_the_desk_with_a_test_print(qtbot, tmp_path, clock, keyboard, intake_json,
                                                                 sane_first):
    data = tmp_path / "fresh"
    window, runner, startup, ready, wizard = open_wizard(qtbot, data, clock)
    try:
        place = wizard.place
        # Province: Cao Bằng preselected; typing finds others without diacritics or "Thành phố".
        qtbot.waitUntil(lambda: QApplication.focusWidget() is place.province.search, timeout=5000)
        assert place.province.name == "Cao Bằng"
        names = [name for _code, name in place.province.items]
        # Vietnamese order without diacritics or "Thành phố": Cần Thơ between Cà Mau and Cao Bằng.
        assert names[:5] == ["An Giang", "Bắc Ninh", "Cà Mau", "Thành phố Cần Thơ", "Cao Bằng"]
        keyboard.type("da nang")
        assert place.province.visible_names() == ["Thành phố Đà Nẵng"]
        clear_field(keyboard)
        keyboard.type("cao")
        keyboard.press(NEXT)  # Enter chooses and moves to the communes
        assert QApplication.focusWidget() is place.commune.search
        assert place.commune.matches.count() == 56
        first = [place.commune.matches.item(i).text().split(" (")[0] for i in range(3)]
        assert first == ["Xã Bạch Đằng", "Xã Bảo Lạc", "Xã Bảo Lâm"]
        keyboard.type("nung")
        assert place.commune.visible_names() == ["Phường Nùng Trí Cao (01279)"]
        clear_field(keyboard)
        keyboard.type("thục phán")  # Vietnamese typed as the keyboard sends it
        assert place.commune.visible_names() == ["Phường Thục Phán (01273)"]
        keyboard.press(NEXT)  # chooses and goes on
        qtbot.waitUntil(lambda: wizard.currentPage() is wizard.unit, timeout=5000)

        unit = wizard.unit
        assert unit.unit_code.text() == ""  # no example code prefilled
        qtbot.waitUntil(lambda: QApplication.focusWidget() is unit.unit_code, timeout=5000)
        keyboard.type("000.00.00.H14")
        keyboard.press(NEXT)
        qtbot.waitUntil(lambda: unit.errors.message("unit_code") != "", timeout=10000)
        assert "mã mẫu" in unit.errors.message("unit_code")
        assert wizard.currentPage() is unit
        clear_field(keyboard)
        assert unit.errors.message("unit_code") == ""  # gone once the code is changed
        keyboard.type("000.31.14.H14")
        keyboard.tab()
        keyboard.press(Qt.Key.Key_Up)
        keyboard.press(Qt.Key.Key_Up)  # desk 3
        keyboard.tab(2)
        assert QApplication.focusWidget() is unit.officer
        keyboard.type("Nguyễn Văn Tiếp")
        keyboard.press(NEXT)
        qtbot.waitUntil(lambda: wizard.currentPage() is wizard.printer, timeout=10000)
        assert settings_of(data, clock)["setup.pending"] is True  # identity saved, wizard not finished

        printer = wizard.printer
        qtbot.waitUntil(lambda: printer.found is not None, timeout=10000)
        assert QApplication.focusWidget() is printer.printer
        pdf_path = tmp_path / "in-thu.pdf"
        printer.ask_pdf_path = lambda: pdf_path  # the file dialog (modal) is not what is tested
        printer.printer.setCurrentIndex(printer.printer.findData("\0pdf"))
        keyboard.tab()
        assert QApplication.focusWidget() is printer.layout_choice
        keyboard.press(Qt.Key.Key_Up)  # A5 -> A4
        assert printer.layout_choice.currentData() == "a4"
        keyboard.tab()
        assert QApplication.focusWidget() is printer.test_button
        keyboard.press(Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: printer.printed is not None, timeout=30000)
        assert str(pdf_path) in printer.status.text()
        pages = render_pages(pdf_path.read_bytes(), 200)
        assert len(pages) == 1
        codes = decode(pages[0])
        assert codes["code128"] == ["000.31.14.H14-261118-3000"]  # sequence 3000: never a real dossier
        assert pages[0].width / pages[0].height < 0.75  # A4 portrait
        assert QApplication.focusWidget() is printer.test_button  # focus stayed on the page while printing
        keyboard.press(NEXT)
        qtbot.waitUntil(lambda: wizard.currentPage() is wizard.scanner, timeout=10000)

        scanner = wizard.scanner
        qtbot.waitUntil(lambda: scanner.device.currentData() is not None or "Không tìm thấy" in scanner.status.text(),
                        timeout=30000)
        chosen_device = scanner.chosen_device()
        keyboard.press(NEXT)
        qtbot.waitUntil(lambda: wizard.currentPage() is wizard.server, timeout=10000)
        keyboard.press(NEXT)  # skipped: both fields empty
        qtbot.waitUntil(lambda: wizard.currentPage() is wizard.admin, timeout=10000)

        admin = wizard.admin
        qtbot.waitUntil(lambda: QApplication.focusWidget() is admin.username, timeout=5000)
        keyboard.type("quantri")
        keyboard.tab()
        assert admin.full_name.text() == "Nguyễn Văn Tiếp"  # the officer, as a start
        keyboard.tab()
        keyboard.type("mật khẩu 1")
        keyboard.tab()
        keyboard.type("mật khẩu 2")
        keyboard.press(NEXT)
        assert "không giống nhau" in admin.errors.message("password_again") and wizard.currentPage() is admin
        clear_field(keyboard)
        keyboard.type("mật khẩu 1")
        keyboard.press(NEXT)
        qtbot.waitUntil(lambda: wizard.currentPage() is wizard.finish, timeout=20000)
        assert admin.password.text() == ""  # not kept once the account exists
        summary = wizard.finish.summary.text()
        for text in ("Phường Thục Phán", "000.31.14.H14", "Nguyễn Văn Tiếp", "quantri", str(data)):
            assert text in summary
        keyboard.press(NEXT)
        qtbot.waitUntil(lambda: bool(ready), timeout=10000)
        config = ready[0]
        assert config["unit_code"] == "000.31.14.H14" and config["desk"] == 3
        assert config["commune_name"] == "Phường Thục Phán" and config["officer_name"] == "Nguyễn Văn Tiếp"
        assert "Bàn số 3" in window.desk_label.text()
        qtbot.waitUntil(lambda: window.intake.finder.matches.count() > 0, timeout=10000)
        assert window.stack.currentWidget() is window.intake
        # The administrator made by the wizard is signed in: the first dossier goes through.
        taken = []
        runner.db(lambda services: services.intake.intake(intake_json), on_done=taken.append, on_error=taken.append)
        qtbot.waitUntil(lambda: bool(taken), timeout=10000)
        assert isinstance(taken[0], DossierView) and taken[0].code == "000.31.14.H14-261118-3001"
    finally:
        window.close()
        runner.shutdown()
    saved = settings_of(data, clock)
    assert saved["setup.pending"] is False
    assert saved["forms.default_layout"] == "a4" and saved["forms.printer_name"] == ""
    assert saved["scanner.device"] == chosen_device
    from desk_app.services.context import build_services

    ctx = build_services(data, clock=clock, actor="tester")
    try:
        assert [(a["username"], a["role"], a["full_name"]) for a in ctx.accounts.list()] == [
            ("quantri", "admin", "Nguyễn Văn Tiếp")]
        assert ctx.accounts.authenticate("quantri", "mật khẩu 1").role == "admin"
    finally:
        ctx.close()


def test_esc_asks_before_quitting_and_the_wizard_comes_back(qtbot, tmp_path, clock, keyboard):
    data = tmp_path / "fresh"
    window, runner, startup, ready, wizard = open_wizard(qtbot, data, clock)
    try:
        keyboard.type("cao")
        keyboard.press(NEXT)
        keyboard.type("thuc phan")
        keyboard.press(NEXT)
        qtbot.waitUntil(lambda: wizard.currentPage() is wizard.unit, timeout=5000)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is wizard.unit.unit_code, timeout=5000)
        keyboard.type("H14.52.01")
        keyboard.press(NEXT)
        qtbot.waitUntil(lambda: wizard.currentPage() is wizard.printer, timeout=10000)
        keyboard.press(Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: wizard.confirm is not None and wizard.confirm.isVisible(), timeout=5000)
        assert wizard.isVisible() and window.isVisible()  # nothing quit silently
        box = wizard.confirm
        focus_box(qtbot, box)
        keyboard.press(Qt.Key.Key_Return)  # the default answer stays in the wizard
        qtbot.waitUntil(lambda: wizard.confirm is None, timeout=5000)
        assert wizard.isVisible() and window.isVisible()
        focus_box(qtbot, wizard)
        keyboard.press(Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: wizard.confirm is not None and wizard.confirm.isVisible(), timeout=5000)
        box = wizard.confirm
        focus_box(qtbot, box)
        wizard.quit_button.setFocus()
        keyboard.press(Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
        assert ready == []
    finally:
        window.close()
        runner.shutdown()

    # The next start shows the wizard again, with what was saved.
    window, runner, startup, ready, wizard = open_wizard(qtbot, data, clock)
    try:
        assert wizard.place.commune.code == "01273"
        assert wizard.unit.unit_code.text() == "H14.52.01"
    finally:
        window.close()
        runner.shutdown()


def _legacy_desk(data_dir: Path, clock, intake_json, *, dossiers: int) -> None:
    """A desk set up by 0.1's dialog with its example code (written as 0.1 did: the settings)."""
    from desk_app.services.context import build_services

    ctx = build_services(data_dir, clock=clock, actor="tester")
    try:
        ctx.setup.configure(unit_code="000.31.14.H14", desk=1, commune_code="01273")
        ctx.catalogue.ensure_sample()
        for _ in range(dossiers):
            ctx.intake.intake(intake_json)
        ctx.store.set_settings({"unit_code": "000.00.00.H14"})
    finally:
        ctx.close()


def test_example_unit_code_without_dossiers_reopens_the_wizard_without_it(qtbot, tmp_path, clock, intake_json):
    data = tmp_path / "legacy"
    _legacy_desk(data, clock, intake_json, dossiers=0)
    window, runner, startup, ready, wizard = open_wizard(qtbot, data, clock)
    try:
        assert wizard.place.commune.code == "01273"
        assert wizard.unit.unit_code.text() == ""
    finally:
        window.close()
        runner.shutdown()


def test_example_unit_code_with_dossiers_warns_on_intake_and_refuses(qtbot, tmp_path, clock, intake_json):
    data = tmp_path / "legacy"
    _legacy_desk(data, clock, intake_json, dossiers=1)
    window, runner, startup, ready = open_window(qtbot, data, clock)
    try:
        qtbot.waitUntil(lambda: bool(ready), timeout=60000)
        assert startup.dialog is None
        banner = window.intake.placeholder_banner
        assert banner.isVisible() and "000.00.00.H14" in banner.text() and "chưa thể tiếp nhận" in banner.text()
        window.language_actions["en"].trigger()
        assert "example unit code" in banner.text()
        failed = []
        runner.db(lambda services: services.intake.intake(intake_json), on_done=failed.append, on_error=failed.append)
        qtbot.waitUntil(lambda: bool(failed), timeout=10000)
        assert getattr(failed[0], "field", None) == "unit_code"
    finally:
        window.close()
        runner.shutdown()
    assert is_placeholder_unit_code(settings_of(data, clock)["unit_code"])


def test_wizard_fits_a_small_screen(qtbot, tmp_path, clock):
    from desk_app.ui.widgets import available_area

    window, runner, startup, ready, wizard = open_wizard(qtbot, tmp_path / "fresh", clock)
    try:
        area = available_area(wizard)
        assert wizard.width() <= area.width() and wizard.height() <= area.height() - 40
        assert wizard.height() <= 640
    finally:
        window.close()
        runner.shutdown()

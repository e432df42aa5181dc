"""The wizard's scanner and server pages against real parts: the SANE ``test`` device (listed
and test-scanned off the UI thread) and the reference provincial server in its own process
(enrollment with a one-time code; wrong input answered in words next to the field)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.scanning.conftest import sane_config  # noqa: F401 - the SANE fixture
from tests.sync.conftest import ServerProcess
from tests.ui.conftest import UNIT_CODE
from tests.ui.test_first_run_wizard import NEXT, open_wizard


@pytest.fixture
def server(tmp_path):
    srv = ServerProcess(tmp_path / "srv")
    srv.data.mkdir()
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def resumed_desk(data_dir, clock):
    """The UI tests' configured desk (desk 3, Phường Thục Phán) with its wizard left half-way."""
    from desk_app.services.context import build_services

    ctx = build_services(data_dir, clock=clock, actor="tester")
    ctx.setup.set_setup_pending(True)
    ctx.close()
    return data_dir


def walk_to(qtbot, keyboard, wizard, page) -> None:
    """Enter through the pages before ``page`` (each prefilled from the saved configuration)."""
    while wizard.currentPage() is not page:
        current = wizard.currentPage()
        if current is wizard.place:
            wizard.place.commune.search.setFocus()
        keyboard.press(NEXT)
        qtbot.waitUntil(lambda current=current: wizard.currentPage() is not current, timeout=20000)


def test_scanner_page_lists_the_sane_device_and_test_scans(qtbot, resumed_desk, clock, keyboard, sane_config):
    window, runner, startup, ready, wizard = open_wizard(qtbot, resumed_desk, clock)
    try:
        assert wizard.unit.unit_code.text() == UNIT_CODE  # what was saved comes back
        walk_to(qtbot, keyboard, wizard, wizard.scanner)
        page = wizard.scanner
        qtbot.waitUntil(lambda: page.device.currentData() is not None, timeout=30000)
        assert page.device.currentData() == "test:0" and page.use_scanner.isChecked()
        assert QApplication.focusWidget() is page.device
        keyboard.press(Qt.Key.Key_Down)  # the second scanner
        assert page.device.currentData() == "test:1"
        keyboard.tab()
        assert QApplication.focusWidget() is page.test_button
        keyboard.press(Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: page.scanned is not None, timeout=60000)
        assert page.scanned["dpi"] == 75 and page.scanned["width"] > 100
        assert not page.preview.pixmap().isNull()
        assert "75 dpi" in page.status.text()
        keyboard.press(NEXT)
        qtbot.waitUntil(lambda: wizard.currentPage() is wizard.server, timeout=10000)
        # The scan dialog starts on the scanner chosen here.
        from desk_app.i18n import Translator
        from desk_app.ui.scan.dialog import ScanDialog

        dialog = ScanDialog(runner, Translator("vi"), code="X", documents=["Tờ khai"])
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: (dialog.scanner.current_device() is not None
                                 and dialog.scanner.current_device().id == "test:1"), timeout=30000)
    finally:
        window.close()
        runner.shutdown()
    from tests.ui.test_first_run_wizard import settings_of

    assert settings_of(resumed_desk, clock)["scanner.device"] == "test:1"


def test_server_page_enrolls_and_says_what_is_wrong(qtbot, resumed_desk, clock, keyboard, server, monkeypatch):
    monkeypatch.setenv("DESK_SYNC_KEYRING", "off")
    window, runner, startup, ready, wizard = open_wizard(qtbot, resumed_desk, clock)
    try:
        walk_to(qtbot, keyboard, wizard, wizard.server)
        page = wizard.server
        qtbot.waitUntil(lambda: QApplication.focusWidget() is page.server, timeout=5000)
        keyboard.type(server.url)
        keyboard.press(NEXT)  # no code
        assert "mã đăng ký" in page.errors.message("code") and wizard.currentPage() is page
        assert QApplication.focusWidget() is page.code
        keyboard.type("WRNG-CODE-XXXX-YYYY")
        keyboard.press(NEXT)
        qtbot.waitUntil(lambda: page.errors.message("code") != "" or page.general_error.text() != "", timeout=30000)
        assert page.errors.message("code") == "Mã đăng ký không đúng hoặc đã được dùng."  # in words, at the field
        assert wizard.currentPage() is page
        code = server.admin("enroll-code", "--unit-code", UNIT_CODE, "--desk", "3")["code"]
        page.code.selectAll()
        keyboard.press(Qt.Key.Key_Backspace)
        keyboard.type(code)
        keyboard.press(NEXT)
        qtbot.waitUntil(lambda: wizard.currentPage() is wizard.admin, timeout=30000)
        assert page.enrolled["unit_code"] == UNIT_CODE and page.enrolled["desk"] == 3
    finally:
        window.close()
        runner.shutdown()
    from desk_app.services.context import build_services

    ctx = build_services(resumed_desk, clock=clock, actor="tester")
    try:
        assert ctx.sync.status(ping=False)["enrolled"] is True
    finally:
        ctx.close()

"""Screenshots of every page of the first-run wizard, and of the intake page's warning for a
desk still on the example unit code, at 1366×768:

    SANE_CONFIG_DIR=... xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/make_wizard_screenshots.py

Drives the real wizard from the keyboard on a throw-away data folder (the test print goes to a
PDF file; the scanner page test-scans the SANE ``test`` device when SANE_CONFIG_DIR enables it)
and grabs the whole screen into docs/screenshots/wizard-*.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(OUT)]

from shots import grab, type_text, wait, wait_until  # noqa: E402

from desk_app.i18n import Translator  # noqa: E402
from desk_app.services.context import build_services  # noqa: E402
from desk_app.ui.app import DeskStartup  # noqa: E402
from desk_app.ui.main_window import MainWindow  # noqa: E402
from desk_app.ui.tasks import TaskRunner  # noqa: E402


def key(k: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    from PySide6.QtTest import QTest

    QTest.keyClick(QApplication.focusWidget(), k, modifier)


def shoot(name: str) -> None:
    print("saved", grab(OUT / f"wizard-{name}.png", settle_ms=300))


def open_desk(data_dir: Path, tr: Translator):
    runner = TaskRunner(lambda: build_services(data_dir, tr=tr))
    window = MainWindow(runner, tr)
    window.resize(1280, 780)
    startup = DeskStartup(window, runner)
    ready: list = []
    startup.ready_callbacks.append(ready.append)
    window.show()
    window.activateWindow()
    startup.start()
    return runner, window, startup, ready


def wizard_pages(tmp: Path, tr: Translator) -> None:
    runner, window, startup, ready = open_desk(tmp / "data", tr)
    wait_until(lambda: startup.dialog is not None and startup.dialog.isVisible(), 60000)
    wizard = startup.dialog
    wizard.activateWindow()
    wait_until(lambda: QApplication.focusWidget() is wizard.place.province.search)
    type_text("cao")
    key(Qt.Key.Key_Return)
    type_text("thuc")
    shoot("1-place")
    key(Qt.Key.Key_Return)
    wait_until(lambda: wizard.currentPage() is wizard.unit)
    wait_until(lambda: QApplication.focusWidget() is wizard.unit.unit_code)
    type_text("000.00.00.H14")
    key(Qt.Key.Key_Return)
    wait_until(lambda: wizard.unit.errors.message("unit_code") != "")
    shoot("2-unit-example-refused")
    wizard.unit.unit_code.selectAll()
    type_text("000.31.14.H14")
    key(Qt.Key.Key_Tab)
    key(Qt.Key.Key_Up)
    key(Qt.Key.Key_Up)
    key(Qt.Key.Key_Tab)
    key(Qt.Key.Key_Tab)
    type_text("Nông Thị Hạnh")
    shoot("2-unit")
    key(Qt.Key.Key_Return)
    wait_until(lambda: wizard.currentPage() is wizard.printer, 20000)
    printer = wizard.printer
    wait_until(lambda: printer.found is not None, 20000)
    printer.ask_pdf_path = lambda: tmp / "in-thu.pdf"  # the file dialog is the system's own
    printer.printer.setCurrentIndex(printer.printer.count() - 1)
    printer.test_print()
    wait_until(lambda: printer.printed is not None, 30000)
    shoot("3-printer")
    key(Qt.Key.Key_Return)
    wait_until(lambda: wizard.currentPage() is wizard.scanner, 20000)
    scanner = wizard.scanner
    wait_until(lambda: scanner.device.currentData() is not None or scanner.no_scanner.isChecked()
               and "…" not in scanner.status.text(), 30000)
    if scanner.chosen_device():
        from tests.scanning.conftest import set_test_picture

        set_test_picture("Color pattern")  # the test device's default page is solid black
        scanner.test_scan()
        wait_until(lambda: scanner.scanned is not None, 60000)
    shoot("4-scanner")
    key(Qt.Key.Key_Return)
    wait_until(lambda: wizard.currentPage() is wizard.server, 20000)
    type_text("https://dongbo.caobang.gov.vn")
    key(Qt.Key.Key_Return)  # no code: the page says so
    wait(200)
    shoot("5-server")
    wizard.server.server.clear()
    key(Qt.Key.Key_Return)  # both empty: skipped
    wait_until(lambda: wizard.currentPage() is wizard.admin, 20000)
    wait_until(lambda: QApplication.focusWidget() is wizard.admin.username)
    type_text("quantri")
    key(Qt.Key.Key_Tab)
    key(Qt.Key.Key_Tab)
    type_text("matkhau-123")
    key(Qt.Key.Key_Tab)
    type_text("matkhau-123")
    shoot("6-admin")
    key(Qt.Key.Key_Return)
    wait_until(lambda: wizard.currentPage() is wizard.finish, 30000)
    shoot("7-finish")
    key(Qt.Key.Key_Escape)
    wait_until(lambda: wizard.confirm is not None and wizard.confirm.isVisible())
    shoot("8-esc-asks")
    wizard.confirm.reject()
    wait(200)
    window.close()
    runner.shutdown()


def placeholder_warning(tmp: Path, tr: Translator) -> None:
    """A desk 0.1 set up with the example code, with dossiers: warned on the intake page."""
    data_dir = tmp / "legacy"
    ctx = build_services(data_dir)
    ctx.setup.configure(unit_code="000.31.14.H14", desk=1, commune_code="01273")
    ctx.catalogue.ensure_sample()
    procedure = ctx.catalogue.list()[0]
    ctx.intake.intake({"procedure_code": procedure.code, "applicant": {"full_name": "Lý Thị Hoa"},
                       "documents": [{"name": "Tờ khai", "kind": "original", "count": 1}]})
    ctx.store.set_settings({"unit_code": "000.00.00.H14"})
    ctx.close()
    runner, window, startup, ready = open_desk(data_dir, tr)
    wait_until(lambda: ready and window.intake.finder.matches.count() > 0, 60000)
    shoot("9-intake-example-code")
    window.close()
    runner.shutdown()


def main() -> int:
    app = QApplication(sys.argv[:1])  # noqa: F841 - kept alive for the run
    tr = Translator("vi")
    with tempfile.TemporaryDirectory() as tmp:
        wizard_pages(Path(tmp), tr)
        placeholder_warning(Path(tmp), tr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

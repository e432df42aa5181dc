"""Qt side: slip scans typed by a keyboard wedge, and printing through QPrinter (PDF output)."""

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from desk_app.i18n import Translator
from desk_app.services.printing import render
from desk_app.ui.printing.printer import print_pdf
from desk_app.ui.wedge import ScannerRouter
from tests.forms.helpers import decode, render_pages

CODE = "000.31.14.H14-261118-3001"


class StepClock:
    def __init__(self, step):
        self.now, self.step = 100.0, step

    def __call__(self):
        self.now += self.step
        return self.now


def _type(widget, text):
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))
    QApplication.sendEvent(widget, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, "\r"))


def _edit(qtbot, text=""):
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is edit)
    edit.setText(text)
    return edit


@pytest.mark.ui
@pytest.mark.parametrize("scanned", [CODE, f"https://dichvucong.caobang.gov.vn/tra-cuu?mahs={CODE}&t=k9"])
def test_fast_scan_opens_the_dossier_and_never_lands_in_the_field(qtbot, scanned):
    edit = _edit(qtbot, "Nguyễn ")
    scans = ScannerRouter(clock=StepClock(0.005))
    scans.install(QApplication.instance())
    try:
        with qtbot.waitSignal(scans.slip_scanned, timeout=1000) as signal:
            _type(edit, scanned)
        assert signal.args == [CODE]
        assert edit.text() == "Nguyễn "
    finally:
        scans.uninstall(QApplication.instance())


@pytest.mark.ui
def test_slow_typing_is_not_a_scan(qtbot):
    edit = _edit(qtbot)
    scans = ScannerRouter(clock=StepClock(0.2))
    got = []
    scans.slip_scanned.connect(got.append)
    scans.install(QApplication.instance())
    try:
        _type(edit, CODE)
    finally:
        scans.uninstall(QApplication.instance())
    assert got == [] and edit.text() == CODE


@pytest.mark.ui
def test_failed_print_keeps_the_preview_open_with_save_pdf(qtbot, desk, dossier):
    """A print to a printer that does not exist fails on the I/O pool: the preview stays open,
    Print can be tried again and Save PDF is still there."""
    from desk_app.ui.printing.preview import PreviewDialog
    from desk_app.ui.printing.printer import print_pdf
    from desk_app.ui.tasks import TaskRunner

    pdf = render(desk.printing.prepare(dossier.code, layout="a5")).data
    runner = TaskRunner(lambda: None)
    try:
        dialog = PreviewDialog(runner, Translator("vi"), pdf, "x")
        qtbot.addWidget(dialog)
        dialog.show()
        errors = []

        def failed(error):
            errors.append(error)
            dialog.print_failed(str(error))

        dialog.print_requested.connect(lambda: (dialog.printing(), runner.io(
            print_pdf, pdf, printer_name="no-such-printer-xyz", on_done=lambda _i: dialog.print_done(), on_error=failed)))
        dialog.print_button.click()
        qtbot.waitUntil(lambda: bool(errors), timeout=10000)
        assert dialog.isVisible() and dialog.print_button.isEnabled() and dialog.save_button.isVisible()
        assert "In không thành công" in dialog.status.text()
    finally:
        runner.shutdown()


@pytest.mark.ui
def test_print_through_qprinter_keeps_codes_decodable(qtbot, desk, dossier, tmp_path):
    pdf = render(desk.printing.prepare(dossier.code, layout="thermal80"))
    out = tmp_path / "printed.pdf"
    info = print_pdf(pdf.data, output_file=out, title=dossier.code)
    assert info["pages"] == 1 and out.stat().st_size > 0
    (image,) = render_pages(out.read_bytes(), 150)
    found = decode(image)
    assert found["code128"] == [dossier.code] and found["qr"] == [
        f"https://dichvucong.caobang.gov.vn/tra-cuu?mahs={dossier.code}"
    ]

"""Wizard page 3: the printer and the paper, with a test print.

The printers come from the I/O pool (asking the print system can take seconds); the test
print is prepared on the DB thread, rendered and printed on the I/O pool. A PC without any
printer saves the test print as a PDF file instead. Next saves the choice as the printing
settings (``forms.printer_name``, ``forms.default_layout``). UI thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QPushButton

from desk_app.i18n import Translator
from desk_app.ui.first_run.step import StepPage
from desk_app.ui.ops import Op
from desk_app.ui.printing.settings_dialog import LAYOUT_LABELS
from desk_app.ui.tasks import RENDER, TaskRunner

PDF_CHOICE = "\0pdf"  # the printer combo's "save to a PDF file" entry


def find_printers() -> dict:
    """I/O pool: the printers this PC knows and its default one."""
    from PySide6.QtPrintSupport import QPrinterInfo

    return {"names": list(QPrinterInfo.availablePrinterNames()), "default": QPrinterInfo.defaultPrinterName()}


def print_test_page(prepared, printer_name: str, output_file: Path | None) -> dict:
    """I/O pool: render the test receipt and send it to the printer (or the PDF file)."""
    from desk_app.services.printing import render
    from desk_app.ui.printing.printer import print_pdf

    pdf = render(prepared)
    return print_pdf(pdf.data, printer_name=printer_name, title="desk-app test", output_file=output_file)


class PrinterPage(StepPage):
    def __init__(self, runner: TaskRunner, tr: Translator, state: dict):
        super().__init__(runner, tr, state)
        self.setTitle(tr("Máy in và khổ giấy"))
        self.setSubTitle(tr("Chọn máy in giấy tiếp nhận và khổ giấy, rồi in thử một phiếu để xem mã vạch, "
                            "mã QR và lề giấy có vừa không."))
        self.printer = QComboBox()
        self.printer.addItem(tr("Đang tìm máy in…"), None)  # enabled: it keeps the focus given to it
        self.layout_choice = QComboBox()
        for key, label in LAYOUT_LABELS:
            self.layout_choice.addItem(tr(label), key)
        self.layout_choice.setCurrentIndex(max(0, self.layout_choice.findData(state.get("default_layout", "a5"))))
        self.test_button = QPushButton(tr("&In thử"))
        self.test_button.setAutoDefault(False)  # Enter means Next; the test print has its own key
        self.test_button.clicked.connect(self.test_print)
        form = QFormLayout()
        for caption, widget in ((tr("&Máy in"), self.printer), (tr("&Khổ giấy"), self.layout_choice)):
            buddy = QLabel(caption)
            buddy.setBuddy(widget)
            form.addRow(buddy, widget)
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addStretch(1)
        form.addRow("", row)
        self.body.addLayout(form)
        self.finish_layout()
        self.errors.add("printer_name", self.printer)
        self.errors.add("default_layout", self.layout_choice)
        self.ask_pdf_path = self._ask_pdf_path  # replaced by tests (a file dialog is modal)
        self.printed: dict | None = None
        self.found: dict | None = None
        self.printing = False  # the printers found, once the I/O pool answered
        self._looked = False

    def initializePage(self) -> None:
        if not self._looked:
            self._looked = True
            self.runner.render(find_printers, on_done=self.fill_printers, on_error=lambda _e: self.fill_printers({"names": []}))
        self.printer.setFocus()

    def fill_printers(self, found: dict) -> None:
        tr = self.tr_
        self.printer.clear()
        names = found.get("names") or []
        if names:
            default = found.get("default") or ""
            self.printer.addItem(tr("Máy in mặc định của hệ thống ({name})", name=default) if default
                                 else tr("Máy in mặc định của hệ thống"), "")
            for name in names:
                self.printer.addItem(name, name)
        self.printer.addItem(tr("Không có máy in: lưu bản in thử ra tệp PDF"), PDF_CHOICE)
        self.found = found
        if not names:
            self.status.setText(tr("Máy tính này chưa có máy in nào. Có thể in thử ra tệp PDF và cài máy in sau "
                                   "(Thiết lập in)."))

    def chosen_printer(self) -> str | None:
        return self.printer.currentData()

    def _ask_pdf_path(self) -> Path | None:
        name, _filter = QFileDialog.getSaveFileName(self, self.tr_("Lưu bản in thử"), str(Path.home() / "in-thu.pdf"),
                                                    "PDF (*.pdf)")
        return Path(name) if name else None

    def test_print(self) -> None:
        choice = self.chosen_printer()
        if choice is None or self.printing:  # still looking for printers, or printing
            return
        output = None
        if choice == PDF_CHOICE:
            output = self.ask_pdf_path()
            if output is None:
                return
        self.printing = True  # the button stays enabled: disabling it would throw the focus out of the page
        self.errors.clear()
        self.status.setText(self.tr_("Đang in thử…"))
        printer = "" if choice == PDF_CHOICE else choice
        from desk_app.services.first_run import test_print_form

        (Op(self, self.runner, self.tr_, test_print_form, self.layout_choice.currentData(),
            on_success=self._printed, on_failure=self._print_failed)
            .then(lambda prepared: print_test_page(prepared, printer, output), executor=RENDER)
            .run())

    def _printed(self, result: dict) -> None:
        self.printed = result
        self.printing = False
        tr = self.tr_
        if result.get("file"):
            self.status.setText(tr("Đã lưu bản in thử vào {path}. Mở tệp để xem phiếu.", path=result["file"]))
        else:
            self.status.setText(tr("Đã gửi bản in thử tới máy in {name}. Kiểm tra phiếu in ra.", name=result["printer"]))

    def _print_failed(self, error: BaseException) -> None:
        self.printing = False
        self.status.clear()
        self.errors.show(error, self.tr_)

    def save(self, done) -> bool:
        from desk_app.services.first_run import save_printing_db

        choice = self.chosen_printer()
        printer = "" if choice in (None, PDF_CHOICE) else choice
        shown = self.tr_("chưa có máy in") if choice in (None, PDF_CHOICE) else self.printer.currentText()
        self.state.update(printer=shown, layout=self.layout_choice.currentText())
        self.runner.db(save_printing_db, printer, self.layout_choice.currentData(), on_done=done, on_error=self.failed)
        return True

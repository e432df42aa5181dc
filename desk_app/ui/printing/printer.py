"""Sending a form PDF to a printer. Runs on the I/O pool (``TaskRunner.io``), never on the UI
thread: Qt allows painting on a QPrinter outside the GUI thread.

Pages are rasterised by pdfium at the printer's own resolution, so each QR module and bar
lands on whole printer dots (at 203 dpi a 0.5 mm module is 4 dots) — the codes stay sharp,
unlike a code image scaled by the driver.
"""

from __future__ import annotations

from pathlib import Path

from desk_app.domain.errors import DeskError, ErrorCode
from desk_app.i18n import N_
from desk_app.pdfium_lock import render_pages

# Shown for "the default printer" in messages; a parameter, translated by DeskError.translated().
DEFAULT_PRINTER = N_("(mặc định)")


class PrintError(DeskError):  # messages: desk_app/resources/i18n/en/forms.json
    code = ErrorCode.PRINT_FAILED


def available_printers() -> list[str]:
    from PySide6.QtPrintSupport import QPrinterInfo

    return list(QPrinterInfo.availablePrinterNames())


def print_pdf(pdf: bytes, *, printer_name: str = "", title: str = "", output_file: Path | None = None) -> dict:
    """Print every page of ``pdf``. ``output_file`` prints to a PDF file instead (tests, and
    PCs without a printer driver). Raises PrintError with a clear message; never partial
    state in the database (the caller logs the print only after this returns)."""
    from PySide6.QtCore import QMarginsF, QRectF, QSizeF
    from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    if output_file is not None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(output_file))
        printer.setResolution(300)
    else:
        info = QPrinterInfo.printerInfo(printer_name) if printer_name else QPrinterInfo.defaultPrinter()
        if info.isNull():
            raise PrintError("Không tìm thấy máy in {name}.", name=printer_name or DEFAULT_PRINTER)
        printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title or "desk-app")
    printer.setFullPage(True)
    painter = QPainter()
    pages = 0
    dpi = printer.resolution()
    try:
        # One page rasterised at a time under the pdfium lock (desk_app/pdfium_lock.py); the
        # painting and the driver's wait happen outside it.
        for index, ((width_pt, height_pt), bitmap) in enumerate(render_pages(pdf, scale=dpi / 72, grayscale=True)):
            layout = QPageLayout(
                QPageSize(QSizeF(width_pt, height_pt), QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.ExactMatch),
                QPageLayout.Orientation.Portrait,
                QMarginsF(0, 0, 0, 0),
            )
            printer.setPageLayout(layout)
            if index == 0:
                if not painter.begin(printer):
                    raise PrintError("Máy in {name} chưa sẵn sàng.", name=printer_name or DEFAULT_PRINTER)
            elif not printer.newPage():
                raise PrintError("Máy in {name} chưa sẵn sàng.", name=printer_name or DEFAULT_PRINTER)
            bitmap = bitmap.convert("L")
            image = QImage(bitmap.tobytes(), bitmap.width, bitmap.height, bitmap.width, QImage.Format.Format_Grayscale8)
            target = QRectF(0, 0, width_pt / 72 * dpi, height_pt / 72 * dpi)
            painter.drawImage(target, image)
            pages = index + 1
    finally:
        if painter.isActive():
            painter.end()
    return {"pages": pages, "printer": printer_name or printer.printerName(), "file": str(output_file or "")}

"""The printing flow of the desk UI: print form 01 after each intake and from the dossier page,
forms 02-05 from a menu, preview or direct print, PDF export, and returning results by
scanning a slip. UI thread; database work on ``runner.db``, rendering and printers on
``runner.io``. A failed or cancelled print logs nothing and leaves the dossier untouched.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6 import QtWidgets
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMenu, QVBoxLayout, QWidget

from desk_app.domain.dossier import RESULT_READY, REFUSED, RETURNED, STATUS_LABELS
from desk_app.domain.errors import DeskError
from desk_app.i18n import N_, Translator
from desk_app.ui.printing.printer import print_pdf
from desk_app.ui.printing.slip_scan import SlipScanFilter
from desk_app.ui.tasks import TaskRunner

if TYPE_CHECKING:  # the printing service (reportlab, the store, holidays) loads on the workers
    from desk_app.services.printing import PreparedForm
    from desk_app.ui.printing.preview import PreviewDialog

FORM_LABELS = {
    "02": N_("Mẫu 02: Phiếu yêu cầu bổ sung hồ sơ"),
    "03": N_("Mẫu 03: Phiếu từ chối tiếp nhận"),
    "04": N_("Mẫu 04: Phiếu xin lỗi, hẹn lại"),
    "05": N_("Mẫu 05: Phiếu kiểm soát quá trình"),
}
RETURNABLE = (RESULT_READY, REFUSED)


def prepare_job(services, code: str, form: str):
    """DB thread: the form's data and the printing settings."""
    return services.printing.prepare(code, form=form), services.printing.settings()


def render_job(prepared: PreparedForm):
    """I/O thread: the form as a PDF (reportlab is imported here, never on the UI thread)."""
    from desk_app.services.printing import render

    return render(prepared)


def save_job(path: Path, pdf: bytes) -> None:
    """I/O thread."""
    from desk_app.services.printing import write_atomically

    write_atomically(path, pdf)


def record_job(services, prepared: PreparedForm, target: str) -> dict:
    return services.printing.record(prepared, target=target)


def mark_returned(services, code: str) -> dict:
    return services.queue.set_status(code, RETURNED, note="")


class ReturnDialog(QDialog):
    """After a slip scan: the dossier in one line and, when its result is ready, 'Record as
    returned' as the default button — Enter records it (time and officer); Esc just closes."""

    def __init__(self, tr: Translator, dossier: dict, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Trả kết quả"))
        status = dossier["status"]
        text = tr(
            "Hồ sơ {code}\n{name}\n{procedure}\nTrạng thái: {status}",
            code=dossier["code"],
            name=dossier["applicant"]["full_name"],
            procedure=dossier["procedure_name"],
            status=tr(STATUS_LABELS.get(status, status)),
        )
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(text))
        # Dialog classes are looked up when used: PySide builds each class's type on first
        # access (~1 ms apiece), and none of these is needed to show the first window.
        QDialogButtonBox = QtWidgets.QDialogButtonBox  # noqa: N806
        buttons = QDialogButtonBox()
        self.can_return = status in RETURNABLE
        if self.can_return:
            button = buttons.addButton(tr("Ghi nhận đã trả kết quả (Enter)"), QDialogButtonBox.ButtonRole.AcceptRole)
            button.setDefault(True)
            button.setFocus()
        else:
            layout.addWidget(QLabel(tr("Hồ sơ chưa có kết quả để trả.")))
        buttons.addButton(QDialogButtonBox.StandardButton.Close).setText(tr("Đóng"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class PrintingController(QObject):
    def __init__(self, window, runner: TaskRunner, tr_source: Callable[[], Translator]):
        super().__init__(window)
        self.window = window
        self.runner = runner
        self._tr = tr_source
        self.previews: list[PreviewDialog] = []
        self.last_result: dict | None = None
        self.print_action = QAction(window)
        self.print_action.setShortcuts([QKeySequence("Ctrl+P")])  # not setShortcut: see widgets.set_named
        self.print_action.triggered.connect(lambda _c=False: self._print_current("01"))
        self.forms_action = QAction(window)
        self.forms_menu = QMenu(window)
        self.form_actions = {}
        for form in FORM_LABELS:
            action = self.forms_menu.addAction("")
            action.triggered.connect(lambda _c=False, f=form: self._print_current(f))
            self.form_actions[form] = action
        self.forms_action.setMenu(self.forms_menu)
        self.forms_action.triggered.connect(lambda _c=False: self.forms_menu.popup(self.window.cursor().pos()))
        self.slip_filter = SlipScanFilter(self)
        self.slip_filter.scanned.connect(self.slip_scanned)
        self.retranslate()

    @property
    def tr(self) -> Translator:
        return self._tr()

    def retranslate(self) -> None:
        tr = self.tr
        self.print_action.setText(tr("In giấy tiếp nhận"))
        self.forms_action.setText(tr("In mẫu khác"))
        for form, action in self.form_actions.items():
            action.setText(tr(FORM_LABELS[form]))

    # --- printing -----------------------------------------------------------------------------
    def _print_current(self, form: str) -> None:
        code = self.window.dossier.current_code
        if code:
            self.print_form(code, form)

    def print_form(self, code: str, form: str = "01") -> None:
        self.runner.db(prepare_job, code, form, on_done=self._prepared, on_error=self._failed)

    def _prepared(self, result) -> None:
        prepared, settings = result
        self.runner.io(
            render_job, prepared, on_done=lambda pdf: self._rendered(prepared, settings, pdf), on_error=self._failed
        )

    def _rendered(self, prepared: PreparedForm, settings, pdf) -> None:
        if settings.print_direct:
            self._send(prepared, pdf.data, settings.printer_name)
            return
        from desk_app.forms.model import FORMS  # loaded by now, by the worker that prepared the form
        from desk_app.ui.printing.preview import PreviewDialog  # first preview only

        title = f"{FORMS[prepared.form]} - {prepared.data.code}"
        dialog = PreviewDialog(self.runner, self.tr, pdf.data, title, parent=self.window)
        dialog.print_requested.connect(lambda: (self._send(prepared, pdf.data, settings.printer_name), dialog.accept()))
        dialog.save_requested.connect(lambda: self._save(prepared, pdf.data, dialog))
        dialog.finished.connect(lambda _r: self.previews.remove(dialog) if dialog in self.previews else None)
        self.previews.append(dialog)
        dialog.show()

    def _send(self, prepared: PreparedForm, pdf: bytes, printer_name: str) -> None:
        def printed(info: dict) -> None:
            target = f"printer:{info['printer']}"
            self.runner.db(record_job, prepared, target, on_done=self._logged, on_error=self._failed)

        self.runner.io(print_pdf, pdf, printer_name=printer_name, title=prepared.data.code, on_done=printed, on_error=self._print_failed)

    def _save(self, prepared: PreparedForm, pdf: bytes, parent: QWidget) -> None:
        default = f"{prepared.data.code}-mau{prepared.form}.pdf"
        path, _ = QtWidgets.QFileDialog.getSaveFileName(parent, self.tr("Lưu PDF"), default, "PDF (*.pdf)")
        if not path:
            return
        self.runner.io(
            save_job,
            Path(path),
            pdf,
            on_done=lambda _r: self.runner.db(record_job, prepared, f"pdf:{path}", on_done=self._logged, on_error=self._failed),
            on_error=self._failed,
        )

    def _logged(self, result: dict) -> None:
        self.last_result = result
        bar = self.window.statusBar()
        bar.showMessage(self.tr("Đã in mẫu {form} (lần {copy}).", form=result["form"], copy=result["copy_number"]), 5000)

    def _print_failed(self, error: BaseException) -> None:
        detail = error.translated(self.tr) if isinstance(error, DeskError) else str(error)
        QtWidgets.QMessageBox.warning(
            self.window,
            self.tr("In không thành công"),
            self.tr("In không thành công: {detail}\nHồ sơ vẫn được lưu; bạn có thể in lại.", detail=detail),
        )

    def _failed(self, error: BaseException) -> None:
        detail = error.translated(self.tr) if isinstance(error, DeskError) else str(error)
        self.window.statusBar().showMessage(detail, 8000)

    # --- returning results by scanning the slip ---------------------------------------------------
    def slip_scanned(self, code: str) -> None:
        from desk_app.ui.pages.dossier import load_dossier

        self.window.open_dossier(code)
        self.runner.db(load_dossier, code, on_done=self._ask_return, on_error=self._failed)

    def _ask_return(self, dossier: dict) -> None:
        dialog = ReturnDialog(self.tr, dossier, parent=self.window)
        dialog.accepted.connect(lambda: self._record_return(dossier["code"]) if dialog.can_return else None)
        self.return_dialog = dialog
        dialog.open()

    def _record_return(self, code: str) -> None:
        def done(dossier: dict) -> None:
            self.window.dossier.show_dossier(code)
            self.window.statusBar().showMessage(self.tr("Đã ghi nhận trả kết quả hồ sơ {code}.", code=code), 5000)

        self.runner.db(mark_returned, code, on_done=done, on_error=self._failed)


def install_printing(window, runner: TaskRunner, *, app: QApplication | None = None) -> PrintingController:
    """Wire printing into the main window: the dossier page's print actions, printing form 01
    right after each intake, and slip scanning anywhere in the app. UI thread."""
    controller = PrintingController(window, runner, lambda: window.tr_)
    # The dossier page is built on first use; the actions join its toolbar then.
    window.when_page("dossier", lambda page: (page.add_action(controller.print_action), page.add_action(controller.forms_action)))
    window.intake.saved.connect(lambda dossier: controller.print_form(dossier["code"], "01"))
    controller.slip_filter.install(app or QApplication.instance())
    for action in getattr(window, "language_actions", {}).values():
        action.triggered.connect(lambda _c=False: controller.retranslate())
    return controller

"""The printing flow of the desk UI: print form 01 after each intake and from the dossier page,
forms 02-05 from a menu (02-04 after a dialog asking for the reason, items, new appointment),
preview or direct print, PDF export, the tracking book and the printing settings (File menu),
and returning results by scanning a slip. UI thread; each piece of work is an ``Op``
(desk_app/ui/ops.py): database work on the DB thread, rendering, files and printers on the I/O
pool, steps chained with ``then``. A failed or cancelled print logs nothing and leaves the
dossier untouched. Dialog modules are imported when first opened.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6 import QtWidgets
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QLabel, QMenu, QVBoxLayout, QWidget

from desk_app.domain.dossier import OPEN_STATUSES, REFUSED, RESULT_READY, RETURNED, STATUS_LABELS
from desk_app.domain.errors import DeskError
from desk_app.i18n import N_, Translator
from desk_app.ui.changes import dossier_code
from desk_app.ui.ops import DB, IO, Op
from desk_app.ui.printing.printer import print_pdf
from desk_app.ui.tasks import RENDER, TaskRunner

if TYPE_CHECKING:  # the printing service (reportlab, the store, holidays) loads on the workers
    from desk_app.services.context import DeskServices
    from desk_app.services.dossier_view import DossierView
    from desk_app.services.printing import PreparedForm
    from desk_app.ui.printing.book_dialog import BookDialog
    from desk_app.ui.printing.extras_dialog import ExtrasDialog
    from desk_app.ui.printing.preview import PreviewDialog
    from desk_app.ui.printing.settings_dialog import PrintSettingsDialog

FORM_LABELS = {
    "02": N_("Mẫu 02: Phiếu yêu cầu bổ sung hồ sơ"),
    "03": N_("Mẫu 03: Phiếu từ chối tiếp nhận"),
    "04": N_("Mẫu 04: Phiếu xin lỗi, hẹn lại"),
    "05": N_("Mẫu 05: Phiếu kiểm soát quá trình"),
}
RETURNABLE = (RESULT_READY, REFUSED)
WITH_EXTRAS = ("02", "03", "04")  # asked for in a dialog before printing


# --- which forms fit the dossier's status (forms menu) ------------------------------------------
NEAR_DUE = timedelta(days=1)  # form 04 (apology, new date) from a day before the appointment
STILL_OPEN = OPEN_STATUSES - {RESULT_READY}  # a dossier with its result ready needs no 02-04


def forms_allowed(status: str, appointment_at: str, now: datetime | None = None) -> set[str]:
    """The forms the menu offers for a dossier in ``status``, due at ``appointment_at``: 02
    (supplement) and 03 (refusal) while it is still being processed, 04 also only when it is
    overdue or due within a day, 05 (process control) always."""
    allowed = {"05"}
    if status in STILL_OPEN:
        allowed |= {"02", "03"}
        if now is None:
            from desk_app.domain.calendar import VN_TZ  # its holiday tables stay off start-up

            now = datetime.now(VN_TZ)
        if datetime.fromisoformat(appointment_at) - now <= NEAR_DUE:
            allowed.add("04")
    return allowed


def enable_forms(actions: dict, dossier: DossierView) -> None:
    """UI thread: enable only the menu entries ``forms_allowed`` gives."""
    allowed = forms_allowed(dossier.status, dossier.appointment_at)
    for form, action in actions.items():
        action.setEnabled(form in allowed)


def prepare_job(services: DeskServices, code: str, form: str):
    """DB thread: the form's data and the printing settings."""
    return services.printing.prepare(code, form=form), services.printing.settings()


def render_job(prepared: PreparedForm):
    """I/O thread: the form as a PDF (reportlab is imported here, never on the UI thread)."""
    from desk_app.services.printing import render

    return render(prepared)


def render_step(result: tuple) -> tuple:
    """I/O thread, after ``prepare_job``: (prepared, settings) -> (prepared, settings, pdf)."""
    prepared, settings = result
    return prepared, settings, render_job(prepared)


def save_job(path: Path, pdf: bytes) -> None:
    """I/O thread."""
    from desk_app.services.printing import write_atomically

    write_atomically(path, pdf)


def extras_defaults_job(services: DeskServices, code: str, form: str) -> dict:
    """DB thread: what the forms 02-04 dialog starts with."""
    return services.printing.extras_defaults(code, form)


def prepare_issue_job(services: DeskServices, code: str, form: str, values: dict):
    """DB thread: the form with what the officer typed (the same ``FormExtras`` as the CLI's
    ``desk receipt --reason --item --new-appointment --officer-phone``)."""
    prepared = services.printing.prepare_issue(
        code, form=form, extras=values["extras"], officer_name=values["officer_name"]
    )
    return prepared, services.printing.settings()


def record_job(services: DeskServices, prepared: PreparedForm, target: str, status: str | None = None, note: str = "") -> dict:
    """DB thread: log the print; then, if asked, record the status the form goes with (form 02:
    supplement requested, 03: refused). A refused status change does not undo the log."""
    result = services.printing.record(prepared, target=target)
    if status:
        try:
            result["dossier"] = services.queue.set_status(prepared.data.code, status, note=note)
        except DeskError as error:
            result["status_error"] = error
    return result


def changed_status(result: dict) -> list[str]:
    """``changes=`` of ``record_job``: the dossier, when the print recorded a status."""
    dossier = result.get("dossier")
    return [dossier.code] if dossier is not None else []


def settings_job(services: DeskServices) -> dict:
    return services.printing.settings().as_dict()


def configure_job(services: DeskServices, changes: dict) -> dict:
    return services.printing.configure(**changes).as_dict()


def book_job(services: DeskServices, date_from, date_to, path: Path):
    """DB thread: the book's rows (numbers given now to dossiers not yet in it)."""
    from desk_app.services.printing import check_book_path

    check_book_path(path)
    return services.printing.book(date_from, date_to)


def write_book_job(book, path: Path) -> dict:
    """I/O thread: render the book (PDF or .xlsx) and write it atomically."""
    from desk_app.services.printing import write_book

    return write_book(book, path)


def printers_job() -> list[str]:
    """I/O thread: asking the print system for its printers may take a while (CUPS)."""
    from desk_app.ui.printing.printer import available_printers

    return available_printers()


def mark_returned(services: DeskServices, code: str, collector: dict | None = None) -> DossierView:
    return services.queue.set_status(code, RETURNED, note="", collector=collector)


class ReturnDialog(QDialog):
    """After a slip scan: the dossier in one line and, when its result is ready, 'Record as
    returned' as the default button — Enter records it (time and officer); Esc just closes."""

    def __init__(self, tr: Translator, dossier: DossierView, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Trả kết quả"))
        status = dossier.status
        text = tr(
            "Hồ sơ {code}\n{name}\n{procedure}\nTrạng thái: {status}",
            code=dossier.code,
            name=dossier.applicant.full_name,
            procedure=dossier.procedure_name,
            status=tr(STATUS_LABELS.get(status, status)),
        )
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(text))
        # Dialog classes are looked up when used: PySide builds each class's type on first
        # access (~1 ms apiece), and none of these is needed to show the first window.
        QDialogButtonBox = QtWidgets.QDialogButtonBox
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
        self.last_print_error: str | None = None
        self.print_action = QAction(window)
        self.print_action.setShortcut(QKeySequence("Ctrl+P"))
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
        self.extras_dialog: ExtrasDialog | None = None
        self.book_dialog: BookDialog | None = None
        self.settings_dialog: PrintSettingsDialog | None = None
        self.book_action = QAction(window)
        self.book_action.triggered.connect(lambda _c=False: self.open_book_dialog())
        self.settings_action = QAction(window)
        self.settings_action.triggered.connect(lambda _c=False: self.open_settings_dialog())
        self.retranslate()

    @property
    def tr_(self) -> Translator:
        return self._tr()

    def _op(self, run: Callable[..., Any], *args: Any, parent: QObject | None = None, **options: Any) -> Op:
        """An ``Op`` bound to ``parent`` (the main window unless a dialog waits for the answer);
        failures go to the status bar unless ``on_failure`` says otherwise."""
        options.setdefault("on_failure", self._failed)
        return Op(parent or self.window, self.runner, self._tr, run, *args, **options)

    def retranslate(self) -> None:
        tr = self.tr_
        self.print_action.setText(tr("In giấy tiếp nhận"))
        self.forms_action.setText(tr("In mẫu khác"))
        for form, action in self.form_actions.items():
            action.setText(tr(FORM_LABELS[form]) + ("…" if form in WITH_EXTRAS else ""))
        self.book_action.setText(tr("Sổ theo dõi hồ sơ (Mẫu 06)…"))
        self.settings_action.setText(tr("Thiết lập in…"))

    # --- printing -----------------------------------------------------------------------------
    def _print_current(self, form: str) -> None:
        code = self.window.dossier.current_code
        if code:
            self.print_form(code, form)

    def print_form(self, code: str, form: str = "01") -> None:
        """Form 01 and 05 print at once; 02-04 first ask for their details (``ExtrasDialog``)."""
        if form in WITH_EXTRAS:
            self._op(extras_defaults_job, code, form, on_success=self._ask_extras).run()
            return
        self._op(prepare_job, code, form, on_success=lambda r: self._rendered(*r)).then(render_step, executor=RENDER).run()

    def _ask_extras(self, defaults: dict) -> None:
        from desk_app.ui.printing.extras_dialog import ExtrasDialog  # first use only

        dialog = ExtrasDialog(self.tr_, FORM_LABELS[defaults["form"]], defaults, parent=self.window)
        code, form = defaults["code"], defaults["form"]

        def submitted(values: dict) -> None:
            def prepared(result) -> None:
                dialog.done_ok()
                self._prepared(result, status=values["record_status"], note=values["extras"].reason)

            self._op(prepare_issue_job, code, form, values, parent=dialog, on_success=prepared,
                     on_failure=dialog.show_error).run()

        dialog.submitted.connect(submitted)
        self.extras_dialog = dialog
        dialog.open()

    def _prepared(self, result, *, status: str | None = None, note: str = "") -> None:
        self._op(render_step, result, executor=RENDER,
                 on_success=lambda r: self._rendered(*r, status=status, note=note)).run()

    def _rendered(self, prepared: PreparedForm, settings, pdf, *, status: str | None = None, note: str = "") -> None:
        # status and note are recorded with the print log, once issued
        if settings.print_direct:
            self._send(prepared, pdf.data, settings.printer_name, status=status, note=note)
            return
        # FORMS is loaded by now, by the worker that prepared the form.
        from desk_app.forms.model import FORMS
        from desk_app.ui.printing.preview import PreviewDialog  # first preview only

        title = f"{FORMS[prepared.form]} - {prepared.data.code}"
        dialog = PreviewDialog(self.runner, self.tr_, pdf.data, title, parent=self.window)
        # The preview closes only once the print went through: if it fails, Save PDF stays offered.
        dialog.print_requested.connect(
            lambda: self._send(prepared, pdf.data, settings.printer_name, preview=dialog, status=status, note=note)
        )
        dialog.save_requested.connect(lambda: self._save(prepared, pdf.data, dialog, status=status, note=note))
        dialog.finished.connect(lambda _r: self.previews.remove(dialog) if dialog in self.previews else None)
        self.previews.append(dialog)
        dialog.show()

    def _send(self, prepared: PreparedForm, pdf: bytes, printer_name: str, *, status: str | None = None, note: str = "",
              preview: PreviewDialog | None = None) -> None:
        def printed(info: dict) -> None:
            if preview is not None:
                preview.print_done()
            self._record(prepared, f"printer:{info['printer']}", status, note)

        def failed(error: BaseException) -> None:
            if preview is not None:
                preview.print_failed(self._error_text(error))
            self._print_failed(error)

        if preview is not None:
            preview.printing()
        self._op(lambda: print_pdf(pdf, printer_name=printer_name, title=prepared.data.code), executor=RENDER,
                 on_success=printed, on_failure=failed).run()

    def _record(self, prepared: PreparedForm, target: str, status: str | None, note: str) -> None:
        """Log the print (and the status it goes with); the pages learn of a status change."""
        self._op(record_job, prepared, target, status, note, on_success=self._logged, changes=changed_status).run()

    def _save(self, prepared: PreparedForm, pdf: bytes, parent: QWidget, *, status: str | None = None, note: str = "") -> None:
        default = f"{prepared.data.code}-mau{prepared.form}.pdf"
        path, _ = QtWidgets.QFileDialog.getSaveFileName(parent, self.tr_("Lưu PDF"), default, "PDF (*.pdf)")
        if not path:
            return
        (self._op(save_job, Path(path), pdf, executor=IO, on_success=self._logged, changes=changed_status)
            .then(lambda services, _r: record_job(services, prepared, f"pdf:{path}", status, note), executor=DB)
            .run())

    def _logged(self, result: dict) -> None:
        self.last_result = result
        tr = self.tr_
        message = tr("Đã in mẫu {form} (lần {copy}).", form=result["form"], copy=result["copy_number"])
        dossier = result.get("dossier")
        if dossier is not None:
            message += " " + tr("Trạng thái hồ sơ: {status}.", status=tr(STATUS_LABELS[dossier.status]))
        if "status_error" in result:
            message += " " + tr("Chưa ghi nhận trạng thái: {detail}", detail=result["status_error"].translated(tr))
        self.window.statusBar().showMessage(message, 8000)

    # --- the tracking book (Mẫu 06) ------------------------------------------------------------
    def open_book_dialog(self) -> None:
        from datetime import datetime

        from PySide6.QtCore import QStandardPaths

        from desk_app.domain.calendar import VN_TZ
        from desk_app.ui.printing.book_dialog import BookDialog  # first use only

        folder = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or Path.home())
        dialog = BookDialog(self.tr_, datetime.now(VN_TZ).date(), folder, parent=self.window)

        def submitted(values: dict) -> None:
            def written(result: dict) -> None:
                dialog.done_ok()
                self.last_result = result
                self.window.statusBar().showMessage(
                    self.tr_("Đã xuất sổ theo dõi: {rows} hồ sơ, tệp {path}.", rows=result["rows"], path=result["path"]), 8000
                )

            (self._op(book_job, values["date_from"], values["date_to"], values["path"], parent=dialog,
                      on_success=written, on_failure=dialog.show_error)
                .then(lambda book: write_book_job(book, values["path"]), executor=IO)
                .run())

        dialog.submitted.connect(submitted)
        self.book_dialog = dialog
        dialog.open()

    # --- printing settings ----------------------------------------------------------------------
    def open_settings_dialog(self) -> None:
        self._op(settings_job, on_success=self._show_settings).run()

    def _show_settings(self, settings: dict) -> None:
        from desk_app.ui.printing.settings_dialog import PrintSettingsDialog  # first use only

        dialog = PrintSettingsDialog(self.tr_, settings, parent=self.window)

        def saved(_settings: dict) -> None:
            dialog.done_ok()
            self.window.statusBar().showMessage(self.tr_("Đã lưu thiết lập in."), 5000)

        dialog.submitted.connect(
            lambda changes: self._op(configure_job, changes, parent=dialog, on_success=saved,
                                     on_failure=dialog.show_error).run()
        )
        self._op(printers_job, executor=RENDER, parent=dialog, on_success=dialog.fill_printers,
                 on_failure=dialog.show_error).run()  # logged by the runner too
        self.settings_dialog = dialog
        dialog.open()

    def _error_text(self, error: BaseException) -> str:
        return error.translated(self.tr_) if isinstance(error, DeskError) else str(error)

    def _print_failed(self, error: BaseException) -> None:
        detail = self._error_text(error)
        self.last_print_error = detail
        parent = self.previews[-1] if self.previews else self.window
        QtWidgets.QMessageBox.warning(
            parent,
            self.tr_("In không thành công"),
            self.tr_("In không thành công: {detail}\nHồ sơ vẫn được lưu; bạn có thể in lại.", detail=detail),
        )

    def _failed(self, error: BaseException) -> None:
        detail = self._error_text(error)
        self.window.statusBar().showMessage(detail, 8000)

    # --- returning results by scanning the slip ---------------------------------------------------
    def slip_scanned(self, code: str) -> None:
        from desk_app.ui.pages.dossier import load_dossier

        self.window.open_dossier(code)
        self._op(load_dossier, code, on_success=self._ask_return).run()

    def _ask_return(self, dossier: DossierView) -> None:
        dialog = ReturnDialog(self.tr_, dossier, parent=self.window)
        dialog.accepted.connect(lambda: self._ask_collector(dossier) if dialog.can_return else None)
        self.return_dialog = dialog
        dialog.open()

    def _ask_collector(self, dossier: DossierView) -> None:
        """Who takes the result (name and ID card, or the post): asked before it is recorded."""
        from desk_app.ui.pages.collector_dialog import CollectorDialog

        dialog = CollectorDialog(self.tr_, dossier, parent=self.window)
        dialog.accepted.connect(lambda: self._record_return(dossier.code, dialog.collector()))
        self.collector_dialog = dialog
        dialog.open()

    def _record_return(self, code: str, collector: dict | None = None) -> None:
        def done(_dossier: dict) -> None:  # the dossier page hears of it through runner.changes
            self.window.statusBar().showMessage(self.tr_("Đã ghi nhận trả kết quả hồ sơ {code}.", code=code), 5000)

        self._op(mark_returned, code, collector, on_success=done, changes=dossier_code).run()


def install_printing(window, runner: TaskRunner) -> PrintingController:
    """Wire printing into the main window: the dossier page's print actions, printing form 01
    right after each intake. Slip scans reach ``slip_scanned`` through the application's
    scanner router (desk_app.ui.wedge), installed after the first paint. UI thread."""
    controller = PrintingController(window, runner, lambda: window.tr_)
    # The dossier page is built on first use; the actions join its toolbar then.
    window.when_page("dossier", lambda page: (page.add_action(controller.print_action), page.add_action(controller.forms_action)))
    # Forms 02-04 only where the dossier's status calls for them (forms_allowed).
    window.when_page("dossier", lambda page: page.dossier_loaded.connect(lambda d: enable_forms(controller.form_actions, d)))
    window.intake.saved.connect(lambda dossier: controller.print_form(dossier.code, "01"))
    # File menu: tracking book and printing settings, above Quit.
    window.file_menu.insertAction(window.quit_action, controller.book_action)
    window.file_menu.insertAction(window.quit_action, controller.settings_action)
    window.file_menu.insertSeparator(window.quit_action)
    window.language_changed.connect(lambda _lang: controller.retranslate())
    return controller

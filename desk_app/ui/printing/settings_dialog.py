"""Printing settings of this commune desk: printer, print directly or preview, copies of the
receipt, default paper, tracking and survey URL templates, bank account for VietQR. The same
``forms.*`` settings the CLI's ``desk forms-config`` changes (``PrintingService.configure``).
UI thread; the printer list arrives from the I/O pool (``fill_printers``), saving runs on the
DB thread.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QWidget

from desk_app.i18n import N_, Translator
from desk_app.ui.printing.dialog_base import SubmitDialog

LAYOUT_LABELS = (("a4", N_("A4")), ("a5", N_("A5")), ("thermal80", N_("Giấy in nhiệt 80 mm")))
TEXT_FIELDS = ("tracking_url_template", "survey_url_template", "bank_bin", "bank_account", "bank_account_name",
               "office_name")


class PrintSettingsDialog(SubmitDialog):
    """``values()``: the changes for ``PrintingService.configure`` (every field, as shown)."""

    def __init__(self, tr: Translator, settings: dict, parent: QWidget | None = None):
        super().__init__(tr, tr("Thiết lập in"), tr("Lưu"), parent)
        self.setMinimumWidth(620)
        self.settings = settings
        self.printer = QComboBox()
        self.printer.addItem(tr("Máy in mặc định của hệ thống"), "")
        self._keep_printer(settings.get("printer_name", ""))
        self.form.addRow(tr("Máy in:"), self.printer)
        self.print_direct = QCheckBox(tr("In thẳng ra máy in, không xem trước"))
        self.print_direct.setChecked(bool(settings.get("print_direct")))
        self.form.addRow("", self.print_direct)
        self.copies = QComboBox()
        self.copies.addItem(tr("1 liên"), 1)
        self.copies.addItem(tr("2 liên (giao người nộp và lưu tại Bộ phận Một cửa)"), 2)
        self.copies.setCurrentIndex(self.copies.findData(int(settings.get("slip_copies", 1))))
        self.form.addRow(tr("Giấy tiếp nhận:"), self.copies)
        self.layout_choice = QComboBox()
        for key, label in LAYOUT_LABELS:
            self.layout_choice.addItem(tr(label), key)
        self.layout_choice.setCurrentIndex(max(0, self.layout_choice.findData(settings.get("default_layout", "a5"))))
        self.form.addRow(tr("Khổ giấy mặc định:"), self.layout_choice)
        self.edits: dict[str, QLineEdit] = {}
        rows = (
            ("office_name", N_("Tên bộ phận in trên phiếu:"), ""),
            ("tracking_url_template", N_("Địa chỉ tra cứu hồ sơ (mã QR):"),
             "https://dichvucong.caobang.gov.vn/tra-cuu?mahs={code}"),
            ("survey_url_template", N_("Địa chỉ khảo sát mức độ hài lòng:"), "https://…?mahs={code}"),
            ("bank_bin", N_("Mã ngân hàng (BIN, VietQR):"), "970415"),
            ("bank_account", N_("Số tài khoản nhận phí:"), ""),
            ("bank_account_name", N_("Tên chủ tài khoản:"), ""),
        )
        for key, label, placeholder in rows:
            edit = QLineEdit(str(settings.get(key, "")))
            edit.setPlaceholderText(placeholder)
            self.form.addRow(tr(label), edit)
            self.edits[key] = edit
        self.fields.update(self.edits)
        self.fields.update({"printer_name": self.printer, "slip_copies": self.copies, "default_layout": self.layout_choice})
        self.printer.setFocus()

    def show_error(self, error: BaseException) -> None:
        super().show_error(error)
        if getattr(error, "field", None) == "template":  # either URL template: the one it quotes
            value = str(getattr(error, "params", {}).get("value", ""))
            for key in ("tracking_url_template", "survey_url_template"):
                if self.edits[key].text().strip() == value.strip():
                    self.edits[key].setFocus()
                    break

    def _keep_printer(self, name: str) -> None:
        if name and self.printer.findData(name) < 0:
            self.printer.addItem(name, name)
        self.printer.setCurrentIndex(max(0, self.printer.findData(name)))

    def fill_printers(self, names: list[str]) -> None:
        """The printers this PC knows (from the I/O pool); the chosen one stays chosen."""
        chosen = self.printer.currentData()
        for name in names:
            if self.printer.findData(name) < 0:
                self.printer.addItem(name, name)
        self._keep_printer(chosen)

    def values(self) -> dict:
        changes: dict[str, object] = {key: edit.text().strip() for key, edit in self.edits.items()}
        changes.update(
            printer_name=self.printer.currentData(),
            print_direct=self.print_direct.isChecked(),
            slip_copies=self.copies.currentData(),
            default_layout=self.layout_choice.currentData(),
        )
        return changes

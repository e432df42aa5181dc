"""Xuất gói đồng bộ ra USB: write every pending record and its files to a signed bundle (what
``desk export-bundle`` writes) for a desk without a network; the folder is created if needed.
Written on the DB thread. UI thread."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QWidget

from desk_app.domain.errors import ValidationError
from desk_app.domain.formats import file_stamp
from desk_app.i18n import Translator
from desk_app.ui.printing.dialog_base import SubmitDialog

if TYPE_CHECKING:  # the composition root (and the store under it) loads with the services
    from desk_app.services.context import DeskServices


def export_bundle(services: DeskServices, out: Path) -> dict:
    """DB thread."""
    return services.sync.export_bundle(out)


class BundleDialog(SubmitDialog):
    def __init__(self, runner, tr: Translator, parent: QWidget | None = None):
        super().__init__(tr, tr("Xuất gói đồng bộ ra USB"), tr("Xuất gói"), parent)
        self.runner = runner
        self.setMinimumWidth(560)
        self.export_result: dict | None = None  # not ``result``: that would hide QDialog.result()
        self.path = QLineEdit(str(Path.home() / f"goi-dong-bo-{file_stamp(datetime.now())}.bundle"))
        self.browse = QPushButton(tr("Chọn…"))
        self.browse.setAutoDefault(False)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        self.form.addRow(tr("Lưu vào tệp:"), row)
        self.fields["out"] = self.path
        self.browse.clicked.connect(self.choose_file)
        self.submitted.connect(self._run)
        self.path.setFocus()

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, self.tr_("Lưu gói đồng bộ"), self.path.text(),
                                                    self.tr_("Gói đồng bộ (*.bundle)"))
        if path:
            self.path.setText(path)

    def check(self) -> ValidationError | None:
        if not self.path.text().strip():
            return ValidationError("Hãy chọn tệp để lưu gói đồng bộ.", field="out")
        return None

    def values(self) -> dict:
        return {"out": Path(self.path.text().strip()).expanduser()}

    def _run(self, values: dict) -> None:
        self.runner.db(export_bundle, values["out"], on_done=self._written, on_error=self.show_error)

    def show_error(self, error: BaseException) -> None:
        super().show_error(error)
        self.adjustSize()  # room for the wrapped message (the dialog was sized without it)

    def _written(self, result: dict) -> None:
        self.export_result = result
        self.done_ok(result)
        window = self.parentWidget()
        if window is not None and hasattr(window, "statusBar"):
            window.statusBar().showMessage(
                self.tr_("Đã xuất gói đồng bộ: {path}", path=str(result.get("out") or self.values()["out"])), 8000)

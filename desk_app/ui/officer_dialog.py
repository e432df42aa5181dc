"""File → Cán bộ tiếp nhận…: change the receiving officer's name (recorded as the actor of
each intake and status change, printed on forms) without re-running the set-up. UI thread;
reading and saving run on the DB thread. Accounts and roles will replace this later."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desk_app.i18n import Translator
from desk_app.ui.field_errors import FieldErrors, error_label
from desk_app.ui.tasks import TaskRunner
from desk_app.ui.widgets import with_error

if TYPE_CHECKING:  # the composition root (and the store under it) loads with the services
    from desk_app.services.context import DeskServices


def load_officer(services: DeskServices) -> str:
    """DB thread."""
    return services.setup.officer()


def save_officer(services: DeskServices, name: str) -> str:
    """DB thread: the next intake or status change records this name."""
    return services.setup.set_officer(name)


class OfficerDialog(QDialog):
    saved = Signal(str)  # the name as stored ("" = none: the login name is used)

    def __init__(self, runner: TaskRunner, tr: Translator, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self._tr = tr
        self.setWindowTitle(tr("Cán bộ tiếp nhận"))
        self.setMinimumWidth(440)
        intro = QLabel(tr("Họ tên này được ghi vào lịch sử xử lý và in trên phiếu. "
                          "Để trống: dùng tên đăng nhập máy tính."))
        intro.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setEnabled(False)  # until the current name is read
        self.name.setMaxLength(100)
        box, error = with_error(self.name)
        self.general_error = error_label()
        self.errors = FieldErrors(self.general_error)
        self.errors.add("officer_name", self.name, error)
        form = QFormLayout()
        form.addRow(tr("Họ tên cán bộ tiếp nhận"), box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Lưu"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Hủy"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        runner.db(load_officer, on_done=self._loaded, on_error=self._failed)

    def _loaded(self, name: str) -> None:
        self.name.setText(name)
        self.name.setEnabled(True)
        self.name.setFocus()
        self.name.selectAll()

    def save(self) -> None:
        self.errors.clear()
        self.buttons.setEnabled(False)
        self.runner.db(save_officer, self.name.text(), on_done=self._saved, on_error=self._failed)

    def _saved(self, name: str) -> None:
        self.saved.emit(name)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.name.setEnabled(True)
        self.errors.show(error, self._tr)

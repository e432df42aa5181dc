"""What the printing dialogs share: a form layout, an error line under it, OK/Cancel buttons,
and Ctrl+Enter to submit from anywhere (Enter inside a multi-line field adds a line).

The dialog never does the work itself: OK emits ``submitted`` and the controller runs the job
on the workers; a failed job comes back to ``show_error`` with the dialog still open and
everything typed still there. UI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from desk_app.domain.errors import DeskError
from desk_app.i18n import Translator


class SubmitDialog(QDialog):
    submitted = Signal(object)  # the values (a dict); the controller runs the job

    def __init__(self, tr: Translator, title: str, ok_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.tr_ = tr
        self.setWindowTitle(title)
        self.fields: dict[str, QWidget] = {}  # error field name -> the widget to focus
        self.form = QFormLayout()
        self.error = QLabel()
        self.error.setObjectName("dialogError")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setText(tr("Hủy"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(self.submit)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.busy = False

    def values(self) -> dict:
        raise NotImplementedError

    def check(self) -> DeskError | None:
        """A mistake visible without the database (shown at once), or None."""
        return None

    def submit(self) -> None:
        if self.busy:  # a second Enter while the job runs
            return
        problem = self.check()
        if problem is not None:
            self.show_error(problem)
            return
        self.error.hide()
        self.set_busy(True)
        self.submitted.emit(self.values())

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.ok_button.setEnabled(not busy)

    def show_error(self, error: BaseException) -> None:
        """The job failed: say why in the dialog, put the cursor on the field at fault."""
        self.set_busy(False)
        text = error.translated(self.tr_) if isinstance(error, DeskError) else str(error)
        self.error.setText(text)
        self.error.show()
        widget = self.fields.get(getattr(error, "field", None) or "")
        if widget is not None:
            widget.setFocus()

    def done_ok(self, _result=None) -> None:
        self.set_busy(False)
        self.accept()

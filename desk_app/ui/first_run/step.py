"""A wizard page whose Next saves something off the UI thread.

QWizard asks ``validatePage()`` synchronously; saving runs on the DB thread. So the first Next
starts the work and answers "not yet"; when the work succeeds the page marks itself done and
presses Next again; when it fails the page shows why (next to the field at fault) and stays.
UI thread.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget, QWizardPage

from desk_app.domain.errors import DeskError
from desk_app.i18n import Translator
from desk_app.ui.field_errors import FieldErrors, error_label
from desk_app.ui.tasks import TaskRunner
from desk_app.ui.widgets import with_error


class StepPage(QWizardPage):
    def __init__(self, runner: TaskRunner, tr: Translator, state: dict):
        super().__init__()
        self.runner = runner
        self.tr_ = tr
        self.state = state  # shared by the pages: what the summary shows at the end
        self.busy = False
        self._passed = False
        self.general_error = error_label()
        self.errors = FieldErrors(self.general_error)
        self.body = QVBoxLayout(self)
        self.status = QLabel(wordWrap=True)  # the page's own news (a test print, a test scan)
        self.saving = QLabel()

    def add_form(self, rows: list[tuple[str, str, QWidget]]) -> QFormLayout:
        """A form of ``(field, caption with &mnemonic, widget)`` rows, each with its error line
        under the widget (errors of that ``field`` land there)."""
        form = QFormLayout()
        for field, caption, widget in rows:
            box, error = with_error(widget)
            self.errors.add(field, widget, error)
            if isinstance(widget, QLineEdit):  # a message about what was typed goes once it changes
                widget.textEdited.connect(lambda _text, error=error: error.hide())
            label = QLabel(caption)
            label.setBuddy(widget)
            form.addRow(label, box)
        self.body.addLayout(form)
        return form

    def finish_layout(self, *, stretch: bool = True) -> None:
        """Messages under the page's own widgets (``stretch``: pushed to the bottom)."""
        if stretch:
            self.body.addStretch(1)
        self.body.addWidget(self.status)
        self.body.addWidget(self.general_error)
        self.body.addWidget(self.saving)

    # --- Next ------------------------------------------------------------------------------
    def save(self, done: Callable[[object], None]) -> bool:
        """Start saving the page (``done(result)`` when saved); return False when there is
        nothing to save, so Next moves on at once; raise a DeskError to refuse at once.
        Subclasses override."""
        return False

    def validatePage(self) -> bool:
        if self._passed:
            self._passed = False
            return True
        if self.busy:
            return False
        self.errors.clear()
        try:
            started = self.save(self._saved)
        except DeskError as error:
            self.errors.show(error, self.tr_)
            return False
        if not started:
            return True
        self._set_busy(True)
        return False

    def _saved(self, _result: object = None) -> None:
        self._set_busy(False)
        self._passed = True
        self.wizard().next()

    def failed(self, error: BaseException) -> None:
        """The save was refused: say why, stay on the page."""
        self._set_busy(False)
        self.errors.show(error, self.tr_)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.saving.setText(self.tr_("Đang lưu…") if busy else "")
        wizard = self.wizard()
        if wizard is not None:
            for which in (wizard.WizardButton.NextButton, wizard.WizardButton.FinishButton, wizard.WizardButton.BackButton):
                button = wizard.button(which)
                if button is not None:
                    button.setEnabled(not busy)

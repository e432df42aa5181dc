"""Validation errors shown next to the field at fault (``DeskError.field``). UI thread."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QWidget

from desk_app.domain.errors import DeskError
from desk_app.i18n import Translator

ERROR_COLOR = QColor("#b00020")


def error_label() -> QLabel:
    # A palette, not a style sheet: a dozen per-widget style sheets cost tens of ms at start-up.
    label = QLabel()
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, ERROR_COLOR)
    label.setPalette(palette)
    label.setWordWrap(True)
    label.hide()
    return label


class FieldErrors:
    """Maps field names to (input widget, error label); anything unmapped goes to ``general``."""

    def __init__(self, general: QLabel):
        self.general = general
        self._fields: dict[str, tuple[QWidget, QLabel]] = {}

    def add(self, field: str, widget: QWidget, label: QLabel | None = None) -> QLabel:
        label = label or error_label()
        self._fields[field] = (widget, label)
        return label

    def clear(self) -> None:
        self.general.hide()
        self.general.clear()
        for _, label in self._fields.values():
            label.hide()
            label.clear()

    def show(self, error: BaseException, tr: Translator) -> str | None:
        """Show ``error``; focus the field at fault. Returns the field name shown, if any."""
        if isinstance(error, DeskError):
            message = error.translated(tr)
            field = error.field
        else:
            message = tr("Lỗi không mong đợi: {detail}", detail=str(error) or type(error).__name__)
            field = None
        if field in self._fields:
            widget, label = self._fields[field]
            label.setText(message)
            label.show()
            widget.setFocus()
            return field
        self.general.setText(message)
        self.general.show()
        return None

    def message(self, field: str) -> str:
        """The error text shown for ``field`` ('' if none); tests and screen readers use it."""
        entry = self._fields.get(field)
        return entry[1].text() if entry and not entry[1].isHidden() else ""

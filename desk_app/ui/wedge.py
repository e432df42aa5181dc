"""Keyboard-wedge ID-card scanning: a counter 2D scanner types the CCCD QR text and Enter
into whatever field has focus. ``WedgeScanWatcher`` watches every line edit of a form, and on
Enter recognises the payload, removes it from the field it landed in (keeping what the
receptionist had typed before it) and reports the parsed card.

Runs on the UI thread (event filter); parsing is pure and takes microseconds.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QLineEdit, QWidget

from desk_app.domain.cccd import looks_like_cccd, parse_cccd_qr
from desk_app.domain.errors import DeskError

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def split_payload(text: str) -> tuple[str, str] | None:
    """(text typed before the payload, payload) or None when the text holds no ID-card QR.

    The payload starts with the 12-digit ID right before the first '|'. Looking back from the
    '|' (rather than for 12 digits not preceded by a digit) also catches a scan that lands
    after digits already typed in the ID-number field.
    """
    bar = text.find("|")
    if bar < 12 or text.count("|") < 5:
        return None
    start = bar - 12
    if not text[start:bar].isdigit() or not looks_like_cccd(text[start:]):
        return None
    return text[:start], text[start:]


class WedgeScanWatcher(QObject):
    """Install on a form with ``watch(form)``; emits ``scanned(CccdData)`` or
    ``failed(DeskError)`` when a scan ends in one of its line edits."""

    scanned = Signal(object)
    failed = Signal(object)

    def watch(self, root: QWidget) -> None:
        """Watch ``root`` if it is a line edit, and every line edit inside it. Idempotent."""
        edits = root.findChildren(QLineEdit)
        if isinstance(root, QLineEdit):
            edits.append(root)
        for edit in edits:
            if not edit.property("_wedge_watched"):
                edit.setProperty("_wedge_watched", True)
                edit.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.KeyPress and isinstance(obj, QLineEdit) and event.key() in _ENTER_KEYS:
            parts = split_payload(obj.text())
            if parts is not None:
                before, payload = parts
                obj.setText(before)  # the payload never stays in the field it landed in
                try:
                    card = parse_cccd_qr(payload)
                except DeskError as exc:
                    self.failed.emit(exc)
                else:
                    self.scanned.emit(card)
                return True  # the scanner's Enter must not also trigger the form's Enter
        return False

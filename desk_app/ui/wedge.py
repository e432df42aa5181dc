"""Keyboard-wedge ID-card scanning: a counter 2D scanner types the CCCD QR text and Enter
into whatever field has focus. ``WedgeScanWatcher`` watches every line edit of a form, and on
Enter recognises the payload, removes it from the field it landed in (keeping what the
receptionist had typed before it) and reports the parsed card.

Runs on the UI thread (event filter); parsing is pure and takes microseconds.
"""

from __future__ import annotations

from PySide6 import QtCore
from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QLineEdit, QWidget

from desk_app.domain.errors import DeskError


def split_payload(text: str) -> tuple[str, str] | None:
    """(text typed before the payload, payload) or None when the text holds no ID-card QR.

    The payload starts with the 12-digit ID right before the first '|'. Looking back from the
    '|' (rather than for 12 digits not preceded by a digit) also catches a scan that lands
    after digits already typed in the ID-number field.
    """
    bar = text.find("|")
    if bar < 12 or text.count("|") < 5:
        return None
    from desk_app.domain.cccd import looks_like_cccd  # the parser loads with the first scan, not at start-up

    start = bar - 12
    if not text[start:bar].isdigit() or not looks_like_cccd(text[start:]):
        return None
    return text[:start], text[start:]


class WedgeScanWatcher(QObject):
    """Install on a form with ``watch(form)``; emits ``scanned(CccdData)`` or
    ``failed(DeskError)`` when a scan ends in one of its line edits."""

    scanned = Signal(object)
    failed = Signal(object)

    def watch(self, *roots: QWidget) -> None:
        """Watch each root that is a line edit, and every line edit inside the others.
        Idempotent. (Naming the line edits is cheaper at start-up: findChildren wraps every
        internal child widget of a form in a Python object.)"""
        edits = [e for root in roots for e in ([root] if isinstance(root, QLineEdit) else root.findChildren(QLineEdit))]
        for edit in edits:
            if not edit.property("_wedge_watched"):
                edit.setProperty("_wedge_watched", True)
                edit.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        # QtCore.Qt looked up here, not imported: see widgets.set_named.
        if event.type() == QEvent.Type.KeyPress and isinstance(obj, QLineEdit) and event.key() in (
            QtCore.Qt.Key.Key_Return, QtCore.Qt.Key.Key_Enter
        ):
            parts = split_payload(obj.text())
            if parts is not None:
                before, payload = parts
                obj.setText(before)  # the payload never stays in the field it landed in
                from desk_app.domain.cccd import parse_cccd_qr

                try:
                    card = parse_cccd_qr(payload)
                except DeskError as exc:
                    self.failed.emit(exc)
                else:
                    self.scanned.emit(card)
                return True  # the scanner's Enter must not also trigger the form's Enter
        return False

"""Recognising a receipt slip read by the counter scanner, anywhere in the app.

A keyboard-wedge scanner types the barcode (the dossier code) or the tracking QR (a URL with
``mahs=CODE``) followed by Enter, into whatever has focus. ``SlipScanFilter`` is an
application-level event filter: it keeps the characters typed in quick succession (a person
types far slower than a scanner), and on Enter, if they form a slip, it takes the text back
out of the field it landed in, swallows the Enter and emits ``scanned(code)``.
UI thread only; the timing logic (``KeyBurst``) is plain Python.
"""

from __future__ import annotations

import time
from typing import Callable

import shiboken6
from PySide6 import QtCore
from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QWidget

from desk_app.forms.payloads import recognise_slip

# Scanners type a character every 1-15 ms; the fastest typists need ~60 ms.
MAX_GAP_S = 0.045
MIN_LENGTH = 16  # a dossier code is at least 21 characters


class KeyBurst:
    """Characters that arrived with gaps of at most ``max_gap`` seconds."""

    def __init__(self, *, max_gap: float = MAX_GAP_S, clock: Callable[[], float] = time.monotonic):
        self.max_gap = max_gap
        self.clock = clock
        self.text = ""
        self._last = 0.0

    def feed(self, text: str) -> None:
        now = self.clock()
        if not self.text or now - self._last > self.max_gap:
            self.text = ""
        self.text += text
        self._last = now

    def finish(self) -> str | None:
        """On Enter: the dossier code if the burst (typed fast, ending now) is a slip."""
        now = self.clock()
        text, fast = self.text, now - self._last <= self.max_gap
        self.text = ""
        if not fast or len(text) < MIN_LENGTH:
            return None
        return recognise_slip(text)

    def pending(self) -> str:
        return self.text


class SlipScanFilter(QObject):
    scanned = Signal(str)

    def __init__(self, parent: QObject | None = None, *, clock: Callable[[], float] = time.monotonic):
        super().__init__(parent)
        self.burst = KeyBurst(clock=clock)

    def install(self, app: QApplication) -> None:
        """Watch the keyboard anywhere in ``app``. The filter sits on the widget that has
        focus (keys go there first) and moves with it, or on the active window when nothing
        has focus: an application-wide filter would pass every event of every widget through
        Python (~20 ms of start-up alone)."""
        self._watched: QWidget | None = None
        app.focusChanged.connect(self._follow_focus)
        self._follow_focus(None, app.focusWidget())

    def uninstall(self, app: QApplication) -> None:
        app.focusChanged.disconnect(self._follow_focus)
        self._watch(None)

    def _follow_focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        self._watch(new or QApplication.activeWindow())

    def _watch(self, widget: QWidget | None) -> None:
        previous, self._watched = self._watched, widget
        if previous is not None and shiboken6.isValid(previous):
            previous.removeEventFilter(self)
        if widget is not None:
            widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if event.type() != QEvent.Type.KeyPress or not isinstance(obj, QWidget):
            return False
        focus = QApplication.focusWidget()
        # A key event is offered again to each parent when a widget ignores it: count it once.
        if (focus is not None and obj is not focus) or (focus is None and not obj.isWindow()):
            return False
        if event.key() in (QtCore.Qt.Key.Key_Return, QtCore.Qt.Key.Key_Enter):  # see widgets.set_named
            typed = self.burst.pending()
            code = self.burst.finish()
            if code is None:
                return False
            _take_back(focus, typed)
            self.scanned.emit(code)
            return True
        if event.text() and event.text().isprintable():
            self.burst.feed(event.text())
        return False


def _take_back(widget: QWidget | None, typed: str) -> None:
    """Remove the scanned text from the end of the field it was typed into."""
    if isinstance(widget, QLineEdit) and widget.text().endswith(typed):
        widget.setText(widget.text()[: len(widget.text()) - len(typed)])
    elif isinstance(widget, QPlainTextEdit) and widget.toPlainText().endswith(typed):
        widget.setPlainText(widget.toPlainText()[: len(widget.toPlainText()) - len(typed)])

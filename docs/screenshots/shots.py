"""Helpers shared by the make_*.py screenshot scripts in this folder: wait, wait until the window
gets somewhere, type into the focused widget, and save a picture of the screen (or of a widget).

The scripts put this folder on sys.path and ``from shots import ...``. Qt is imported inside the
functions, so a script may import this module before it builds its QApplication.
"""

from __future__ import annotations

from pathlib import Path


def wait(ms: int = 300) -> None:
    """Let Qt run for ``ms`` milliseconds (timers, queued signals, painting)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(condition, timeout_ms: int = 10000, step_ms: int = 20, what: str = "the window") -> None:
    """Run Qt in ``step_ms`` steps until ``condition()`` is true; TimeoutError after
    ``timeout_ms``."""
    waited = 0
    while not condition():
        if waited > timeout_ms:
            raise TimeoutError(f"{what} did not get there in time")
        wait(step_ms)
        waited += step_ms


def type_text(text: str) -> None:
    """Send ``text`` as key presses to the focused widget; "\\n" is Return (as a wedge scanner)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    kinds = (QEvent.Type.KeyPress, QEvent.Type.KeyRelease)
    for ch in text:
        target = QApplication.focusWidget()
        if ch == "\n":
            events = [QKeyEvent(k, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, "\r") for k in kinds]
        else:
            events = [QKeyEvent(k, 0, Qt.KeyboardModifier.NoModifier, ch) for k in kinds]
        for event in events:
            QApplication.sendEvent(target, event)


def grab(path: Path | str, widget=None, settle_ms: int = 0) -> Path:
    """Save a PNG of ``widget`` (as painted, without its frame) or, with no widget, of the whole
    screen (dialogs over their window, as the receptionist sees them), after ``settle_ms``."""
    from PySide6.QtWidgets import QApplication

    if settle_ms:
        wait(settle_ms)
    path = Path(path)
    picture = widget.grab() if widget is not None else QApplication.primaryScreen().grabWindow(0)
    if not picture.save(str(path)):
        raise OSError(f"could not save {path}")
    return path

"""The crash dialog: an uncaught error, in the UI or any background thread, is logged
(services/logs.py) and shown here with "copy details" for the support person.

``install_crash_dialog`` wires ``sys.excepthook`` and ``threading.excepthook``; a crash on a
worker thread reaches the dialog through a queued signal, so the dialog is always built on
the UI thread. What was saved stays saved: every write is one transaction.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QtMsgType, Signal, qInstallMessageHandler
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.i18n import Translator
from desk_app.services.logs import install_excepthooks

qt_log = logging.getLogger("qt")


class CrashDialog(QDialog):
    def __init__(self, tr: Translator, details: str, log_file: Path | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Đã xảy ra lỗi"))
        self.details = details
        layout = QVBoxLayout(self)
        text = tr(
            "Ứng dụng gặp một lỗi không mong đợi. Các hồ sơ đã lưu vẫn an toàn. "
            "Hãy sao chép chi tiết và gửi cho bộ phận hỗ trợ."
        )
        if log_file is not None:
            text += "\n" + tr("Nhật ký: {path}", path=str(log_file))
        message = QLabel(text)
        message.setWordWrap(True)
        layout.addWidget(message)
        self.text = QPlainTextEdit(details)
        self.text.setReadOnly(True)
        self.text.setMinimumSize(620, 240)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox()
        self.copy_button = QPushButton(tr("Sao chép chi tiết"))
        self.copy_button.clicked.connect(self.copy_details)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(tr("Đóng"), QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.reject)
        layout.addWidget(buttons)
        close.setDefault(True)

    def copy_details(self) -> None:
        QApplication.clipboard().setText(self.details)


class CrashReporter(QObject):
    """Receives crash details from any thread; shows them on the UI thread, one at a time."""

    crashed = Signal(str)
    restore_hooks: Callable[[], None]  # set by install_crash_dialog

    def __init__(self, tr: Translator, log_file: Path | None, parent_widget: QWidget | None = None):
        super().__init__()
        self.tr_ = tr
        self.log_file = log_file
        self.parent_widget = parent_widget
        self.dialog: CrashDialog | None = None
        self.crashed.connect(self.show)

    def show(self, details: str) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.text.appendPlainText("\n" + details)  # a burst of errors: one dialog
            self.dialog.details += "\n" + details
            return
        self.dialog = CrashDialog(self.tr_, details, self.log_file, self.parent_widget)
        self.dialog.open()


def install_crash_dialog(tr: Translator, log_file: Path | None, parent_widget: QWidget | None = None) -> CrashReporter:
    """Route uncaught exceptions of every thread to the log and the crash dialog, and Qt's own
    warnings (a printer or plugin complaining) to the log. Keep the returned reporter alive."""
    reporter = CrashReporter(tr, log_file, parent_widget)
    restore_hooks = install_excepthooks(reporter.crashed.emit)
    previous = qInstallMessageHandler(_qt_message)

    def restore() -> None:
        restore_hooks()
        qInstallMessageHandler(previous)

    reporter.restore_hooks = restore
    return reporter


_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message(kind, _context, message: str) -> None:
    qt_log.log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)
    sys.stderr.write(message + "\n")  # as Qt's default handler does

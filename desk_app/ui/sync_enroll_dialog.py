"""Enrolling this desk with the provincial server from the app: the server address and the
one-time code the province gave, exchanged by the same service call as ``desk enroll``.

UI thread only. The exchange itself (network + the desk's database) runs wherever the
``submit`` callable sends it — the sync loop runs it on the runner's I/O pool — and the
answer comes back here through ``on_done`` / ``on_error`` on the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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

from desk_app.i18n import N_, Translator

# submit(server_url, code, on_done(meta), on_error(exc)): must not block the UI thread.
Submit = Callable[[str, str, Callable[[dict], None], Callable[[BaseException], None]], None]

NEED_SERVER = N_("Hãy nhập địa chỉ máy chủ tỉnh (ví dụ https://dongbo.tinh.gov.vn).")
NEED_CODE = N_("Hãy nhập mã đăng ký một lần do tỉnh cấp.")


class SyncEnrollDialog(QDialog):
    """Server address + one-time code → this desk's credential. Emits ``enrolled(meta)``
    and closes on success; on failure says why (translated) and keeps what was typed."""

    enrolled = Signal(dict)

    def __init__(self, submit: Submit, tr: Translator, parent: QWidget | None = None, *, server_url: str = ""):
        super().__init__(parent)
        self.submit = submit
        self.tr_ = tr
        self.busy = False
        self._error: tuple[str, dict[str, Any]] | BaseException | None = None
        self.resize(520, 0)
        layout = QVBoxLayout(self)
        self.intro = QLabel()
        self.intro.setObjectName("enrollIntro")
        self.intro.setWordWrap(True)
        self.server_edit = QLineEdit(server_url)
        self.server_edit.setObjectName("enrollServer")
        self.server_edit.setPlaceholderText("https://dongbo.tinh.gov.vn")
        self.code_edit = QLineEdit()
        self.code_edit.setObjectName("enrollCode")
        self.code_edit.setPlaceholderText("ABCD-EFGH-JKLM-NPQR")
        form = QFormLayout()
        self.server_caption = QLabel()
        self.code_caption = QLabel()
        form.addRow(self.server_caption, self.server_edit)
        form.addRow(self.code_caption, self.code_edit)
        self.error_label = QLabel()
        self.error_label.setObjectName("enrollError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020")
        self.error_label.hide()
        self.busy_label = QLabel()
        self.busy_label.setObjectName("enrollBusy")
        self.busy_label.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        for widget in (self.error_label, self.busy_label, self.buttons):
            layout.addWidget(widget)
        self.retranslate(tr)
        (self.code_edit if server_url else self.server_edit).setFocus()

    def retranslate(self, tr: Translator) -> None:
        self.tr_ = tr
        self.setWindowTitle(tr("Đăng ký đồng bộ với máy chủ tỉnh"))
        self.intro.setText(tr(
            "Nhập địa chỉ máy chủ đồng bộ của tỉnh và mã đăng ký một lần mà quản trị viên tỉnh "
            "cấp cho đơn vị và số bàn này. Mã chỉ dùng được một lần."
        ))
        self.server_caption.setText(tr("Địa chỉ máy chủ:"))
        self.code_caption.setText(tr("Mã đăng ký:"))
        self.ok_button.setText(tr("Đăng ký"))
        self.cancel_button.setText(tr("Hủy"))
        self.busy_label.setText(tr("Đang đăng ký với máy chủ tỉnh…"))
        self._paint_error()

    # --- actions (UI thread) -----------------------------------------------------------------
    def start(self) -> None:
        """Check the fields here, then hand the exchange to ``submit`` (off the UI thread)."""
        if self.busy:
            return
        server, code = self.server_edit.text().strip(), self.code_edit.text().strip()
        if not server:
            return self._show_error((NEED_SERVER, {}), self.server_edit)
        if not code:
            return self._show_error((NEED_CODE, {}), self.code_edit)
        self._set_busy(True)
        self._show_error(None)
        self.submit(server, code, self._done, self._failed)

    def _done(self, meta: dict) -> None:
        self._set_busy(False)
        self.enrolled.emit(dict(meta))
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        field = getattr(exc, "field", None)
        self._show_error(exc, self.code_edit if field == "code" else (self.server_edit if field == "server" else None))

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in (self.server_edit, self.code_edit, self.ok_button):
            widget.setEnabled(not busy)
        self.busy_label.setVisible(busy)

    def _show_error(self, error, focus: QLineEdit | None = None) -> None:
        self._error = error
        self._paint_error()
        if focus is not None:
            focus.setFocus()
            focus.selectAll()

    def _paint_error(self) -> None:
        """The error in the current language (kept untranslated so a language switch
        repaints it)."""
        from desk_app.domain.errors import DeskError

        error, tr = self._error, self.tr_
        if error is None:
            self.error_label.hide()
            return
        if isinstance(error, tuple):
            text = tr(error[0], **error[1])
        elif isinstance(error, DeskError):
            text = error.translated(tr)
        else:  # a bug or an OS error: say so plainly rather than nothing
            text = tr("Không đăng ký được: {detail}", detail=str(error) or type(error).__name__)
        self.error_label.setText(text)
        self.error_label.show()

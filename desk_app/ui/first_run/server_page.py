"""Wizard page 5: the provincial sync server and the one-time enrollment code (skippable:
leave both empty and press Next; enrol later from the status bar or with ``desk enroll``).

The exchange is ``SyncService.enroll``, the same call as ``desk enroll``; it runs on the DB
thread (network calls bounded by the client's timeouts; nothing else uses the database during
the first run). Errors are shown in words next to the field at fault. UI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLineEdit

from desk_app.domain.errors import ValidationError
from desk_app.i18n import Translator
from desk_app.ui.first_run.step import StepPage
from desk_app.ui.sync_enroll_dialog import NEED_CODE, NEED_SERVER
from desk_app.ui.tasks import TaskRunner

if TYPE_CHECKING:  # the composition root (and the store under it) loads with the services
    from desk_app.services.context import DeskServices


def enroll_step(services: DeskServices, server_url: str, code: str) -> dict:
    """DB thread: exchange the code for this desk's credential."""
    return services.sync.enroll(server_url, code)


class ServerPage(StepPage):
    def __init__(self, runner: TaskRunner, tr: Translator, state: dict):
        super().__init__(runner, tr, state)
        self.setTitle(tr("Máy chủ đồng bộ của tỉnh"))
        self.setSubTitle(tr("Nhập địa chỉ máy chủ của tỉnh và mã đăng ký một lần do quản trị viên tỉnh cấp cho "
                            "đơn vị và số bàn này. Chưa có mã: để trống cả hai ô và nhấn Tiếp; bàn vẫn làm việc "
                            "không cần mạng và đăng ký sau được (nút \"Đăng ký đồng bộ…\" ở thanh trạng thái)."))
        self.server = QLineEdit()
        self.server.setPlaceholderText("https://dongbo.tinh.gov.vn")
        self.code = QLineEdit()
        self.code.setPlaceholderText("ABCD-EFGH-JKLM-NPQR")
        self.add_form([
            ("server", tr("Địa chỉ &máy chủ"), self.server),
            ("code", tr("Mã đăng &ký"), self.code),
        ])
        self.finish_layout()
        self.enrolled: dict | None = None

    def initializePage(self) -> None:
        self.server.setFocus()

    def save(self, done) -> bool:
        server, code = self.server.text().strip(), self.code.text().strip()
        if self.enrolled and self.enrolled.get("server_url") == server.rstrip("/"):
            return False  # enrolled already (Back, then Next again)
        if not server and not code:
            self.state["server"] = ""
            return False  # skipped
        if not server or not code:
            raise ValidationError(NEED_SERVER, field="server") if not server else ValidationError(NEED_CODE, field="code")
        self.status.setText(self.tr_("Đang đăng ký với máy chủ tỉnh…"))

        def enrolled(meta: dict) -> None:
            self.enrolled = meta
            self.state["server"] = meta["server_url"]
            self.status.setText(self.tr_("Đã đăng ký: bàn {desk} của {unit} với máy chủ {server}.", desk=meta["desk"],
                                         unit=meta["unit_code"], server=meta["server_url"]))
            done(meta)

        def failed(error: BaseException) -> None:
            self.status.clear()
            self.failed(error)

        self.runner.db(enroll_step, server, code, on_done=enrolled, on_error=failed)
        return True

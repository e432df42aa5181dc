"""The audit trail for supervisors: newest first, filtered by dossier code, account,
action and period, with the chain check of ``desk verify`` one click away. Reads run on the DB
thread. UI thread."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.formats import QT_DATE
from desk_app.i18n import N_, Translator
from desk_app.ui.accounts.lock import error_text
from desk_app.ui.tasks import TaskRunner

if TYPE_CHECKING:  # the composition root (and the store under it) loads with the services
    from desk_app.services.context import DeskServices

LIMIT = 2000
ACTION_LABELS = {
    "dossier.create": N_("Tiếp nhận hồ sơ"),
    "dossier.edit": N_("Sửa hồ sơ"),
    "dossier.status": N_("Đổi trạng thái"),
    "dossier.open": N_("Mở xem hồ sơ"),
    "dossier.print": N_("In phiếu"),
    "dossier.pages": N_("Số hóa trang"),
    "dossier.export": N_("Xuất PDF hồ sơ"),
    "book.export": N_("Xuất sổ theo dõi"),
    "report.export": N_("Xuất báo cáo"),
    "account.add": N_("Thêm tài khoản"),
    "account.disable": N_("Khóa tài khoản"),
    "account.reset_password": N_("Đặt lại mật khẩu"),
    "auth.failed": N_("Đăng nhập sai"),
    "auth.login": N_("Đăng nhập"),
    "auth.logout": N_("Đăng xuất, khóa màn hình"),
}


def load_entries(services: DeskServices, filters: dict) -> list[dict]:
    return services.audit.entries(**filters, limit=LIMIT, newest_first=True)


def check_chain(services: DeskServices) -> list[dict]:
    services.require("audit.view")
    return services.audit.problems()


def _text(value) -> str:
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if not isinstance(value, str) else value


class AuditPage(QWidget):
    def __init__(self, runner: TaskRunner, tr: Translator, window=None):
        super().__init__()
        self.runner = runner
        self._tr = tr
        self.code = QLineEdit(placeholderText=tr("Mã hồ sơ"))
        self.user = QLineEdit(placeholderText=tr("Tài khoản"))
        self.action = QLineEdit(placeholderText=tr("Hành động, ví dụ dossier.open"))
        today = date.today()
        start = today - timedelta(days=6)
        self.date_from = QDateEdit(QDate(start.year, start.month, start.day))
        self.date_to = QDateEdit(QDate(today.year, today.month, today.day))
        for date_edit in (self.date_from, self.date_to):
            date_edit.setCalendarPopup(True)
            date_edit.setDisplayFormat(QT_DATE)
        self.use_period = QCheckBox(tr("Từ"))  # off: the newest entries, whatever their date
        search = QPushButton(tr("Lọc"))
        search.clicked.connect(self.refresh)
        for edit in (self.code, self.user, self.action):
            edit.returnPressed.connect(self.refresh)
        verify = QPushButton(tr("Kiểm tra chuỗi"))
        verify.clicked.connect(self.verify)
        bar = QHBoxLayout()
        for widget in (self.code, self.user, self.action, self.use_period, self.date_from, QLabel(tr("Đến")),
                       self.date_to, search):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(verify)
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels([tr("Thời điểm"), tr("Tài khoản"), tr("Hành động"), tr("Mã hồ sơ"),
                                              tr("Trước"), tr("Sau")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((150, 100, 150, 210, 230)):
            self.table.setColumnWidth(column, width)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)

    def activate(self) -> None:
        self.refresh()

    def filters(self) -> dict:
        def day(edit: QDateEdit) -> date:
            value = edit.date()
            return date(value.year(), value.month(), value.day())

        return {
            "code": self.code.text().strip() or None,
            "user": self.user.text().strip() or None,
            "action": self.action.text().strip() or None,
            "date_from": day(self.date_from) if self.use_period.isChecked() else None,
            "date_to": day(self.date_to) if self.use_period.isChecked() else None,
        }

    def refresh(self) -> None:
        self.message.setText(self._tr("Đang tải…"))
        self.runner.db(load_entries, self.filters(), on_done=self.show_entries, on_error=self._failed)

    def show_entries(self, entries: list[dict]) -> None:
        self.table.setRowCount(len(entries))
        for i, entry in enumerate(entries):
            action = ACTION_LABELS.get(entry["action"])
            values = (entry["at"].replace("T", " ")[:19], entry["user"], self._tr(action) if action else entry["action"],
                      entry["code"],
                      _text(entry["before"]), _text(entry["after"]))
            for j, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(i, j, item)
        text = self._tr("{n} mục.", n=len(entries))
        if len(entries) >= LIMIT:
            text += " " + self._tr("Chỉ hiện {n} mục mới nhất: hãy lọc hẹp hơn.", n=LIMIT)
        self.message.setText(text)

    def verify(self) -> None:
        self.runner.db(check_chain, on_done=self._verified, on_error=self._failed)

    def _verified(self, problems: list[dict]) -> None:
        if not problems:
            self.message.setText(self._tr("Chuỗi nhật ký toàn vẹn: không mục nào bị sửa, xóa hay đảo thứ tự."))
        else:
            self.message.setText(self._tr("Chuỗi nhật ký bị phá ở {n} chỗ, từ mục số {first}.", n=len(problems),
                                          first=problems[0]["id"]))

    def _failed(self, error: BaseException) -> None:
        self.message.setText(error_text(error, self._tr))

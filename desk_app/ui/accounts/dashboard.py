"""The supervisor's dashboard for a chosen period: the report's counts, on-time rate,
digitised share, per procedure and per receptionist, charts per day and by status; printing
the A4 PDF and exporting .xlsx. The figures come from ReportService on the DB thread. UI thread."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.dossier import STATUS_LABELS
from desk_app.domain.formats import QT_DATE, file_day
from desk_app.i18n import N_, Translator
from desk_app.services.report_files import LABELS
from desk_app.ui.accounts.charts import BarChart
from desk_app.ui.accounts.lock import error_text
from desk_app.ui.changes import ChangeFollower
from desk_app.ui.ops import LatestAnswer
from desk_app.ui.tables import fill_table
from desk_app.ui.tasks import TaskRunner

if TYPE_CHECKING:  # the composition root (and the store under it) loads with the services
    from desk_app.services.context import DeskServices

PRESETS = (("30", N_("30 ngày qua")), ("month", N_("Tháng này")), ("last_month", N_("Tháng trước")), ("custom", N_("Tùy chọn")))
TILES = ("received", "processed_on_time", "processed_late", "returned_to_citizen", "refused", "digitised", "unsynced")


def load_report(services: DeskServices, date_from: date, date_to: date) -> dict:
    return services.reports.report(date_from, date_to)


def export_report(services: DeskServices, date_from: date, date_to: date, path: str) -> dict:
    from pathlib import Path

    target = Path(path)
    kind = "pdf" if target.suffix.lower() == ".pdf" else "xlsx"
    return services.reports.export(date_from, date_to, tr=services.tr, **{kind: target})


def preset_period(key: str, today: date) -> tuple[date, date]:
    if key == "month":
        return today.replace(day=1), today
    if key == "last_month":
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    return today - timedelta(days=29), today


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class DashboardPage(QWidget):
    def __init__(self, runner: TaskRunner, tr: Translator, window=None):
        super().__init__()
        self.runner = runner
        self._tr = tr
        self.report: dict | None = None
        self.latest = LatestAnswer()  # an answer for an older period is not shown
        ChangeFollower(self, runner.changes, self.refresh)  # a hidden page re-reads when shown
        self.preset = QComboBox()
        for key, title in PRESETS:
            self.preset.addItem(tr(title), key)
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for date_edit in (self.date_from, self.date_to):
            date_edit.setCalendarPopup(True)
            date_edit.setDisplayFormat(QT_DATE)
        show = QPushButton(tr("Xem"))
        show.clicked.connect(self.refresh)
        pdf = QPushButton(tr("In báo cáo (PDF)…"))
        pdf.clicked.connect(lambda: self.export("pdf"))
        xlsx = QPushButton(tr("Xuất Excel…"))
        xlsx.clicked.connect(lambda: self.export("xlsx"))
        bar = QHBoxLayout()
        for widget in (QLabel(tr("Kỳ")), self.preset, QLabel(tr("Từ")), self.date_from, QLabel(tr("Đến")), self.date_to, show):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(pdf)
        bar.addWidget(xlsx)
        self.tiles: dict[str, QLabel] = {}
        grid = QGridLayout()
        names = [*TILES, "on_time_rate", "digitised_share"]
        titles = {**LABELS, "on_time_rate": N_("Tỷ lệ đúng hạn"), "digitised_share": N_("Tỷ lệ số hóa")}
        for i, key in enumerate(names):
            box = QLabel()
            box.setStyleSheet("QLabel { background: #f3f6fa; border: 1px solid #d5dde8; border-radius: 4px; padding: 4px; }")
            box.setProperty("title", tr(titles[key]))
            self.tiles[key] = box
            grid.addWidget(box, i // 5, i % 5)
        self.by_day = BarChart(tr("Theo ngày"))
        self.by_status = BarChart(tr("Theo trạng thái (hồ sơ nhận trong kỳ)"))
        charts = QHBoxLayout()
        charts.addWidget(self.by_day, 3)
        charts.addWidget(self.by_status, 2)
        self.procedures = self._table([tr("Thủ tục"), tr("Tiếp nhận"), tr("Đúng hạn"), tr("Quá hạn"), tr("Số hóa")])
        self.people = self._table([tr("Cán bộ"), tr("Tiếp nhận"), tr("Đúng hạn"), tr("Quá hạn"), tr("Số hóa")])
        self.people.setColumnWidth(0, 170)
        tables = QHBoxLayout()
        tables.addWidget(self.procedures, 3)
        tables.addWidget(self.people, 2)
        self.message = QLabel("")
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(grid)
        layout.addLayout(charts, 3)
        layout.addLayout(tables, 2)
        layout.addWidget(self.message)
        self.preset.currentIndexChanged.connect(self._preset_changed)
        self._preset_changed()

    def _table(self, headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setStretchLastSection(False)
        table.setColumnWidth(0, 300)
        for column in range(1, len(headers)):
            table.setColumnWidth(column, 80)
        return table

    def _preset_changed(self) -> None:
        key = self.preset.currentData()
        custom = key == "custom"
        self.date_from.setEnabled(custom)
        self.date_to.setEnabled(custom)
        if not custom:
            start, end = preset_period(key, date.today())
            self.date_from.setDate(_qdate(start))
            self.date_to.setDate(_qdate(end))
            self.refresh()

    def activate(self) -> None:
        self.refresh()

    def period(self) -> tuple[date, date]:
        return _pydate(self.date_from.date()), _pydate(self.date_to.date())

    def refresh(self) -> None:
        self.message.setText(self._tr("Đang tính…"))
        self.runner.db(load_report, *self.period(), on_done=self.latest.callback(self.show_report), on_error=self._failed)

    def show_report(self, report: dict) -> None:
        tr = self._tr
        self.report = report
        self.message.setText("")
        for key, box in self.tiles.items():
            value = report[key]
            if key in ("on_time_rate", "digitised_share"):
                value = "—" if value is None else f"{value * 100:.1f}%"
            box.setText(f"<span style='color:#555'>{box.property('title')}</span><br><b style='font-size:16pt'>{value}</b>")
        days = report["by_day"]
        self.by_day.set_data(
            [d["date"][8:10] + "/" + d["date"][5:7] for d in days],
            [(tr("Tiếp nhận"), [d["received"] for d in days]),
             (tr("Giải quyết"), [d["processed_on_time"] + d["processed_late"] for d in days]),
             (tr("Trả kết quả"), [d["returned_to_citizen"] for d in days])],
        )
        statuses = list(report["by_status"])
        self.by_status.set_data([tr(STATUS_LABELS.get(s, s)) for s in statuses],
                                [(tr("Số hồ sơ"), [report["by_status"][s] for s in statuses])])
        self._fill(self.procedures, [(p["name"], p) for p in report["by_procedure"]])
        self._fill(self.people, [(p["name"] or "—", p) for p in report["by_receptionist"]])

    def _fill(self, table: QTableWidget, rows: list[tuple[str, dict]]) -> None:
        fill_table(table, [[name, *(str(counts[k]) for k in ("received", "processed_on_time", "processed_late", "digitised"))]
                           for name, counts in rows])

    def export(self, kind: str) -> None:
        tr = self._tr
        start, end = self.period()
        suggested = f"bao-cao-{file_day(start)}-{file_day(end)}.{kind}"
        filters = tr("Tệp PDF (*.pdf)") if kind == "pdf" else tr("Tệp Excel (*.xlsx)")
        path, _ = QFileDialog.getSaveFileName(self, tr("Lưu báo cáo"), suggested, filters)
        if path:
            if not path.lower().endswith("." + kind):
                path += "." + kind
            self.runner.db(export_report, start, end, path,
                           on_done=lambda r: self.message.setText(tr("Đã lưu {path}.", path=path)), on_error=self._failed)

    def _failed(self, error: BaseException) -> None:
        self.message.setText(error_text(error, self._tr))

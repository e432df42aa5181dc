"""The supervisor's period report and dashboard figures.

Definitions (docs/permissions.md, "Report"), each by the event's local date, period inclusive:
received = dossiers received; processed_on_time / processed_late = dossiers that reached
result_ready at/before vs after their appointment; returned_to_citizen = set to returned;
refused = set to refused; digitised = received in the period with at least one stored page;
unsynced = received in the period and not yet confirmed by the province.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from desk_app.domain.errors import ValidationError
from desk_app.domain.permissions import EXPORT, REPORT
from desk_app.i18n import Translator
from desk_app.services.audit import AuditService
from desk_app.services.session import Guard
from desk_app.store.report_store import ReportStore

MAX_DAYS = 3 * 366
COUNTS = ("received", "processed_on_time", "processed_late", "returned_to_citizen", "refused", "digitised", "unsynced")


def _zero() -> dict[str, int]:
    return dict.fromkeys(COUNTS, 0)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def check_period(date_from: date, date_to: date) -> None:
    if date_to < date_from:
        raise ValidationError("Ngày kết thúc phải sau ngày bắt đầu.", field="to")
    if (date_to - date_from).days >= MAX_DAYS:
        raise ValidationError("Kỳ báo cáo dài tối đa {days} ngày.", field="to", days=MAX_DAYS)


def build_report(daily: dict[str, list[tuple[Any, ...]]], names: dict[str, str], date_from: date, date_to: date) -> dict[str, Any]:
    """``ReportStore.daily``'s sums into the report's JSON: totals, and per procedure, person,
    day and status."""
    total = _zero()
    by_status: dict[str, int] = {}
    for figure, n in daily["total"]:
        if figure.startswith("status:"):
            if n:
                by_status[figure[7:]] = n
        else:
            total[figure] = n
    tables: dict[str, dict[str, dict[str, int]]] = {}
    for name in ("procedure", "person", "day"):
        table: dict[str, dict[str, int]] = defaultdict(_zero)
        for key, figure, n in daily[name]:
            table[key or ""][figure] = n
        tables[name] = table
    days = tables["day"]
    processed = total["processed_on_time"] + total["processed_late"]
    by_procedure = [{"code": code, "name": names.get(code, code), **counts} for code, counts in tables["procedure"].items()]
    return {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        **total,
        "processed": processed,
        "on_time_rate": _rate(total["processed_on_time"], processed),
        "digitised_share": _rate(total["digitised"], total["received"]),
        "by_procedure": sorted(by_procedure, key=lambda p: (-p["received"], p["code"])),
        "by_receptionist": [
            {"name": name, **counts}
            for name, counts in sorted(tables["person"].items(), key=lambda kv: (-kv[1]["received"], kv[0]))
        ],
        "by_day": [
            {"date": day.isoformat(), **days.get(day.isoformat(), _zero())}
            for day in (date_from + timedelta(days=i) for i in range((date_to - date_from).days + 1))
        ],
        "by_status": dict(sorted(by_status.items())),
    }


class ReportService:
    def __init__(
        self, store: ReportStore, guard: Guard, audit: AuditService, unit_name: Callable[[], str] = lambda: ""
    ):
        self.store = store
        self.guard = guard
        self.audit = audit
        self.unit_name = unit_name

    def report(self, date_from: date, date_to: date) -> dict[str, Any]:
        self.guard.require(REPORT)
        check_period(date_from, date_to)
        daily = self.store.daily(date_from, date_to)
        names = self.store.procedure_names({row[0] for row in daily["procedure"]})
        return build_report(daily, names, date_from, date_to)

    def export(
        self,
        date_from: date,
        date_to: date,
        *,
        xlsx: Path | None = None,
        pdf: Path | None = None,
        tr: Translator | None = None,
    ) -> dict[str, Any]:
        """The report, also written as .xlsx and/or an A4 PDF (staff names: an export)."""
        report = self.report(date_from, date_to)
        if not (xlsx or pdf):
            return report
        self.guard.require(EXPORT)
        from desk_app.services import report_files

        files = {}
        if xlsx:
            files["xlsx"] = report_files.write_xlsx(report, Path(xlsx), tr=tr, unit_name=self.unit_name())
        if pdf:
            files["pdf"] = report_files.write_pdf(report, Path(pdf), tr=tr, unit_name=self.unit_name())
        self.audit.record("report.export", after={"from": report["from"], "to": report["to"], **files})
        return {**report, "files": files}

"""The supervisor's period report and dashboard figures (issue 11).

Definitions (docs/permissions.md, "Report"), each by the event's local date, period inclusive:
received = dossiers received; processed_on_time / processed_late = dossiers that reached
result_ready at/before vs after their appointment; returned_to_citizen = set to returned;
refused = set to refused; digitised = received in the period with at least one stored page;
unsynced = received in the period and not yet confirmed by the province.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from desk_app.domain.errors import ValidationError
from desk_app.domain.permissions import EXPORT, REPORT
from desk_app.services.audit import AuditService
from desk_app.services.session import Guard
from desk_app.store.report_store import ReportStore

MAX_DAYS = 3 * 366
COUNTS = ("received", "processed_on_time", "processed_late", "returned_to_citizen", "refused", "digitised", "unsynced")
_EVENT_KEYS = {"returned": "returned_to_citizen", "refused": "refused"}


def _zero() -> dict[str, int]:
    return dict.fromkeys(COUNTS, 0)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _add_received(target: dict[str, int], row: dict[str, Any]) -> None:
    for key in ("received", "digitised", "unsynced"):
        target[key] += row[key] or 0


def _add_event(target: dict[str, int], row: dict[str, Any]) -> None:
    if row["status"] == "result_ready":
        target["processed_on_time"] += row["on_time"]
        target["processed_late"] += row["n"] - row["on_time"]
    else:
        target[_EVENT_KEYS[row["status"]]] += row["n"]


def check_period(date_from: date, date_to: date) -> None:
    if date_to < date_from:
        raise ValidationError("Ngày kết thúc phải sau ngày bắt đầu.", field="to")
    if (date_to - date_from).days >= MAX_DAYS:
        raise ValidationError("Kỳ báo cáo dài tối đa {days} ngày.", field="to", days=MAX_DAYS)


def build_report(received: list[dict[str, Any]], events: list[dict[str, Any]], date_from: date, date_to: date) -> dict[str, Any]:
    """The grouped rows of ``ReportStore`` folded into the report's JSON."""
    total = _zero()
    procedures: dict[str, dict[str, Any]] = {}
    people: dict[str, dict[str, int]] = defaultdict(_zero)
    days = {(date_from + timedelta(days=i)).isoformat(): _zero() for i in range((date_to - date_from).days + 1)}
    by_status: dict[str, int] = defaultdict(int)

    def procedure(row):
        return procedures.setdefault(row["procedure_code"], {"code": row["procedure_code"], "name": row["procedure_name"], **_zero()})

    for row in received:
        for target in (total, procedure(row), people[row["received_by"] or ""], days.setdefault(row["day"], _zero())):
            _add_received(target, row)
        by_status[row["status"]] += row["received"]
    for row in events:
        for target in (total, procedure(row), people[row["actor"] or ""], days.setdefault(row["day"], _zero())):
            _add_event(target, row)
    processed = total["processed_on_time"] + total["processed_late"]
    return {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        **total,
        "processed": processed,
        "on_time_rate": _rate(total["processed_on_time"], processed),
        "digitised_share": _rate(total["digitised"], total["received"]),
        "by_procedure": sorted(procedures.values(), key=lambda p: (-p["received"], p["code"])),
        "by_receptionist": [{"name": name, **counts} for name, counts in sorted(people.items(), key=lambda kv: (-kv[1]["received"], kv[0]))],
        "by_day": [{"date": day, **counts} for day, counts in sorted(days.items())],
        "by_status": dict(sorted(by_status.items())),
    }


class ReportService:
    def __init__(self, store: ReportStore, guard: Guard, audit: AuditService, unit_name=lambda: ""):
        self.store = store
        self.guard = guard
        self.audit = audit
        self.unit_name = unit_name

    def report(self, date_from: date, date_to: date) -> dict[str, Any]:
        self.guard.require(REPORT)
        check_period(date_from, date_to)
        return build_report(
            self.store.received_groups(date_from, date_to), self.store.event_groups(date_from, date_to), date_from, date_to
        )

    def export(self, date_from: date, date_to: date, *, xlsx: Path | None = None, pdf: Path | None = None, tr=None) -> dict[str, Any]:
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

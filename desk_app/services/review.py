"""The supervisor's review queue and bulk status changes.

Views: due today, due within 2 working days, overdue (result-ready ones excluded: they wait
for the citizen), supplement requested, refused, unsynced or quarantined; filters by receiver,
procedure and period. A bulk change needs ``dossier.reassign`` and, per dossier, the status's
own permission; each dossier changes (and is audited) on its own, so one that moved meanwhile
is reported and the others still change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from desk_app.domain.calendar import VN_TZ, WorkCalendar
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.permissions import REASSIGN, VIEW
from desk_app.i18n import N_
from desk_app.services.session import Guard
from desk_app.store.review_store import ReviewFilter, ReviewStore

if TYPE_CHECKING:
    from desk_app.services.queue import QueueService

REVIEW_VIEWS: dict[str, str] = {
    "due_today": N_("Đến hạn hôm nay"),
    "due_soon": N_("Đến hạn trong 2 ngày làm việc"),
    "overdue": N_("Quá hạn"),
    "supplement": N_("Yêu cầu bổ sung"),
    "refused": N_("Từ chối"),
    "unsynced": N_("Chưa đồng bộ / bị giữ lại"),
}
MAX_BULK = 500


class ReviewService:
    def __init__(
        self,
        store: ReviewStore,
        guard: Guard,
        clock: Callable[[], datetime],
        calendar: Callable[[], WorkCalendar],
        queue: QueueService,
    ):
        """``calendar``: a function giving the desk's WorkCalendar; ``queue``: the guarded
        QueueService (each change checked and audited like a single one)."""
        self.store = store
        self.guard = guard
        self.clock = clock
        self.calendar = calendar
        self.queue = queue

    def make_filter(
        self,
        view: str,
        *,
        received_by: str = "",
        procedure_code: str = "",
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> ReviewFilter:
        if view not in REVIEW_VIEWS:
            raise ValidationError("Bộ lọc không hợp lệ: {value}.", field="view", value=view)
        now = self.clock().astimezone(VN_TZ)
        soon = self.calendar().add_working_days(now.date(), 2)

        def end_of(day: date) -> int:
            return int(datetime.combine(day, time(23, 59, 59), VN_TZ).timestamp())

        def start_of(day: date) -> int:
            return int(datetime.combine(day, time(0, 0), VN_TZ).timestamp())

        return ReviewFilter(
            view=view,
            now_ts=int(now.timestamp()),
            today_end_ts=end_of(now.date()),
            soon_end_ts=end_of(soon),
            received_by=received_by,
            procedure_code=procedure_code,
            from_ts=start_of(date_from) if date_from else None,
            to_ts=start_of(date_to + timedelta(days=1)) if date_to else None,
        )

    def rows(self, view: str, **filters: Any) -> list[dict[str, Any]]:
        self.guard.require(VIEW)
        return self.store.rows(self.make_filter(view, **filters))

    def counts(self) -> dict[str, int]:
        """How many dossiers each view holds (the login greeting and the status bar)."""
        self.guard.require(VIEW)
        return {view: self.store.count(self.make_filter(view)) for view in REVIEW_VIEWS}

    def receivers(self) -> list[str]:
        self.guard.require(VIEW)
        return self.store.receivers()

    def bulk_status(self, codes: list[str], status: str, *, note: str = "") -> dict[str, Any]:
        self.guard.require(REASSIGN)
        if not codes:
            raise ValidationError("Chưa chọn hồ sơ nào.", field="codes")
        if len(codes) > MAX_BULK:
            raise ValidationError("Chỉ đổi tối đa {n} hồ sơ một lần.", field="codes", n=MAX_BULK)
        done, failed = [], []
        for code in codes:
            try:
                self.queue.set_status(code, status, note=note)
                done.append(code)
            except DeskError as exc:
                failed.append({"code": code, "error": exc})
        return {"done": done, "failed": failed}

"""Reading the local queue (search, filters, one dossier) and recording status changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from desk_app.domain.calendar import VN_TZ, WorkCalendar
from desk_app.domain.corrections import parse_collector
from desk_app.domain.dossier import STATUS_LABELS, check_transition
from desk_app.domain.errors import ValidationError
from desk_app.domain.lateness import LatenessCounter
from desk_app.domain.text import normalize_spaces
from desk_app.services.actor import ActorSource, as_actor_source
from desk_app.services.dossier_view import DossierView, dossier_view
from desk_app.store.desk_store import DeskStore
from desk_app.store.ocr_store import OcrStore
from desk_app.store.queue_plan import QueueFilter
from desk_app.store.search_index import fts_query

VIEWS = ("all", "open", "due", "overdue", "returned", "unsynced")


def list_item(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": row["code"],
        "applicant_name": row["applicant_name"],
        "id_number": row["applicant_id_number"],
        "phone": row["phone"],
        "procedure_name": row["procedure_name"],
        "received_at": row["received_at"],
        "appointment_at": row["appointment_at"],
        "status": row["status"],
        "synced": row["synced_at"] is not None,
    }


class QueueService:
    def __init__(
        self,
        store: DeskStore,
        clock: Callable[[], datetime],
        actor: str | ActorSource = "",
        calendar: Callable[[], WorkCalendar] | None = None,
    ):
        self.store = store
        self.clock = clock
        self._actor = as_actor_source(actor)
        self.page_texts = OcrStore(store.db)  # which search hits matched in their pages' words
        self._calendar = calendar or WorkCalendar

    def lateness(self) -> LatenessCounter:
        """Working days late, by the desk's calendar, against the clock now."""
        return LatenessCounter(self._calendar(), self.clock())

    def _with_lateness(self, view: DossierView) -> DossierView:
        return view.with_lateness(self.lateness().days_late(view.status, view.appointment_at))

    @property
    def actor(self) -> str:
        """Who acts, read at each write (the officer set in the settings, else the login)."""
        return self._actor()

    def make_filter(
        self,
        *,
        text: str = "",
        status: str | None = None,
        view: str = "all",
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> QueueFilter:
        if status and status not in STATUS_LABELS:
            raise ValidationError(
                "Trạng thái không hợp lệ: {value}. Các trạng thái: {allowed}.",
                field="status",
                value=status,
                allowed=", ".join(STATUS_LABELS),
            )
        if view not in VIEWS:
            raise ValidationError("Bộ lọc không hợp lệ: {value}.", field="view", value=view)
        now = self.clock().astimezone(VN_TZ)
        day_end = datetime.combine(now.date(), time(23, 59, 59), VN_TZ)
        return QueueFilter(
            text=normalize_spaces(text),
            status=status or None,
            view=view,
            date_from=date_from,
            date_to=date_to,
            now_ts=int(now.timestamp()),
            day_end_ts=int(day_end.timestamp()),
        )

    def search(self, text: str, *, status: str | None = None, view: str = "all", limit: int = 20) -> list[dict[str, Any]]:
        """Newest first. Words recognised on a dossier's scanned pages count too
        (services/ocr.py); ``matched_in_pages`` says which results their pages matched."""
        flt = self.make_filter(text=text, status=status, view=view)
        rows = self.store.search(flt, limit=limit)
        query = fts_query(text) if text else None
        in_pages = self.page_texts.matched_in_pages([r["id"] for r in rows], query) if query else set()
        late = self.lateness()
        return [{**list_item(r), "matched_in_pages": r["id"] in in_pages,
                 "days_late": late.days_late(r["status"], r["appointment_at"])} for r in rows]

    def page(self, flt: QueueFilter, *, after: tuple[int, int] | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """Raw rows (with ``received_ts`` and ``id`` for the next keyset), each with
        ``days_late`` (working days; None when not overdue)."""
        rows = self.store.queue_page(flt, after=after, limit=limit)
        late = self.lateness()
        for row in rows:
            row["days_late"] = late.days_late(row["status"], row["appointment_at"])
        return rows

    def count(self, flt: QueueFilter) -> int:
        return self.store.queue_count(flt)

    def show(self, code: str) -> DossierView:
        return self._with_lateness(dossier_view(self.store, code))

    def set_status(
        self, code: str, status: str, *, note: str = "", at: datetime | None = None, collector: dict[str, Any] | None = None
    ) -> DossierView:
        """``collector`` ({name, id_number} or {post_tracking}) says who took the result of a
        "returned" dossier; it is checked and kept with that event."""
        dossier = self.store.find_dossier_row(code)
        check_transition(dossier["status"], status)
        taken_by = parse_collector(status=status, **(collector or {}))
        moment = (at or self.clock()).astimezone(VN_TZ).replace(microsecond=0)
        received = datetime.fromisoformat(dossier["received_at"])
        if moment < received - timedelta(minutes=5):
            raise ValidationError(
                "Thời điểm thay đổi trạng thái sớm hơn lúc tiếp nhận hồ sơ. Hãy kiểm tra đồng hồ máy tính.",
                field="at",
            )
        history = self.store.dossier_history(dossier["id"])
        if history and moment < datetime.fromisoformat(history[-1]["at"]) - timedelta(minutes=5):
            # History must read in time order; a clock set back would scramble it.
            raise ValidationError(
                "Thời điểm thay đổi trạng thái sớm hơn lần thay đổi trước. Hãy kiểm tra đồng hồ máy tính.",
                field="at",
            )
        self.store.append_event(
            dossier=dossier,
            status=status,
            at=moment.isoformat(),
            actor=self.actor,
            note=normalize_spaces(note),
            outbox_payload=lambda event: {"dossier_code": dossier["code"], "dossier_uuid": dossier["uuid"], "event": event},
            collector=taken_by,
        )
        return self._with_lateness(dossier_view(self.store, code))

    def summary(self) -> dict[str, Any]:
        """Counts a supervisor looks at first."""
        counts: dict[str, Any] = {}
        for view in VIEWS:
            counts[view] = self.store.queue_count(self.make_filter(view=view))
        counts["by_status"] = self.store.status_counts()
        counts["outbox"] = self.store.outbox_stats()
        return counts

"""Taking in a dossier at the counter: validate, number, schedule, commit durably."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from desk_app.domain.calendar import VN_TZ
from desk_app.domain.catalogue import Procedure
from desk_app.domain.codes import code_day, dossier_code
from desk_app.domain.dossier import RECEIVED, DocumentItem, parse_intake
from desk_app.domain.errors import ValidationError
from desk_app.domain.formats import vn_date, vn_datetime
from desk_app.domain.intake_record import IntakeRecord
from desk_app.domain.text import fold
from desk_app.services.actor import ActorSource, as_actor_source
from desk_app.services.catalogue import CatalogueService
from desk_app.services.desk_clock import DeskClockService
from desk_app.services.dossier_view import DossierView, dossier_view
from desk_app.services.setup import SetupService
from desk_app.store.clock_store import ClockStore
from desk_app.store.desk_store import DeskStore

# A receipt time in the future beyond this is a wrong clock or a typo, not a real intake.
FUTURE_TOLERANCE = timedelta(minutes=5)
# Dossiers taken on paper during an outage may be entered afterwards, but not from last year.
BACKDATE_LIMIT = timedelta(days=60)
# A PC whose CMOS battery died boots in 2000-something; no dossier of this app predates this.
EARLIEST_PLAUSIBLE = datetime(2025, 7, 1, tzinfo=VN_TZ)


def missing_required(procedure: Procedure, documents: Iterable[DocumentItem]) -> list[str]:
    """Names of ``procedure``'s required documents absent from ``documents`` (DocumentItem)."""
    received = {fold(d.name) for d in documents}
    return [d.name for d in procedure.documents if d.required and fold(d.name) not in received]


def iso(moment: datetime) -> str:
    return moment.astimezone(VN_TZ).isoformat()


class IntakeService:
    def __init__(
        self,
        store: DeskStore,
        setup: SetupService,
        catalogue: CatalogueService,
        clock: Callable[[], datetime],
        actor: str | ActorSource = "",
    ):
        self.store = store
        self.setup = setup
        self.catalogue = catalogue
        self.clock = clock
        self._actor = as_actor_source(actor)

    @property
    def actor(self) -> str:
        """Who acts, read at each write (the officer set in the settings, else the login)."""
        return self._actor()

    def missing_documents(self, data: dict[str, Any]) -> list[str]:
        """The procedure's required documents that ``data`` does not list as received (names
        compared without diacritics or case), in catalogue order. Validates ``data`` first."""
        request = parse_intake(data, today=self.clock().astimezone(VN_TZ).date())
        procedure = self.store.get_procedure(request.procedure_code, active_only=True)
        return missing_required(procedure, request.documents)

    def intake(self, data: dict[str, Any], *, allow_missing: bool = True) -> DossierView:
        """Validate and commit one dossier. Returns the stored dossier (see ``QueueService.show``
        for the shape). The commit is durable (WAL + synchronous=FULL) before this returns.

        A dossier with no document received is refused. One without some required document
        is refused too unless ``allow_missing`` (the UI asks the receptionist first and passes
        True; ``desk intake`` needs ``--allow-missing``)."""
        now = self.clock().astimezone(VN_TZ)
        request = parse_intake(data, today=now.date())
        if not request.documents:
            raise ValidationError("Chưa đánh dấu giấy tờ nào đã nhận: hồ sơ chưa được lưu.", field="documents")
        config = self.setup.config()
        self.setup.check_ready_for_intake(config)
        self.check_clock(now)
        procedure = self.store.get_procedure(request.procedure_code, active_only=True)
        missing = missing_required(procedure, request.documents)
        if missing and not allow_missing:
            raise ValidationError(
                "Thiếu giấy tờ bắt buộc: {names}. Hồ sơ chưa được lưu.",
                field="documents", names="; ".join(missing), details=missing,
            )
        received_at = request.received_at or now
        if received_at.tzinfo is None:
            received_at = received_at.replace(tzinfo=VN_TZ)
        received_at = received_at.astimezone(VN_TZ).replace(microsecond=0)
        if received_at > now + FUTURE_TOLERANCE:
            raise ValidationError(
                "Thời điểm tiếp nhận {value} ở tương lai. Hãy kiểm tra đồng hồ máy tính.",
                field="received_at",
                value=vn_datetime(received_at),
            )
        if received_at < now - BACKDATE_LIMIT:
            raise ValidationError(
                "Thời điểm tiếp nhận {value} quá xa trong quá khứ (tối đa 60 ngày).",
                field="received_at",
                value=vn_date(received_at),
            )
        appointment = self.setup.calendar().appointment(
            received_at, days=procedure.processing_days, hours=procedure.processing_hours
        )
        documents = [d.as_dict() for d in request.documents]
        applicant = request.applicant
        created_at = iso(now)
        actor = self.actor

        def make_record(counter: int) -> IntakeRecord:
            return IntakeRecord(
                code=dossier_code(config.unit_code, received_at.date(), config.desk, counter),
                unit_code=config.unit_code,
                desk=config.desk,
                procedure_code=procedure.code,
                procedure_name=procedure.name,
                processing_days=procedure.processing_days,
                processing_hours=procedure.processing_hours,
                fee=procedure.fee,
                applicant_name=applicant.full_name,
                applicant_id_number=applicant.id_number,
                applicant_birth_date=applicant.birth_date,
                applicant_gender=applicant.gender,
                applicant_address=applicant.address,
                phone=applicant.phone,
                email=applicant.email,
                sets=request.sets,
                return_channel=request.return_channel,
                notes=request.notes,
                received_at=iso(received_at),
                received_ts=int(received_at.timestamp()),
                appointment_at=iso(appointment),
                appointment_ts=int(appointment.timestamp()),
                status=RECEIVED,
                status_at=iso(received_at),
                received_by=actor,
                created_at=created_at,
            )

        def outbox_payload(record: IntakeRecord, event_uuid: str) -> dict[str, Any]:
            return {"dossier": record.wire(), "documents": documents, "event_uuid": event_uuid}

        record = self.store.insert_dossier(
            make_record=make_record,
            day_key=code_day(received_at.date()),
            desk=config.desk,
            documents=documents,
            actor=actor,
            outbox_payload=outbox_payload,
        )
        return self.store_view(record.code)

    def check_clock(self, now: datetime) -> None:
        """Refuse to number dossiers with a clock that is obviously wrong: codes and
        appointments carry the date, and the province sees them. A clock that runs ahead
        cannot be detected offline; ``received_at`` in the future is refused instead."""
        if now < EARLIEST_PLAUSIBLE:
            raise ValidationError(
                "Đồng hồ máy tính đang sai ({value}). Hãy chỉnh ngày giờ rồi tiếp nhận lại.",
                field="clock",
                value=vn_datetime(now),
            )
        # Behind the newest time the desk trusts (last dossier, or the province's time at the
        # last sync): see desk_app/services/desk_clock.py for the way out of a wrong clock.
        DeskClockService(ClockStore(self.store.db), self.clock).check_intake(now)

    def store_view(self, code: str) -> DossierView:
        return dossier_view(self.store, code)

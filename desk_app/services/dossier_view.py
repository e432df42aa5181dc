"""A saved dossier as the desk shows it: the dossier page, the queue's "open" answer, the
printing flow and the CLI (``desk intake``, ``desk show``, ``desk status``, ``desk edit``).

``to_json()`` is the CLI's JSON: its keys and their order are a stable contract (tests/cli).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from desk_app.domain.corrections import EDITABLE_STATUSES
from desk_app.domain.dossier import RETURNED, Applicant, DocumentItem
from desk_app.store.desk_store import DeskStore
from desk_app.store.edits_store import EditsStore


@dataclass(frozen=True)
class HistoryEvent:
    """One status event. A "returned" one says who collected the result (``collector``:
    {name, id_number, post_tracking})."""

    uuid: str
    status: str
    at: str
    actor: str
    note: str
    source: str
    collector: dict[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        if self.collector is None:
            del data["collector"]
        return data


@dataclass(frozen=True)
class DossierEdit:
    """One correction of a saved dossier: {field: {before, after}} (services/dossier_edit.py)."""

    uuid: str
    at: str
    actor: str
    changes: dict[str, Any]
    note: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DossierView:
    code: str
    uuid: str
    unit_code: str
    desk: int
    procedure_code: str
    procedure_name: str
    processing_days: int
    processing_hours: float | None
    fee: int
    applicant: Applicant
    documents: tuple[DocumentItem, ...]
    sets: int
    return_channel: str
    notes: str
    received_at: str
    appointment_at: str
    received_by: str
    status: str
    status_at: str
    synced_at: str | None
    history: tuple[HistoryEvent, ...]
    edits: tuple[DossierEdit, ...]
    # Working days late by the desk's calendar (None: not late); only views the queue service
    # counted carry it (``with_lateness``), as only those answers have it in their JSON.
    days_late: int | None = None
    lateness_counted: bool = False

    @property
    def synced(self) -> bool:
        return self.synced_at is not None

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    def with_lateness(self, days_late: int | None) -> DossierView:
        return replace(self, days_late=days_late, lateness_counted=True)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "uuid": self.uuid,
            "unit_code": self.unit_code,
            "desk": self.desk,
            "procedure_code": self.procedure_code,
            "procedure_name": self.procedure_name,
            "processing_days": self.processing_days,
            "processing_hours": self.processing_hours,
            "fee": self.fee,
            "applicant": self.applicant.as_dict(),
            "documents": [d.as_dict() for d in self.documents],
            "sets": self.sets,
            "return_channel": self.return_channel,
            "notes": self.notes,
            "received_at": self.received_at,
            "appointment_at": self.appointment_at,
            "received_by": self.received_by,
            "status": self.status,
            "status_at": self.status_at,
            "synced": self.synced,
            "synced_at": self.synced_at,
            "history": [e.to_json() for e in self.history],
            "edits": [e.to_json() for e in self.edits],
            "editable": self.editable,
        }
        if self.lateness_counted:
            data["days_late"] = self.days_late
        return data


def dossier_view(store: DeskStore, code: str) -> DossierView:
    """The dossier ``code`` read from the store (refused with NotFoundError if absent)."""
    row = store.find_dossier_row(code)
    return DossierView(
        code=row["code"],
        uuid=row["uuid"],
        unit_code=row["unit_code"],
        desk=row["desk"],
        procedure_code=row["procedure_code"],
        procedure_name=row["procedure_name"],
        processing_days=row["processing_days"],
        processing_hours=row["processing_hours"],
        fee=row["fee"],
        applicant=Applicant(
            full_name=row["applicant_name"],
            id_number=row["applicant_id_number"],
            birth_date=row["applicant_birth_date"],
            gender=row["applicant_gender"],
            address=row["applicant_address"],
            phone=row["phone"],
            email=row["email"],
        ),
        documents=tuple(DocumentItem(**d) for d in store.dossier_documents(row["id"])),
        sets=row["sets"],
        return_channel=row["return_channel"],
        notes=row["notes"],
        received_at=row["received_at"],
        appointment_at=row["appointment_at"],
        received_by=row["received_by"],
        status=row["status"],
        status_at=row["status_at"],
        synced_at=row["synced_at"],
        history=_history(store, row["id"]),
        edits=tuple(DossierEdit(**e) for e in EditsStore(store).edits(row["id"])),
    )


def _history(store: DeskStore, dossier_id: int) -> tuple[HistoryEvent, ...]:
    history = store.dossier_history(dossier_id)
    collectors = EditsStore(store).collectors(dossier_id) if any(h["status"] == RETURNED for h in history) else {}
    return tuple(HistoryEvent(**event, collector=collectors.get(event["uuid"])) for event in history)

"""The dossier row an intake writes: what the intake service decides (code, appointment, who
received it) handed to the store, which inserts it as one ``dossiers`` row."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from desk_app.domain.ids import new_uuid

# Store-side columns the province does not receive: the row id, the sort keys (derived from the
# ISO times it does receive) and this desk's own sync mark.
LOCAL_COLUMNS = frozenset({"id", "received_ts", "appointment_ts", "synced_at"})


@dataclass(frozen=True)
class IntakeRecord:
    """One new dossier, field for field the ``dossiers`` columns (docs/sync-protocol.md shows
    the pushed shape). Times are ISO strings in Vietnam time; ``*_ts`` are their Unix seconds."""

    code: str
    unit_code: str
    desk: int
    procedure_code: str
    procedure_name: str
    processing_days: int
    processing_hours: float | None
    fee: int
    applicant_name: str
    applicant_id_number: str
    applicant_birth_date: str
    applicant_gender: str
    applicant_address: str
    phone: str
    email: str
    sets: int
    return_channel: str
    notes: str
    received_at: str
    received_ts: int
    appointment_at: str
    appointment_ts: int
    status: str
    status_at: str
    received_by: str
    created_at: str
    synced_at: str | None = None
    uuid: str = field(default_factory=new_uuid)

    def columns(self) -> dict[str, Any]:
        """Column -> value for the INSERT, in declaration order."""
        return asdict(self)

    def wire(self) -> dict[str, Any]:
        """The dossier as the province receives it in the ``dossier.received`` event."""
        return {k: v for k, v in asdict(self).items() if k not in LOCAL_COLUMNS}

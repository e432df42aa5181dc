"""Correcting a saved dossier at the desk: validated like an intake, kept in the
dossier's history with before/after, and sent to the province as a ``dossier.edited`` record
committed with it (docs/sync-protocol.md). Used by the UI's edit dialog and ``desk edit``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from desk_app.domain.calendar import VN_TZ
from desk_app.domain.corrections import (
    APPLICANT_COLUMNS,
    EDITABLE_STATUSES,
    check_editable,
    check_request,
)
from desk_app.domain.dossier import parse_intake
from desk_app.domain.errors import NotFoundError, ValidationError
from desk_app.domain.text import normalize_spaces
from desk_app.domain.validation import check_length
from desk_app.services.actor import ActorSource, as_actor_source
from desk_app.services.dossier_view import DossierView, dossier_view
from desk_app.store.desk_store import DeskStore
from desk_app.store.edits_store import EditsStore


class EditService:
    def __init__(self, store: DeskStore, clock: Callable[[], datetime], actor: str | ActorSource = ""):
        self.store = store
        self.edits = EditsStore(store)
        self.clock = clock
        self._actor = as_actor_source(actor)

    def current(self, code: str) -> dict[str, Any]:
        """What the edit dialog starts from: the intake-shaped fields of the dossier."""
        row = self.store.find_dossier_row(code)
        check_editable(row["status"], row["code"])
        return {
            "code": row["code"],
            "applicant": {key: row[column] for key, column in APPLICANT_COLUMNS.items()},
            "documents": self.store.dossier_documents(row["id"]),
            "sets": row["sets"],
            "return_channel": row["return_channel"],
            "notes": row["notes"],
            "catalogue_documents": self._catalogue_documents(row["procedure_code"]),
        }

    def _catalogue_documents(self, procedure_code: str) -> list[str]:
        """The procedure's documents, for "add a forgotten one" (none if it left the catalogue)."""
        try:
            return [d.name for d in self.store.get_procedure(procedure_code).documents]
        except NotFoundError:
            return []

    def changes_of(self, code: str, request: dict[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        """(dossier row, {field: {before, after}}) of an edit request, validated as an intake
        would be with the request laid over the saved values. Writes nothing."""
        check_request(request)
        row = self.store.find_dossier_row(code)
        check_editable(row["status"], row["code"])
        before = {column: row[column] for column in APPLICANT_COLUMNS.values()}
        before.update(sets=row["sets"], return_channel=row["return_channel"], notes=row["notes"])
        before["documents"] = self.store.dossier_documents(row["id"])
        merged = {
            "procedure_code": row["procedure_code"],
            "applicant": {key: before[column] for key, column in APPLICANT_COLUMNS.items()} | (request.get("applicant") or {}),
            "documents": request.get("documents", before["documents"]),
            "sets": request.get("sets", before["sets"]),
            "return_channel": request.get("return_channel", before["return_channel"]),
            "notes": request.get("notes", before["notes"]),
        }
        if request.get("cccd_qr"):
            merged["cccd_qr"] = request["cccd_qr"]
        parsed = parse_intake(merged, today=self.clock().astimezone(VN_TZ).date())
        if not parsed.documents:
            raise ValidationError("Hồ sơ phải còn ít nhất một giấy tờ đã nhận.", field="documents")
        after = {column: getattr(parsed.applicant, key) for key, column in APPLICANT_COLUMNS.items()}
        after.update(sets=parsed.sets, return_channel=parsed.return_channel, notes=parsed.notes)
        after["documents"] = [d.as_dict() for d in parsed.documents]
        changes = {f: {"before": before[f], "after": after[f]} for f in after if after[f] != before[f]}
        return row, changes

    def edit(self, code: str, request: dict[str, Any]) -> DossierView:
        """Apply an edit request; returns the updated dossier (``QueueService.show``'s shape)."""
        row, changes = self.changes_of(code, request)
        if not changes:
            raise ValidationError("Không có thay đổi nào so với hồ sơ đã lưu.", field="changes")
        note = check_length(normalize_spaces(str(request.get("note") or "")), field="note", maximum=500)
        at = self.clock().astimezone(VN_TZ).replace(microsecond=0).isoformat()
        self.edits.apply_edit(
            dossier=row,
            changes=changes,
            editable_statuses=EDITABLE_STATUSES,
            at=at,
            actor=self._actor(),
            note=note,
            outbox_payload=lambda edit: {"dossier_uuid": row["uuid"], "edit": edit},
        )
        return dossier_view(self.store, row["code"])

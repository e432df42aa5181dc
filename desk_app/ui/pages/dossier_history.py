"""The dossier page's history rows: status events (a "returned" one says who collected the
result) and corrections (each changed field, before → after), in time order. Pure (no Qt)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desk_app.domain.corrections import EDIT_FIELD_LABELS
from desk_app.domain.dossier import DOCUMENT_KINDS, RETURN_CHANNELS
from desk_app.i18n import N_, Translator
from desk_app.ui.formatting import show_date, show_datetime, status_label

if TYPE_CHECKING:
    from desk_app.services.dossier_view import DossierEdit, DossierView

EDITED = N_("Sửa hồ sơ")


def collector_text(tr: Translator, collector: dict | None) -> str:
    if not collector:
        return ""
    if collector.get("post_tracking"):
        return tr("Gửi qua bưu điện, mã bưu gửi {code}", code=collector["post_tracking"])
    if collector.get("id_number"):
        return tr("Người nhận: {name} (số định danh {id})", name=collector["name"], id=collector["id_number"])
    return tr("Người nhận: {name}", name=collector["name"])


def _value(tr: Translator, field: str, value) -> str:
    if field == "documents":
        return "; ".join(f"{d['name']} ({tr(DOCUMENT_KINDS.get(d['kind'], d['kind']))} x{d['count']})" for d in value) or "—"
    if field == "return_channel":
        return tr(RETURN_CHANNELS.get(value, value))
    if field == "applicant_birth_date":
        return show_date(value) or "—"
    return str(value) if value not in ("", None) else "—"


def _documents_change(tr: Translator, before: list[dict], after: list[dict]) -> str:
    """Only what changed on the checklist: "+ added", "− removed", "old → new" per document."""
    old = {d["name"]: d for d in before}
    new = {d["name"]: d for d in after}
    parts = [f"+ {_value(tr, 'documents', [d])}" for name, d in new.items() if name not in old]
    parts += [f"− {_value(tr, 'documents', [d])}" for name, d in old.items() if name not in new]
    parts += [
        f"{_value(tr, 'documents', [old[name]])} → {_value(tr, 'documents', [d])}"
        for name, d in new.items() if name in old and old[name] != d
    ]
    return "; ".join(parts) or tr("đổi thứ tự")


def edit_text(tr: Translator, edit: DossierEdit) -> str:
    parts = [
        f"{tr(EDIT_FIELD_LABELS.get(f, f))}: "
        + (_documents_change(tr, c["before"], c["after"]) if f == "documents"
           else f"{_value(tr, f, c['before'])} → {_value(tr, f, c['after'])}")
        for f, c in edit.changes.items()
    ]
    if edit.note:
        parts.append(tr("Lý do: {note}", note=edit.note))
    return "\n".join(parts)


def history_rows(tr: Translator, dossier: DossierView) -> list[tuple[str, str, str, str]]:
    """(what, when, who, details) rows, oldest first."""
    rows = [
        (e.at, status_label(tr, e.status), e.actor, "\n".join(filter(None, [e.note, collector_text(tr, e.collector)])))
        for e in dossier.history
    ]
    rows += [(e.at, tr(EDITED), e.actor, edit_text(tr, e)) for e in dossier.edits]
    rows.sort(key=lambda r: r[0])  # ISO times with the same offset sort in time order
    return [(what, show_datetime(at), who, details) for at, what, who, details in rows]

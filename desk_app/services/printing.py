"""Printing the one-stop forms of a dossier and the tracking book.

Split so the UI thread never waits: ``prepare`` (DB thread: reads the dossier, enters it in
the tracking book, counts earlier prints) -> ``render`` (pure, any thread: the PDF) ->
printer or file (I/O thread) -> ``record`` (DB thread: the print log). A failed or cancelled
print records nothing, so the next one is not wrongly marked as a copy; the dossier itself
was committed before any of this started.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from desk_app.domain.calendar import VN_TZ
from desk_app.domain.dossier import (
    DOCUMENT_KINDS,
    REFUSED,
    RETURN_CHANNELS,
    STATUS_LABELS,
    SUPPLEMENT_REQUESTED,
    TRANSITIONS,
)
from desk_app.domain.errors import ValidationError
from desk_app.domain.formats import vn_datetime
from desk_app.forms.layouts import Layout, get_layout
from desk_app.forms.model import (
    QR_EC_CHOICES,
    BookData,
    BookRow,
    DocumentLine,
    FormData,
    FormExtras,
    FormSettings,
    HistoryLine,
    RenderedPdf,
    check_form,
)
from desk_app.forms.payloads import (
    TagProvider,
    check_url_template,
    survey_payload,
    tracking_payload,
)
from desk_app.forms.vietqr import check_bank_account, vietqr_payload
from desk_app.services.setup import SetupService
from desk_app.store.desk_store import DeskStore
from desk_app.store.forms_store import FormsStore
from desk_common.fsutil import user_file_mode, write_atomic

COMMUNE_PREFIXES = ("Phường ", "Xã ", "Đặc khu ", "Thị trấn ")
MAX_BOOK_DAYS = 3660


@dataclass
class PreparedForm:
    """Everything needed to render and then log one issue of a form."""

    data: FormData
    layout: Layout
    dossier_id: int

    @property
    def form(self) -> str:
        return self.data.form


def processing_text(days: int, hours: float | None) -> str:
    if days > 0:
        return f"{days:02d} ngày làm việc"
    if hours:
        return f"{hours:g} giờ làm việc (trong ngày)"
    return "Trong ngày"


def place_name(commune_name: str) -> str:
    for prefix in COMMUNE_PREFIXES:
        if commune_name.startswith(prefix):
            return commune_name[len(prefix):]
    return commune_name


def render(prepared: PreparedForm) -> RenderedPdf:
    """The PDF of a prepared form. Pure: any thread (the UI runs it on the I/O pool)."""
    from desk_app.forms.pdf import render_form

    return render_form(prepared.data, prepared.layout)


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file, fsync and rename: never half a file."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        # A missing export folder (a fresh profile without Documents, a new USB stick's
        # folder) is created rather than refused.
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError(
            "Không tạo được thư mục {path}: {detail}.", field="out", path=str(folder), detail=exc.strerror or str(exc)
        ) from exc
    try:
        # The user's file (receipt PDF, tracking book): normal permissions, not mkstemp's 0600.
        write_atomic(path, data, prefix=".desk-", suffix=".tmp", mode=user_file_mode(), sync_dir=False)
    except OSError as exc:
        raise ValidationError("Không ghi được tệp {path}: {detail}.", field="out", path=str(path), detail=exc.strerror) from exc


class PrintingService:
    """Runs on the DB thread (UI) or the main thread (CLI), except ``render`` (any thread)."""

    def __init__(
        self,
        store: DeskStore,
        setup: SetupService,
        clock: Callable[[], datetime],
        actor: str = "",
        *,
        tag_provider: TagProvider | None = None,
    ):
        self.store = store
        self.forms = FormsStore(store)
        self.setup = setup
        self.clock = clock
        self.actor = actor
        # Set by the sync work: code -> short authentication tag for the tracking QR.
        self.tag_provider = tag_provider

    # --- settings -------------------------------------------------------------------------
    def settings(self) -> FormSettings:
        return FormSettings.from_settings(self.store.all_settings())

    def configure(self, **changes: Any) -> FormSettings:
        """Change per-commune printing settings (None = leave as is); validates everything
        before writing anything."""
        current = self.settings()
        values = {k: v for k, v in changes.items() if v is not None}
        unknown = set(values) - set(current.__dataclass_fields__)
        if unknown:
            raise ValidationError("Thiết lập không hợp lệ: {names}.", names=", ".join(sorted(unknown)))
        new = replace(current, **values)
        new.tracking_url_template = check_url_template(new.tracking_url_template)
        new.survey_url_template = check_url_template(new.survey_url_template)
        if new.bank_bin or new.bank_account:
            new.bank_bin, new.bank_account = check_bank_account(new.bank_bin, new.bank_account)
        new.bank_account_name = " ".join(str(new.bank_account_name).split())
        if new.slip_copies not in (1, 2):
            raise ValidationError("Số liên giấy tiếp nhận phải là 1 hoặc 2.", field="slip_copies")
        new.default_layout = get_layout(new.default_layout).name
        new.thermal_qr_ec = str(new.thermal_qr_ec).upper()
        if new.thermal_qr_ec not in QR_EC_CHOICES:
            raise ValidationError("Mức sửa lỗi QR phải là M hoặc Q.", field="thermal_qr_ec")
        self.store.set_settings(new.as_settings())
        return new

    # --- forms of a dossier -----------------------------------------------------------------
    @staticmethod
    def book_volume(desk: int, received_at: datetime) -> str:
        """Each desk keeps its own book per year ("03/2026"): desks work offline, so they
        cannot share one counter, exactly as with dossier codes."""
        return f"{desk:02d}/{received_at.astimezone(VN_TZ).year}"

    def prepare(
        self,
        code: str,
        *,
        form: str = "01",
        layout: str | None = None,
        extras: FormExtras | None = None,
    ) -> PreparedForm:
        """Gather a form's data. Enters the dossier in the tracking book if it is not yet
        (one short write); the copy number counts earlier issues of this form."""
        form = check_form(form)
        settings = self.settings()
        chosen = get_layout(layout or settings.default_layout)
        config = self.setup.config()
        row = self.store.find_dossier_row(code)
        received_at = datetime.fromisoformat(row["received_at"])
        now = self.clock().astimezone(VN_TZ)
        book = self.forms.book_entry(row["id"])
        if book is None:
            self.forms.enter_in_book([(row["id"], self.book_volume(row["desk"], received_at))], at=now.isoformat())
            book = self.forms.book_entry(row["id"]) or {}
        history = [
            HistoryLine(
                status=h["status"],
                label=STATUS_LABELS.get(h["status"], h["status"]),
                at=datetime.fromisoformat(h["at"]),
                actor=h["actor"],
                note=h["note"],
            )
            for h in self.store.dossier_history(row["id"])
        ]
        documents = [
            DocumentLine(d["name"], DOCUMENT_KINDS.get(d["kind"], d["kind"]), d["count"])
            for d in self.store.dossier_documents(row["id"])
        ]
        payment = ""
        bank_label = ""
        if form == "01" and row["fee"] and settings.has_bank_account:
            payment = vietqr_payload(settings.bank_bin, settings.bank_account, amount=row["fee"], note=row["code"])
            bank_label = " - ".join(x for x in (settings.bank_account_name, settings.bank_account) if x)
        data = FormData(
            form=form,
            code=row["code"],
            unit_name=config.unit_name or config.commune_name or config.unit_code,
            office_name=settings.office_name,
            place=place_name(config.commune_name),
            printed_on=received_at.date() if form == "01" else now.date(),
            applicant_name=row["applicant_name"],
            id_number=row["applicant_id_number"],
            address=row["applicant_address"],
            phone=row["phone"],
            email=row["email"],
            procedure_code=row["procedure_code"],
            procedure_name=row["procedure_name"],
            documents=documents,
            sets=row["sets"],
            processing_text=processing_text(row["processing_days"], row["processing_hours"]),
            received_at=received_at,
            appointment_at=datetime.fromisoformat(row["appointment_at"]),
            return_channel_label=RETURN_CHANNELS.get(row["return_channel"], row["return_channel"]),
            officer=row["received_by"] if form == "01" else self.actor,
            fee=row["fee"],
            synced=row["synced_at"] is not None,
            status=row["status"],
            book_volume=book.get("volume", ""),
            book_number=book.get("number", 0),
            copy_number=self.forms.print_count(row["id"], form) + 1,
            copies=settings.slip_copies if form == "01" else 1,
            tracking_payload=tracking_payload(row["code"], settings.tracking_url_template, tag_provider=self.tag_provider)
            if form == "01"
            else "",
            survey_payload=survey_payload(row["code"], settings.survey_url_template) if form == "01" else "",
            payment_payload=payment,
            bank_label=bank_label,
            qr_ec=settings.thermal_qr_ec if chosen.continuous else "M",
            history=history,
            extras=extras or FormExtras(),
        )
        return PreparedForm(data=data, layout=chosen, dossier_id=row["id"])

    def record(self, prepared: PreparedForm, *, target: str) -> dict[str, Any]:
        """Log one issue of a form after it reached the printer or a file."""
        at = self.clock().astimezone(VN_TZ).isoformat()
        self.forms.record_print(
            dossier_id=prepared.dossier_id,
            form=prepared.form,
            copy_number=prepared.data.copy_number,
            layout=prepared.layout.name,
            target=target,
            at=at,
            actor=self.actor,
        )
        return {"form": prepared.form, "copy_number": prepared.data.copy_number, "printed_at": at, "target": target}

    def prints(self, code: str) -> list[dict[str, Any]]:
        return self.forms.prints(self.store.find_dossier_row(code)["id"])

    def export(
        self,
        code: str,
        out: Path,
        *,
        form: str = "01",
        layout: str | None = None,
        extras: FormExtras | None = None,
    ) -> dict[str, Any]:
        """Prepare, render and write a form to ``out`` (atomically), then log it."""
        out = Path(out)
        if out.suffix.lower() != ".pdf":
            raise ValidationError("Tệp kết quả phải có đuôi .pdf: {path}.", field="out", path=str(out))
        prepared = self.prepare(code, form=form, layout=layout, extras=extras)
        pdf = render(prepared)
        write_atomically(out, pdf.data)
        logged = self.record(prepared, target=f"pdf:{out}")
        return {
            "code": prepared.data.code,
            "form": prepared.form,
            "layout": prepared.layout.name,
            "path": str(out.resolve()),
            "pages": pdf.pages,
            "bytes": len(pdf.data),
            "copy_number": logged["copy_number"],
            "book_volume": prepared.data.book_volume,
            "book_number": prepared.data.book_number,
            "qr_payload": prepared.data.tracking_payload,
        }

    # --- the tracking book (Mẫu 06) -----------------------------------------------------------
    def book(self, date_from: date, date_to: date) -> BookData:
        """The book for dossiers received in [date_from, date_to]; dossiers not yet in the
        book get their numbers now, in order of receipt."""
        if date_to < date_from:
            raise ValidationError("Ngày kết thúc phải sau ngày bắt đầu.", field="to")
        if (date_to - date_from).days > MAX_BOOK_DAYS:
            raise ValidationError("Khoảng thời gian quá dài (tối đa 10 năm).", field="to")
        rows = self.forms.dossiers_received_between(date_from, date_to)
        missing = [
            (r["id"], self.book_volume(r["desk"], datetime.fromisoformat(r["received_at"]))) for r in rows if r["number"] is None
        ]
        if missing:
            self.forms.enter_in_book(missing, at=self.clock().astimezone(VN_TZ).isoformat())
            rows = self.forms.dossiers_received_between(date_from, date_to)
        config = self.setup.config()

        def when(value: str | None) -> datetime | None:
            return datetime.fromisoformat(value) if value else None

        book_rows = [
            BookRow(
                volume=r["volume"],
                number=r["number"],
                code=r["code"],
                procedure_name=r["procedure_name"],
                sets=r["sets"],
                applicant_name=r["applicant_name"],
                contact=", ".join(x for x in (r["applicant_address"], r["phone"], r["email"]) if x),
                lead_agency=config.unit_name,
                received_at=datetime.fromisoformat(r["received_at"]),
                appointment_at=datetime.fromisoformat(r["appointment_at"]),
                transferred_at=when(r["transferred_at"]),
                result_at=when(r["result_at"]),
                returned_at=when(r["returned_at"]),
                notes=r["notes"],
            )
            for r in rows
        ]
        # In order of receipt (the query's order), as the paper book is kept: the number is
        # given when a slip is first printed, which may be out of that order.
        return BookData(config.unit_name, self.settings().office_name, date_from, date_to, book_rows)

    def export_book(self, date_from: date, date_to: date, out: Path) -> dict[str, Any]:
        check_book_path(out)
        return write_book(self.book(date_from, date_to), out)

    # --- what the officer types for forms 02-04 (the UI's dialog; the CLI has options) ------------
    def extras_defaults(self, code: str, form: str) -> dict[str, Any]:
        """DB thread. What the forms 02-04 dialog starts with: the dossier in short, the officer's
        name and phone used last time on this desk (else the login name), and for form 04 a new
        appointment from the work calendar: one working day after now or after the old
        appointment, whichever is later, at the same clock time."""
        form = check_form(form)
        row = self.store.find_dossier_row(code)
        old = datetime.fromisoformat(row["appointment_at"])
        now = self.clock().astimezone(VN_TZ)
        suggested = self.setup.calendar().appointment(max(now, old), days=1)
        status = FORM_STATUS.get(form)
        return {
            "code": row["code"],
            "form": form,
            "applicant_name": row["applicant_name"],
            "procedure_name": row["procedure_name"],
            "status": row["status"],
            "appointment_at": old.isoformat(),
            "suggested_appointment": suggested.isoformat(),
            "officer_name": self.store.get_setting(LAST_OFFICER_KEY) or self.actor,
            "officer_phone": self.store.get_setting(LAST_PHONE_KEY) or "",
            # the status this form usually goes with, if the dossier may still move to it
            "record_status": status if status and status in TRANSITIONS.get(row["status"], ()) else None,
        }

    def prepare_issue(
        self,
        code: str,
        *,
        form: str,
        extras: FormExtras,
        officer_name: str = "",
        layout: str | None = None,
    ) -> PreparedForm:
        """DB thread. ``prepare`` with what the officer typed in the UI: checks it, signs the form
        with ``officer_name`` (the login name is often a shared account) and remembers name and
        phone for the next form on this desk."""
        form = check_form(form)
        extras = FormExtras(
            reason=" ".join(extras.reason.split()),
            items=[" ".join(i.split()) for i in extras.items if i.strip()],
            new_appointment=extras.new_appointment,
            officer_phone=extras.officer_phone.strip(),
        )
        officer_name = " ".join(officer_name.split())
        if form == "04" and extras.new_appointment is not None:
            old = datetime.fromisoformat(self.store.find_dossier_row(code)["appointment_at"])
            if extras.new_appointment <= old:
                raise ValidationError(
                    "Ngày hẹn mới phải sau ngày hẹn cũ ({value}).",
                    field="new_appointment",
                    value=vn_datetime(old),
                )
        prepared = self.prepare(code, form=form, layout=layout, extras=extras)
        if officer_name:
            prepared.data.officer = officer_name
        remembered = {LAST_OFFICER_KEY: officer_name}
        if extras.officer_phone:
            remembered[LAST_PHONE_KEY] = extras.officer_phone
        self.store.set_settings(remembered)
        return prepared


# Forms 02 and 03 usually go with a status change of the dossier (the UI offers it).
FORM_STATUS = {"02": SUPPLEMENT_REQUESTED, "03": REFUSED}
LAST_OFFICER_KEY = "forms.last_officer_name"  # not a FormSettings field: per desk, remembered
LAST_PHONE_KEY = "forms.last_officer_phone"
BOOK_SUFFIXES = (".pdf", ".xlsx")


def check_book_path(out: Path) -> Path:
    out = Path(out)
    if out.suffix.lower() not in BOOK_SUFFIXES:
        raise ValidationError("Tệp sổ theo dõi phải có đuôi .pdf hoặc .xlsx: {path}.", field="out", path=str(out))
    return out


def write_book(book: BookData, out: Path) -> dict[str, Any]:
    """Render the tracking book as PDF or .xlsx (by ``out``'s suffix) and write it atomically.
    No database: the UI runs it on the I/O pool once the DB thread has read ``book``."""
    from desk_app.forms.book_xlsx import render_book_xlsx
    from desk_app.forms.pdf import render_book

    out = check_book_path(out)
    pages = None
    if out.suffix.lower() == ".pdf":
        pdf = render_book(book)
        data, pages = pdf.data, pdf.pages
    else:
        data = render_book_xlsx(book)
    write_atomically(out, data)
    result = {"path": str(out.resolve()), "rows": len(book.rows), "bytes": len(data),
              "from": book.date_from.isoformat(), "to": book.date_to.isoformat()}
    if pages is not None:
        result["pages"] = pages
    return result

"""receipt (forms 01-05 to PDF), book (Mẫu 06 to PDF or .xlsx), forms-config (printing settings)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from desk_app.commands.common import add_data_arg, services
from desk_app.domain.calendar import VN_TZ
from desk_app.domain.errors import ValidationError
from desk_app.forms.layouts import LAYOUTS
from desk_app.forms.model import DOSSIER_FORMS, FormExtras


def register(sub) -> None:
    p = sub.add_parser("receipt", help="a form of a dossier as PDF (01 = receipt and appointment slip)")
    add_data_arg(p)
    p.add_argument("code", help="dossier code")
    p.add_argument("--out", required=True, type=Path, help="output .pdf file")
    p.add_argument("--layout", choices=tuple(LAYOUTS), default=None, help="paper (default: the desk's setting)")
    p.add_argument("--form", choices=DOSSIER_FORMS, default="01")
    p.add_argument("--reason", default="", help="forms 02-04: reason")
    p.add_argument("--item", action="append", default=[], help="form 02: a document to add or complete (repeatable)")
    p.add_argument("--new-appointment", default=None, help="form 04: new return time, ISO 8601")
    p.add_argument("--officer-phone", default="", help="form 02: phone of the guiding officer")
    p.set_defaults(handler=cmd_receipt)

    p = sub.add_parser("book", help="tracking book (Mẫu 06) for a date range")
    add_data_arg(p)
    p.add_argument("--from", dest="date_from", required=True, help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", required=True, help="last day, YYYY-MM-DD")
    p.add_argument("--out", required=True, type=Path, help="output .pdf or .xlsx file")
    p.set_defaults(handler=cmd_book)

    p = sub.add_parser("forms-config", help="show or change printing settings of this commune")
    add_data_arg(p)
    p.add_argument("--tracking-url-template", default=None, help="e.g. https://dichvucong.caobang.gov.vn/tra-cuu?mahs={code}; '' clears")
    p.add_argument("--survey-url-template", default=None, help="satisfaction survey URL with {code}; '' clears")
    p.add_argument("--bank-bin", default=None, help="VietQR: 6-digit bank BIN; '' clears")
    p.add_argument("--bank-account", default=None, help="VietQR: account number; '' clears")
    p.add_argument("--bank-account-name", default=None, help="account holder printed beside the payment QR")
    p.add_argument("--copies", dest="slip_copies", type=int, choices=(1, 2), default=None, help="pages of form 01")
    p.add_argument("--layout", dest="default_layout", choices=tuple(LAYOUTS), default=None)
    p.add_argument("--thermal-qr-ec", choices=("M", "Q"), default=None, help="QR error correction on thermal paper")
    p.add_argument("--office-name", default=None, help="receiving office printed under the unit name")
    p.add_argument("--printer", dest="printer_name", default=None, help="printer name for the app ('' = default)")
    p.add_argument("--print-direct", dest="print_direct", choices=("yes", "no"), default=None, help="print without preview")
    p.set_defaults(handler=cmd_forms_config)


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError("Ngày không hợp lệ: {value} (định dạng YYYY-MM-DD).", field=field, value=text) from exc


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError("Thời điểm không hợp lệ: {value} (ISO 8601).", field="new_appointment", value=text) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=VN_TZ)


def cmd_receipt(args, tr):
    extras = FormExtras(
        reason=" ".join(args.reason.split()),
        items=[" ".join(i.split()) for i in args.item if i.strip()],
        new_appointment=_moment(args.new_appointment),
        officer_phone=args.officer_phone.strip(),
    )
    with services(args, tr) as ctx:
        return ctx.printing.export(args.code, args.out, form=args.form, layout=args.layout, extras=extras)


def cmd_book(args, tr):
    date_from, date_to = _day(args.date_from, "from"), _day(args.date_to, "to")
    with services(args, tr) as ctx:
        return ctx.printing.export_book(date_from, date_to, args.out)


def cmd_forms_config(args, tr):
    changes = {
        name: getattr(args, name)
        for name in (
            "tracking_url_template",
            "survey_url_template",
            "bank_bin",
            "bank_account",
            "bank_account_name",
            "slip_copies",
            "default_layout",
            "thermal_qr_ec",
            "office_name",
            "printer_name",
        )
    }
    if args.print_direct is not None:
        changes["print_direct"] = args.print_direct == "yes"
    with services(args, tr) as ctx:
        if any(v is not None for v in changes.values()):
            return ctx.printing.configure(**changes).as_dict()
        return ctx.printing.settings().as_dict()

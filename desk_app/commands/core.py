"""init, catalogue, intake, show, search, status, queue, calendar."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from desk_app.commands.common import add_data_arg, read_json_input, services
from desk_app.domain.calendar import VN_TZ
from desk_app.domain.errors import ValidationError
from desk_app.domain.validation import parse_iso_date
from desk_app.services.queue import VIEWS


def register(sub) -> None:
    p = sub.add_parser("init", help="set up this desk's data folder")
    add_data_arg(p)
    p.add_argument("--unit-code", required=True, help="unit identifier, e.g. 000.31.14.H14 or H14.52.01")
    p.add_argument("--desk", required=True, type=int, help="desk number 1-9 within the commune")
    p.add_argument("--commune-code", default="", help="GSO code of the commune, e.g. 01273")
    p.add_argument("--unit-name", default="", help="name printed on forms")
    p.add_argument("--officer", default=None, metavar="NAME",
                   help="receiving officer's full name (Họ tên cán bộ tiếp nhận), recorded in history and printed on forms")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("catalogue", help="procedure catalogue")
    csub = p.add_subparsers(dest="catalogue_command", required=True)
    q = csub.add_parser("list")
    add_data_arg(q)
    q.add_argument("--find", default="", help="filter by name or code (diacritics-insensitive)")
    q.set_defaults(handler=cmd_catalogue_list)
    q = csub.add_parser("import")
    add_data_arg(q)
    q.add_argument("file", type=Path)
    q.add_argument("--allow-partial", action="store_true", help="import the good rows even if some are bad")
    q.set_defaults(handler=cmd_catalogue_import)

    p = sub.add_parser("intake", help="record a dossier")
    add_data_arg(p)
    p.add_argument("--json", required=True, help="intake JSON file, - for stdin")
    p.add_argument("--allow-missing", action="store_true",
                   help="save even when a required document of the procedure is not listed as received")
    p.set_defaults(handler=cmd_intake)

    p = sub.add_parser("show", help="show one dossier")
    add_data_arg(p)
    p.add_argument("code")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("search", help="search local dossiers")
    add_data_arg(p)
    p.add_argument("text", nargs="?", default="")
    p.add_argument("--status", default=None)
    p.add_argument("--view", choices=VIEWS, default="all")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(handler=cmd_search)

    p = sub.add_parser("status", help="record a status change")
    add_data_arg(p)
    p.add_argument("code")
    p.add_argument("status")
    p.add_argument("--note", default="")
    p.add_argument("--collector-name", default="", help="returned: who collected the result (full name)")
    p.add_argument("--collector-id", default="", help="returned: the collector's 12-digit ID number")
    p.add_argument("--post-tracking", default="", help="returned by post: the postal tracking number")
    p.set_defaults(handler=cmd_status)

    p = sub.add_parser("summary", help="queue counts for a supervisor")
    add_data_arg(p)
    p.set_defaults(handler=cmd_summary)

    p = sub.add_parser("calendar", help="extra days off / make-up working days")
    add_data_arg(p)
    p.add_argument("--set", nargs=2, metavar=("DATE", "KIND"), help="KIND = off, work or clear")
    p.add_argument("--note", default="")
    p.add_argument("--appointment", nargs=2, metavar=("RECEIVED_AT", "DAYS"), help="compute an appointment")
    p.add_argument("--list", type=int, metavar="YEAR", help="days off and make-up working days of YEAR, with their source")
    p.set_defaults(handler=cmd_calendar)


def cmd_init(args, tr):
    with services(args, tr, create=True) as ctx:
        config = ctx.setup.configure(
            unit_code=args.unit_code, desk=args.desk, commune_code=args.commune_code, unit_name=args.unit_name,
            officer=args.officer,
        )
        loaded = ctx.catalogue.ensure_sample()
        return {**config.as_dict(), "data": str(ctx.data_dir), "sample_procedures_loaded": loaded}


def cmd_catalogue_list(args, tr):
    with services(args, tr) as ctx:
        procs = ctx.catalogue.find(args.find, limit=100000) if args.find else ctx.catalogue.list()
        return [p.as_dict() for p in procs]


def cmd_catalogue_import(args, tr):
    with services(args, tr) as ctx:
        return ctx.catalogue.import_file(args.file, allow_partial=args.allow_partial)


def cmd_intake(args, tr):
    data = read_json_input(args.json)
    with services(args, tr) as ctx:
        return ctx.intake.intake(data, allow_missing=args.allow_missing).to_json()


def cmd_show(args, tr):
    with services(args, tr) as ctx:
        return ctx.queue.show(args.code).to_json()


def cmd_search(args, tr):
    with services(args, tr) as ctx:
        return ctx.queue.search(args.text, status=args.status, view=args.view, limit=args.limit)


def cmd_status(args, tr):
    with services(args, tr) as ctx:
        collector = {"name": args.collector_name, "id_number": args.collector_id, "post_tracking": args.post_tracking}
        return ctx.queue.set_status(args.code, args.status, note=args.note, collector=collector).to_json()


def cmd_summary(args, tr):
    with services(args, tr) as ctx:
        return ctx.queue.summary()


def cmd_calendar(args, tr):
    with services(args, tr) as ctx:
        if args.set:
            day_text, kind = args.set
            ctx.setup.set_day(parse_iso_date(day_text, field="date"), None if kind == "clear" else kind, args.note)
        result = {"overrides": ctx.store.list_calendar_overrides()}
        if args.list is not None:
            result = {"year": args.list, "days": ctx.setup.calendar_year(args.list)}
        if args.appointment:
            moment_text, days_text = args.appointment
            try:
                moment = datetime.fromisoformat(moment_text.strip())
                days = int(days_text)
            except ValueError as exc:
                raise ValidationError(
                    "Thời điểm hoặc số ngày không hợp lệ: {value}.", field="appointment", value=" ".join(args.appointment)
                ) from exc
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=VN_TZ)
            result["appointment_at"] = ctx.setup.calendar().appointment(moment, days=days).isoformat()
        return result

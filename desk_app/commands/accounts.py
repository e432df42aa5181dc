"""users, report, audit, verify: accounts, the supervisor's report and the audit trail.

Signing in is done once for every command by ``common.services`` (``--user`` with
$DESK_PASSWORD); the permission checks are the services' (docs/permissions.md).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from desk_app.commands.common import add_data_arg, services
from desk_app.domain.errors import DeskError, ErrorCode
from desk_app.domain.permissions import ROLES
from desk_app.domain.validation import parse_iso_date
from desk_app.services.accounts import MAX_PASSWORD


def register(sub) -> None:
    p = sub.add_parser("users", help="accounts of this desk's staff")
    usub = p.add_subparsers(dest="users_command", required=True)
    q = usub.add_parser("add", help="add an account (the first must be an admin; later ones need an admin's --user)")
    add_data_arg(q)
    q.add_argument("--username", required=True)
    q.add_argument("--role", required=True, choices=ROLES)
    q.add_argument("--full-name", required=True)
    q.add_argument("--password-stdin", action="store_true", required=True, help="read the new password from stdin")
    q.set_defaults(handler=cmd_users_add)
    q = usub.add_parser("list", help="JSON array of {username, role, full_name, active}")
    add_data_arg(q)
    q.set_defaults(handler=cmd_users_list)
    q = usub.add_parser("disable", help="disable an account (admin)")
    add_data_arg(q)
    q.add_argument("name")
    q.set_defaults(handler=cmd_users_disable)
    q = usub.add_parser("reset-password", help="set a new password (admin); lifts a lockout")
    add_data_arg(q)
    q.add_argument("name")
    q.add_argument("--password-stdin", action="store_true", required=True, help="read the new password from stdin")
    q.set_defaults(handler=cmd_users_reset)

    p = sub.add_parser("report", help="period report for a supervisor (JSON; optional .xlsx and A4 PDF)")
    add_data_arg(p)
    p.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--xlsx", type=Path, default=None, metavar="FILE")
    p.add_argument("--pdf", type=Path, default=None, metavar="FILE")
    p.set_defaults(handler=cmd_report)

    p = sub.add_parser("audit", help="the audit trail: JSON array of {at, user, action, code, before, after}")
    # Here --user is the filter (issue 11's contract); the reader signs in with --as (or
    # $DESK_USER).
    add_data_arg(p, user_option="--as")
    p.add_argument("--code", default=None)
    p.add_argument("--user", dest="by", default=None, metavar="U", help="only entries of this account")
    p.add_argument("--from", dest="date_from", default=None, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", default=None, metavar="YYYY-MM-DD")
    p.set_defaults(handler=cmd_audit)

    p = sub.add_parser("verify", help="SQLite integrity, audit chain, page files, outbox: JSON {ok, problems}")
    add_data_arg(p)
    p.set_defaults(handler=cmd_verify)


def read_new_password() -> str:
    """The new password: stdin's first line (a trailing newline is not part of it)."""
    text = sys.stdin.readline(MAX_PASSWORD + 2)
    return text.rstrip("\r\n")


def cmd_users_add(args, tr):
    password = read_new_password()
    with services(args, tr) as ctx:
        return ctx.accounts.add(args.username, args.role, args.full_name, password)


def cmd_users_list(args, tr):
    with services(args, tr) as ctx:
        return ctx.accounts.list()


def cmd_users_disable(args, tr):
    with services(args, tr) as ctx:
        return ctx.accounts.disable(args.name)


def cmd_users_reset(args, tr):
    password = read_new_password()
    with services(args, tr) as ctx:
        return ctx.accounts.reset_password(args.name, password)


def _period(args) -> tuple[date | None, date | None]:
    start = parse_iso_date(args.date_from, field="from") if args.date_from else None
    end = parse_iso_date(args.date_to, field="to") if args.date_to else None
    return start, end


def cmd_report(args, tr):
    start, end = _period(args)
    with services(args, tr) as ctx:
        return ctx.reports.export(start, end, xlsx=args.xlsx, pdf=args.pdf, tr=tr)


def cmd_audit(args, tr):
    start, end = _period(args)
    with services(args, tr) as ctx:
        entries = ctx.audit.entries(code=args.code, user=args.by, date_from=start, date_to=end)
        return [{k: e[k] for k in ("at", "user", "action", "code", "before", "after")} for e in entries]


class VerifyFailed(DeskError):
    code = ErrorCode.VERIFY_FAILED

    def __init__(self, report: dict):
        super().__init__("Kiểm tra phát hiện {n} vấn đề.", n=len(report["problems"]))
        self.report = report

    def as_json(self, tr):
        return {**self.report, "error": self.code, "message": self.translated(tr)}


def cmd_verify(args, tr):
    from desk_app.services.verify import verify_desk

    with services(args, tr) as ctx:
        report = verify_desk(ctx)
    if not report["ok"]:
        raise VerifyFailed(report)
    return report

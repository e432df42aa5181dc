"""edit: correct a saved dossier while it is still at the desk."""

from __future__ import annotations

from desk_app.commands.common import add_data_arg, read_json_input, services


def register(sub) -> None:
    p = sub.add_parser(
        "edit",
        help="correct a dossier still at the desk (status received): applicant, documents, sets, return channel, notes",
    )
    add_data_arg(p)
    p.add_argument("code")
    p.add_argument(
        "--json", required=True,
        help='changes JSON file, - for stdin: {"applicant": {...}, "documents": [...], "sets", "return_channel", '
        '"notes", "note": "why"}; only the keys given change',
    )
    p.set_defaults(handler=cmd_edit)


def cmd_edit(args, tr):
    changes = read_json_input(args.json)
    with services(args, tr) as ctx:
        return ctx.edits.edit(args.code, changes).to_json()

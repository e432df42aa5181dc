"""backup, restore, diagnostics: keeping a desk recoverable and supportable."""

from __future__ import annotations

from pathlib import Path

from desk_app.commands.common import add_data_arg, services
from desk_app.paths import default_data_dir


def register(sub) -> None:
    p = sub.add_parser("backup", help="back up the data folder (database + page files), verified")
    add_data_arg(p)
    p.add_argument("--out", required=True, type=Path, help="backup folder (e.g. on a USB drive)")
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("restore", help="restore a backup into an empty data folder")
    p.add_argument("--data", required=True, type=Path, help="data folder to restore into (must be empty)")
    p.add_argument("--from", dest="source", required=True, type=Path, help="backup folder (desk-backup-...)")
    p.add_argument("--force", action="store_true", help="restore into a non-empty folder (old databases are moved aside)")
    p.set_defaults(handler=cmd_restore)

    p = sub.add_parser("diagnostics", help="write a support zip without personal data")
    add_data_arg(p)
    p.add_argument("--out", required=True, type=Path, help="zip file to write")
    p.set_defaults(handler=cmd_diagnostics)


def cmd_backup(args, tr):
    from desk_app.domain.permissions import BACKUP
    from desk_app.services.backup import backup
    from desk_app.store.database import DB_FILENAME

    # A backup copies every citizen's data: once the desk has accounts, an administrator's
    # (--user); the entry goes in first so the backup holds it too.
    data = args.data or default_data_dir()
    if (data / DB_FILENAME).is_file():  # else backup() says what is wrong with the folder
        with services(args, tr) as ctx:
            ctx.require(BACKUP)
            ctx.audit.record("backup.make", after={"out": str(args.out)})
    return backup(data, args.out)


def cmd_restore(args, tr):
    from desk_app.services.backup import restore

    return restore(args.source, args.data, force=args.force)


def cmd_diagnostics(args, tr):
    from desk_app.services.diagnostics import write_diagnostics

    return write_diagnostics(args.data or default_data_dir(), args.out)

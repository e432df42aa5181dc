"""selftest: check an installation headless (temporary store, receipt codes, pages, backup)."""

from __future__ import annotations

from pathlib import Path

EXIT_FAILED = 1


def register(sub) -> None:
    p = sub.add_parser(
        "selftest",
        help="check this installation in a temporary folder; JSON {ok, checks}; exit 0 only when all pass",
    )
    p.add_argument("--work", type=Path, default=None, help="folder for the temporary files (default: system temp)")
    p.set_defaults(handler=cmd_selftest)


def cmd_selftest(args, tr):
    from desk_app.cli import emit
    from desk_app.services.selftest import run_selftest

    report = run_selftest(tr, work_dir=args.work)
    emit(report)
    # The report is printed either way; the exit code is what installers and CI look at.
    raise SystemExit(0 if report["ok"] else EXIT_FAILED)

"""ocr: recognise the words on stored pages (Vietnamese, Tesseract) for search and PDF text."""

from __future__ import annotations

import time

from desk_app.commands.common import add_data_arg, services

WAIT_POLL_S = 1.0


def register(sub) -> None:
    p = sub.add_parser("ocr", help="recognise pending pages (all, or one dossier's) for search and PDF text")
    add_data_arg(p)
    p.add_argument("code", nargs="?", default=None, help="only this dossier's pages")
    p.add_argument("--wait", action="store_true",
                   help="return only when no page is pending (also pages the running app is recognising)")
    p.add_argument("--retry-failed", action="store_true", help="recognise again pages that failed before")
    switch = p.add_mutually_exclusive_group()
    switch.add_argument("--off", dest="enable", action="store_false", default=None,
                        help="stop the app's background recognition on this desk (a very weak PC)")
    switch.add_argument("--on", dest="enable", action="store_true", default=None, help="recognise in the background again")
    p.add_argument("--status", action="store_true", help="only report: engine, on/off, pages pending")
    p.set_defaults(handler=cmd_ocr)


def cmd_ocr(args, tr):
    started = time.perf_counter()
    with services(args, tr) as ctx:
        if args.enable is not None:
            ctx.ocr.set_enabled(args.enable)
        if args.status or args.enable is not None:
            return ctx.ocr.state()
        if args.retry_failed:
            ctx.ocr.retry_failed()
        result = ctx.ocr.run_pending(args.code)
        pages, failed = result["pages"], result["failed"]
        # Pages another process (the app's worker) took meanwhile are done by it; --wait
        # returns when the folder has none pending, whoever recognised them.
        while args.wait and result["pending"]:
            time.sleep(WAIT_POLL_S)
            result = ctx.ocr.run_pending(args.code)
            pages, failed = pages + result["pages"], failed + result["failed"]
        return {
            "pages": pages,
            "failed": failed,
            "pending": result["pending"],
            "seconds": round(time.perf_counter() - started, 2),
        }

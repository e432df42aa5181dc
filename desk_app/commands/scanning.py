"""attach, scan, export-pdf, pages, verify-files, scanners, watch: digitising dossiers headless."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from desk_app.commands.common import add_data_arg, services
from desk_app.domain.errors import DeskError, ErrorCode, ValidationError
from desk_app.i18n import N_
from desk_app.scanning.modes import MODES
from desk_app.scanning.sources import available_backends
from desk_app.scanning.sources.base import SOURCES, ScanSettings


def register(sub) -> None:
    p = sub.add_parser("attach", help="attach image/PDF files as pages of one document of a dossier")
    add_data_arg(p)
    p.add_argument("code")
    p.add_argument("--document", required=True, help="document name as on the dossier's checklist")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--mode", choices=MODES, default="auto")
    p.set_defaults(handler=cmd_attach)

    p = sub.add_parser("scan", help="scan pages into one document of a dossier")
    add_data_arg(p)
    p.add_argument("code")
    p.add_argument("--document", required=True)
    p.add_argument("--device", required=True, help="e.g. test:0 (SANE), wia:<id>, twain:<name>")
    p.add_argument("--source", choices=SOURCES, default="flatbed")
    p.add_argument("--pages", type=int, default=None, help="feeder: stop after N pages")
    p.add_argument("--dpi", type=int, default=200)
    p.add_argument("--mode", choices=MODES, default="auto")
    p.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                   help="backend option, e.g. test_picture=Grid (SANE)")
    p.set_defaults(handler=cmd_scan)

    p = sub.add_parser("scanners", help="list scanners")
    p.set_defaults(handler=cmd_scanners)

    p = sub.add_parser("export-pdf", help="one PDF per digitised document")
    add_data_arg(p)
    p.add_argument("code")
    p.add_argument("--out", required=True, type=Path)
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("pages", help="which documents of a dossier are digitised")
    add_data_arg(p)
    p.add_argument("code")
    p.set_defaults(handler=cmd_pages)

    p = sub.add_parser("verify-files", help="check stored page files: missing, altered, orphans")
    add_data_arg(p)
    p.set_defaults(handler=cmd_verify)

    p = sub.add_parser("watch", help="attach files a copier drops into a folder")
    add_data_arg(p)
    p.add_argument("folder", type=Path)
    p.add_argument("--code", required=True)
    p.add_argument("--document", required=True)
    p.add_argument("--mode", choices=MODES, default="auto")
    p.add_argument("--interval", type=float, default=2.0)
    p.add_argument("--once", action="store_true", help="take what is stable now (two polls) and exit")
    p.set_defaults(handler=cmd_watch)


def _progress(done: int, total: int) -> None:
    sys.stderr.write(f"\r{done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def cmd_attach(args, tr):
    with services(args, tr) as ctx:
        progress = _progress if sys.stderr.isatty() else None
        return ctx.digitise.attach_files(args.code, args.document, args.files, mode=args.mode, progress=progress)


def _options(pairs: list[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ValidationError("Tùy chọn máy quét phải có dạng KHÓA=GIÁ_TRỊ: {value}.", field="option", value=pair)
        out[key.strip().replace("-", "_")] = int(value) if value.isdigit() else value
    return out


def cmd_scan(args, tr):
    if not 50 <= args.dpi <= 1200:
        raise ValidationError("Độ phân giải không hợp lệ: {value} dpi.", field="dpi", value=args.dpi)
    settings = ScanSettings(source=args.source, dpi=args.dpi, max_pages=args.pages, options=_options(args.option))
    with services(args, tr) as ctx:
        return ctx.digitise.scan(args.code, args.document, available_backends(), args.device, settings, mode=args.mode)


def cmd_scanners(args, tr):
    devices = []
    for backend in available_backends():
        try:
            devices += [d.as_dict() for d in backend.devices()]
        except DeskError:
            continue
    return devices


def cmd_export(args, tr):
    with services(args, tr) as ctx:
        return ctx.digitise.export_pdfs(args.code, args.out)


def cmd_pages(args, tr):
    with services(args, tr) as ctx:
        return ctx.digitise.status(args.code)


def cmd_verify(args, tr):
    with services(args, tr) as ctx:
        report = ctx.digitise.verify_files()
    if not report["ok"]:
        raise _Damaged(report)
    return report


class _Damaged(DeskError):
    code = ErrorCode.FILES_DAMAGED

    def __init__(self, report: dict):
        super().__init__(
            N_("Kho tệp có lỗi: {missing} tệp bị thiếu, {altered} tệp bị thay đổi."),
            missing=len(report["missing"]), altered=len(report["altered"]),
        )
        self.report = report

    def as_json(self, tr):
        return {**super().as_json(tr), **self.report}


def cmd_watch(args, tr):
    from desk_app.scanning.watch import WatchedFolder

    folder = WatchedFolder(args.folder)
    results = []
    with services(args, tr) as ctx:
        ctx.digitise.check_target(args.code, args.document)
        polls = 0
        while True:
            for path in folder.poll():
                try:
                    pages = ctx.digitise.attach_files(args.code, args.document, [path], mode=args.mode)
                except DeskError as exc:
                    folder.finish(path, error=exc.translated(tr))
                    results.append({"file": path.name, "error": exc.translated(tr)})
                else:
                    folder.finish(path)
                    results.append({"file": path.name, "pages": pages})
            polls += 1
            if args.once and polls >= folder.stable_polls:
                return results
            time.sleep(args.interval if not args.once else min(args.interval, 0.5))

"""The headless ``desk`` command for IT staff and automation.

JSON on stdout; errors as one JSON object on stderr with a non-zero exit code:
1 = a user/data error (nothing was written), 2 = wrong usage, 3 = an unexpected failure.
Each group of subcommands lives in ``desk_app.commands.<name>`` and registers itself.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from typing import Any, NoReturn

from desk_app import __version__
from desk_app.domain.errors import DeskError, ErrorCode
from desk_app.i18n import LANGUAGES, Translator

COMMAND_MODULES = ("core", "forms", "scanning", "sync", "backup", "ocr", "edits", "selftest", "accounts")
EXIT_USER_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


def emit(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
    sys.stdout.flush()


def emit_error(value: dict[str, Any]) -> None:
    json.dump(value, sys.stderr, ensure_ascii=False)
    sys.stderr.write("\n")
    sys.stderr.flush()


class JsonArgumentParser(argparse.ArgumentParser):
    """Usage errors, like every other error, are one JSON object on stderr (exit 2)."""

    def error(self, message: str) -> NoReturn:
        tr = Translator(_language_from_argv())
        emit_error({"error": "usage", "message": tr("Sai cú pháp lệnh: {detail}", detail=message), "usage": self.format_usage().strip()})
        raise SystemExit(EXIT_USAGE)


def _language_from_argv() -> str:
    import os

    argv = sys.argv[1:]
    for i, arg in enumerate(argv):
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
    return os.environ.get("DESK_LANG", "vi")


def build_parser() -> argparse.ArgumentParser:
    parser = JsonArgumentParser(prog="desk", description="Bộ phận Một cửa: desk app command line")
    parser.add_argument("--version", action="version", version=f"desk {__version__}")
    parser.add_argument("--lang", choices=LANGUAGES, default=None, help="message language (default vi)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=JsonArgumentParser)
    for name in COMMAND_MODULES:
        importlib.import_module(f"desk_app.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Windows consoles default to a legacy code page; our JSON is UTF-8.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    parser = build_parser()
    args = parser.parse_args(argv)
    import os

    tr = Translator(args.lang or os.environ.get("DESK_LANG", "vi"))
    _log_into_data_folder(args)
    try:
        result = args.handler(args, tr)
    except DeskError as exc:
        _log_failure(args, exc)
        emit_error(exc.as_json(tr))
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # last resort: still a clear message; every write is one transaction
        _log_failure(args, exc)
        emit_error({"error": ErrorCode.INTERNAL, "message": tr("Lỗi không mong đợi: {detail}", detail=repr(exc))})
        return EXIT_INTERNAL
    if result is not None:
        try:
            emit(result)
        except BrokenPipeError:  # `desk search ... | head`: the reader left; the data is saved
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _log_into_data_folder(args) -> None:
    """Commands on an existing desk log into its rotating file like the app does (a folder
    that is not a desk yet, such as a restore target, gets no logs/ folder)."""
    data = getattr(args, "data", None)
    if data is None:
        from desk_app.paths import default_data_dir

        data = default_data_dir()
    from desk_app.store.database import DB_FILENAME

    if args.command != "restore" and (data / DB_FILENAME).is_file():
        from desk_app.services.logs import setup_logging

        setup_logging(data)
    else:  # no log file: stderr stays one JSON object (no "last resort" log lines on it)
        import logging

        logging.getLogger().addHandler(logging.NullHandler())


def _log_failure(args, exc: BaseException) -> None:
    from desk_app.services.logs import log_error

    log_error(f"desk {args.command} failed", exc)


if __name__ == "__main__":
    raise SystemExit(main())

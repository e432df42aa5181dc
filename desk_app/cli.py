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
from typing import Any

from desk_app import __version__
from desk_app.domain.errors import DeskError
from desk_app.i18n import LANGUAGES, Translator

COMMAND_MODULES = ("core",)


def emit(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="desk", description="Bộ phận Một cửa: desk app command line")
    parser.add_argument("--version", action="version", version=f"desk {__version__}")
    parser.add_argument("--lang", choices=LANGUAGES, default=None, help="message language (default vi)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
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
    try:
        result = args.handler(args, tr)
    except DeskError as exc:
        json.dump(exc.as_json(tr), sys.stderr, ensure_ascii=False)
        sys.stderr.write("\n")
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # last resort: still a clear message, never a half-written file
        json.dump({"error": "internal", "message": tr("Lỗi không mong đợi: {detail}", detail=repr(exc))}, sys.stderr, ensure_ascii=False)
        sys.stderr.write("\n")
        return 3
    if result is not None:
        emit(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

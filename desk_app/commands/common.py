"""Helpers shared by the subcommand modules."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Iterator

from desk_app.domain.errors import ValidationError
from desk_app.paths import default_data_dir
from desk_app.services.context import DeskServices, build_services


def add_data_arg(parser) -> None:
    parser.add_argument("--data", type=Path, default=None, help="data folder (default: per-user folder)")


@contextlib.contextmanager
def services(args, tr, *, create: bool = False) -> Iterator[DeskServices]:
    ctx = build_services(args.data or default_data_dir(), tr=tr, create=create)
    try:
        yield ctx
    finally:
        ctx.close()


MAX_JSON_BYTES = 10 * 1024 * 1024


def read_json_input(source: str) -> dict:
    """Read the intake JSON from a file or stdin (``-``), as UTF-8 bytes whatever the console
    code page (Windows), with or without a BOM."""
    try:
        raw = sys.stdin.buffer.read(MAX_JSON_BYTES + 1) if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        raise ValidationError(
            "Không đọc được tệp {path}: {detail}.", field="json", path=source, detail=exc.strerror or str(exc)
        ) from None
    if len(raw) > MAX_JSON_BYTES:
        raise ValidationError("Dữ liệu JSON quá lớn.", field="json")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("Dữ liệu JSON phải là văn bản UTF-8.", field="json") from None
    if not text.strip():
        raise ValidationError("Dữ liệu JSON rỗng.", field="json")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            "JSON không hợp lệ ở dòng {line}, cột {column}: {detail}.",
            field="json",
            line=exc.lineno,
            column=exc.colno,
            detail=exc.msg,
        ) from None

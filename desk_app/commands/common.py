"""Helpers shared by the subcommand modules."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from desk_app.domain.errors import ValidationError
from desk_app.paths import default_data_dir
from desk_app.services.context import DeskServices, build_services

PASSWORD_ENV = "DESK_PASSWORD"


USER_ENV = "DESK_USER"


def add_data_arg(parser, *, user_option: str = "--user") -> None:
    parser.add_argument("--data", type=Path, default=None, help="data folder (default: per-user folder)")
    parser.add_argument(
        user_option, dest="user", default=None, metavar="NAME",
        help=f"account to act as once the desk has accounts (default ${USER_ENV}; password from "
        f"${PASSWORD_ENV}, or asked on a terminal)",
    )


def cli_password(prompt: str) -> str:
    """The signing-in password: $DESK_PASSWORD, else asked on a terminal (never echoed), else ""."""
    import os

    password = os.environ.get(PASSWORD_ENV)
    if password is None and sys.stdin.isatty():
        import getpass

        password = getpass.getpass(prompt)
    return password or ""


@contextlib.contextmanager
def services(args, tr, *, create: bool = False) -> Iterator[DeskServices]:
    """The services of ``--data``, signed in as ``--user`` when given. This is the one place the
    CLI authenticates: wrong credentials fail here (error "auth"); a call the account may not
    make fails in the guarded service (error "forbidden"), and nothing is written either way."""
    import os

    ctx = build_services(args.data or default_data_dir(), tr=tr, create=create)
    try:
        user = getattr(args, "user", None) or os.environ.get(USER_ENV)
        if user:
            ctx.accounts.login(user, cli_password(tr("Mật khẩu của {user}: ", user=user)))
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
        ) from exc
    if len(raw) > MAX_JSON_BYTES:
        raise ValidationError("Dữ liệu JSON quá lớn.", field="json")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError("Dữ liệu JSON phải là văn bản UTF-8.", field="json") from exc
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
        ) from exc

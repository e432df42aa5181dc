"""``python -m sync.server COMMAND --data DIR ...``: run and administer the reference server.

JSON on stdout; an error is one JSON object on stderr and exit code 1.
The database URL given to ``serve`` is remembered in DIR/server.json, so the other commands
find a PostgreSQL database without repeating ``--database-url``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desk_common.fsutil import write_atomic
from sync.bundle import BundleError
from sync.server import accesslog
from sync.server.admin import AdminError, Province
from sync.server.secrets_at_rest import KEY_ENV
from sync.server.storage import DEFAULT_POOL_SIZE, POOL_SIZE_ENV

CONFIG = "server.json"


def write_private(path: Path, data: bytes) -> None:
    write_atomic(path, data, mode=0o600)


def _remembered(args: argparse.Namespace, name: str) -> str | None:
    """``--database-url`` / ``--object-store`` as given, else as ``serve`` remembered it."""
    if getattr(args, name, None):
        return str(getattr(args, name))
    path = Path(args.data) / CONFIG
    if path.exists():
        value = json.loads(path.read_text(encoding="utf-8")).get(name)
        return str(value) if value else None
    return None


def _database_url(args: argparse.Namespace) -> str | None:
    return _remembered(args, "database_url")


def _province(args: argparse.Namespace) -> Province:
    return Province(
        Path(args.data), _database_url(args), key_file=getattr(args, "key_file", None), object_store=_remembered(args, "object_store"),
        db_pool_size=getattr(args, "db_pool_size", None),
    )


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    from sync.server.app import create_app
    from sync.server.deps import ServerSettings

    if bool(args.certfile) != bool(args.keyfile):
        raise ValueError("--certfile and --keyfile go together")
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    remember = {name: getattr(args, name) for name in ("database_url", "object_store") if getattr(args, name)}
    if remember:
        config = data / CONFIG
        kept = json.loads(config.read_text(encoding="utf-8")) if config.exists() else {}
        write_private(config, json.dumps({**kept, **remember}).encode())
    province = _province(args)
    province.files.ttl = args.upload_ttl
    province.files.quota = args.upload_quota_mb * 1024 * 1024
    settings = ServerSettings(
        min_free_bytes=args.min_free_mb * 1024 * 1024, desk_version=args.desk_version, desk_download_url=args.desk_download_url
    )
    listener = accesslog.configure(args.access_log) if args.access_log else None
    scheme = "https" if args.certfile else "http"
    print(json.dumps({
        "listening": f"{scheme}://{args.host}:{args.port}", "database": province.db.dialect, "objects": province.files.objects.description,
    }), flush=True)
    uvicorn.run(
        create_app(province, settings),
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        timeout_keep_alive=30,
        server_header=False,  # every byte counts on a 2G link
        date_header=False,
        h11_max_incomplete_event_size=64 * 1024,
        ssl_certfile=args.certfile,
        ssl_keyfile=args.keyfile,
    )
    if listener is not None:
        listener.stop()  # the last lines reach the file


def _with(fn: Callable[[Province, argparse.Namespace], Any]) -> Callable[[argparse.Namespace], Any]:
    """An admin command run on a Province opened for it and closed after."""

    def run(args: argparse.Namespace) -> Any:
        province = _province(args)
        try:
            return fn(province, args)
        finally:
            province.close()

    return run


def _procedure(args: argparse.Namespace) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(args.file).read_text(encoding="utf-8")) if args.file != "-" else json.load(sys.stdin)
    return data


COMMANDS = {
    "enroll-code": _with(lambda p, a: p.enroll_code(a.unit_code, a.desk)),
    "revoke": _with(lambda p, a: p.revoke(a.desk_id)),
    "desks": _with(lambda p, a: p.list_desks()),
    "dossiers": _with(lambda p, a: p.dossiers()),
    "flags": _with(lambda p, a: p.flags()),
    "set-status": _with(lambda p, a: p.set_status(a.code, a.status, a.note, a.actor)),
    "publish-procedure": _with(lambda p, a: p.publish_procedure(_procedure(a), a.unit_code)),
    "publish-day": _with(lambda p, a: p.publish_calendar(a.day, a.kind, a.note, a.unit_code)),
    "import-bundle": _with(lambda p, a: p.import_bundle(Path(a.file), allow_plain=a.allow_plain)),
    "bundle-key": _with(lambda p, a: _bundle_key(p, a.out)),
    "verify-receipt": _with(lambda p, a: p.verify_receipt(a.code, a.tag)),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sync.server",
        description="Reference provincial sync server for the commune desks (protocol v1.1,\n"
        "docs/sync-protocol.md). Every command works on one server data folder (--data).",
        epilog="Pilot in three steps:\n"
        "  python -m sync.server serve --data /srv/sync --host 0.0.0.0 --port 8443 \\\n"
        "      --certfile cert.pem --keyfile key.pem     (or behind a TLS proxy: docs/security.md)\n"
        "  python -m sync.server enroll-code --data /srv/sync --unit-code 000.31.14.H14 --desk 3\n"
        "  (at the desk)  desk enroll --server https://HOST:8443 --code CODE [--ca-file CA.pem | --pin SHA256]\n"
        "Admin commands print JSON on stdout; an error is a JSON object on stderr and exit code 1.\n"
        "Run 'python -m sync.server COMMAND --help' for a command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text[:1].upper() + help_text[1:] + ".")
        p.add_argument("--data", required=True, metavar="DIR", help="server data folder (database, files)")
        p.add_argument(
            "--key-file", default=None, metavar="FILE",
            help=f"key that wraps the desks' secrets, kept apart from --data (default: ${KEY_ENV}, else DIR/../<DIR name>.key)",
        )
        p.add_argument(
            "--database-url", default=None, metavar="URL",
            help="postgresql://user:password@host/db (default: SQLite in --data; remembered by serve)",
        )
        p.add_argument(
            "--object-store", default=None, metavar="URL",
            help="s3://BUCKET?endpoint=URL[&region=R][&prefix=P]: files in an S3-compatible store (MinIO, Ceph RGW), "
            "credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (default: $SYNC_OBJECT_STORE, else files in --data; "
            "remembered by serve)",
        )
        return p

    p = command("serve", "run the HTTP server (OpenAPI at /openapi.json, docs at /docs)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s; 0.0.0.0 = all)")
    p.add_argument("--port", type=int, default=8080, help="TCP port (default: %(default)s)")
    p.add_argument("--certfile", default=None, metavar="PEM", help="serve HTTPS with this certificate (chain) file")
    p.add_argument("--keyfile", default=None, metavar="PEM", help="the certificate's private key (with --certfile)")
    p.add_argument(
        "--min-free-mb", type=int, default=256, metavar="MB",
        help="below this much free disk, uploads and records get 507 while reads go on (default: %(default)s)",
    )
    p.add_argument(
        "--upload-ttl", type=float, default=24 * 3600, metavar="SECONDS",
        help="an unfinished upload untouched this long expires (default: %(default)s)",
    )
    p.add_argument(
        "--upload-quota-mb", type=int, default=1024, metavar="MB",
        help="bytes one desk may hold in unfinished uploads (default: %(default)s)",
    )
    p.add_argument(
        "--db-pool-size", type=int, default=None, metavar="N",
        help=f"PostgreSQL connections this process keeps at most (default: ${POOL_SIZE_ENV}, else {DEFAULT_POOL_SIZE})",
    )
    p.add_argument("--desk-version", default="", metavar="X.Y.Z",
                   help="app version desks should run; older desks show an update notice (default: none)")
    p.add_argument("--desk-download-url", default="", metavar="URL", help="where desks get that version")
    p.add_argument(
        "--access-log", default=None, metavar="PATH",
        help="one JSON line per request (route, status, ms, bytes, desk id; no personal data) to PATH, - for stdout",
    )
    p.add_argument(
        "--log-level", default="warning", choices=("critical", "error", "warning", "info", "debug", "trace"),
        help="HTTP server log level (default: %(default)s)",
    )
    p = command("enroll-code", "one-time enrollment code for a unit and desk (valid 7 days, single use)")
    p.add_argument("--unit-code", required=True, help="the commune unit identifier, e.g. 000.31.14.H14")
    p.add_argument("--desk", required=True, type=int, help="desk number 1-9")
    p = command("revoke", "revoke a desk credential")
    p.add_argument("--desk-id", required=True, help="as listed by the desks command")
    command("desks", "enrolled desks with their last heartbeat (backlog, version, clock)")
    command("dossiers", "received dossiers with their files (JSON array)")
    command("flags", "records both sides changed, for a supervisor")
    p = command("set-status", "record a processing decision and publish it to the desks")
    p.add_argument("code")
    p.add_argument("status", help="accepted, transferred, processing, supplement_requested, result_ready, refused")
    p.add_argument("--note", default="")
    p.add_argument("--actor", default="")
    p = command("publish-procedure", "publish a catalogue entry (JSON object file, - for stdin)")
    p.add_argument("file")
    p.add_argument("--unit-code", default="", help="only for one unit (default: every desk)")
    p = command("publish-day", "publish an extra day off / make-up working day")
    p.add_argument("day", help="YYYY-MM-DD")
    p.add_argument("kind", choices=("off", "work", "clear"))
    p.add_argument("--note", default="")
    p.add_argument("--unit-code", default="")
    p = command("import-bundle", "import a desk's USB bundle (idempotent)")
    p.add_argument("file")
    p.add_argument("--allow-plain", action="store_true", help="also accept a bundle not encrypted to the province (desks before issue 12)")
    p = command("bundle-key", "the province's public key desks encrypt USB bundles to")
    p.add_argument("--out", default=None, help="also write it to this file (for desk export-bundle --province-key)")
    p = command("verify-receipt", "check a receipt's code and tag")
    p.add_argument("code")
    p.add_argument("tag")
    return parser


def _bundle_key(province: Province, out: str | None) -> dict[str, Any]:
    key = province.bundle_public_key()
    if out:
        Path(out).write_text(key + "\n", encoding="ascii")
    return {"bundle_key": key, **({"out": out} if out else {})}


def main(argv: list[str] | None = None) -> int:
    os.umask(0o077)  # everything the server writes is private to its user (docs/security.md)
    args = build_parser().parse_args(argv)
    try:
        if args.command == "serve":
            cmd_serve(args)
            return 0
        result = COMMANDS[args.command](args)
    except (AdminError, BundleError) as exc:
        json.dump({"error": exc.reason, "detail": exc.detail}, sys.stderr)
        sys.stderr.write("\n")
        return 1
    except (OSError, ValueError) as exc:
        json.dump({"error": "failed", "detail": str(exc)}, sys.stderr)
        sys.stderr.write("\n")
        return 1
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

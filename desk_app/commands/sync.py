"""enroll, sync, sync-status, sync-retry, export-bundle: the desk's side of provincial sync."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from desk_app.commands.common import add_data_arg, services


def register(sub) -> None:
    p = sub.add_parser("enroll", help="register this desk with the provincial server (one-time code)")
    add_data_arg(p)
    p.add_argument("--server", required=True, help="server address, e.g. https://sync.example.gov.vn")
    p.add_argument("--code", required=True, help="one-time enrollment code from the province")
    p.add_argument("--pin", default=None, help="SHA-256 of the server's public key, from the province (self-signed server)")
    p.add_argument("--ca-file", default=None, help="the province's CA certificate (PEM) when not in the system's store")
    p.set_defaults(handler=cmd_enroll)

    p = sub.add_parser("sync", help="send pending records and files, fetch the province's changes")
    add_data_arg(p)
    p.add_argument("--once", action="store_true", help="one round; exit 0 only when everything is confirmed")
    p.add_argument("--interval", type=float, default=60.0, help="seconds between rounds without --once")
    p.add_argument("--timeout", type=float, default=None, help="seconds to wait for the server per request")
    p.add_argument("--max-attempts", type=int, default=None, help="tries per request on transport errors")
    p.set_defaults(handler=cmd_sync)

    p = sub.add_parser("sync-status", help="is this desk synced? (JSON)")
    add_data_arg(p)
    p.add_argument("--no-ping", action="store_true", help="do not contact the server")
    p.set_defaults(handler=cmd_sync_status)

    p = sub.add_parser("sync-retry", help="put quarantined records back in the queue")
    add_data_arg(p)
    p.add_argument("keys", nargs="*", help="idempotency keys (default: all quarantined)")
    p.set_defaults(handler=cmd_sync_retry)

    p = sub.add_parser("clock-recover", help="a supervisor declares the PC clock was wrong; intake continues (audited)")
    add_data_arg(p)
    p.add_argument("--note", required=True, help="what was wrong with the clock and when it was corrected")
    p.set_defaults(handler=cmd_clock_recover)

    p = sub.add_parser("export-bundle", help="write pending records and files to a signed USB bundle")
    add_data_arg(p)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--province-key", type=Path, default=None,
                   help="the province's bundle key file (server: bundle-key --out FILE), when the desk never synced online")
    p.set_defaults(handler=cmd_export_bundle)


def cmd_enroll(args, tr):
    with services(args, tr) as ctx:
        return ctx.sync.enroll(args.server, args.code, pin=args.pin, ca_file=args.ca_file)


def _client_options(args) -> dict:
    options = {}
    if args.timeout is not None:
        options["timeout"] = args.timeout
        options["connect_timeout"] = min(args.timeout, 10.0)
    if args.max_attempts is not None:
        options["max_attempts"] = max(1, args.max_attempts)
    return options


def cmd_sync(args, tr):
    from desk_app.cli import emit

    with services(args, tr) as ctx:
        ctx.sync.client_options.update(_client_options(args))
        if args.once:
            summary = ctx.sync.sync_once(tr=tr)
            if summary.ok:
                return summary.to_json()
            emit(summary.to_json())
            raise SystemExit(1)  # the JSON summary is on stdout; not everything is confirmed
        failures = 0
        while True:  # headless loop for IT staff: Ctrl+C stops it
            summary = ctx.sync.sync_once(tr=tr)
            emit(summary.to_json())
            sys.stdout.flush()
            failures = failures + 1 if summary.transport_failed else 0
            # Exponential backoff with jitter after transport failures, else the interval.
            delay = min(args.interval * 10, args.interval * (2 ** failures)) if failures else args.interval
            time.sleep(random.uniform(delay / 2, delay))


def cmd_sync_status(args, tr):
    with services(args, tr) as ctx:
        status = ctx.sync.status(ping=not args.no_ping)
        status["quarantined_records"] = ctx.sync.quarantined()
        status["flagged"] = ctx.sync.conflicts()
        return status


def cmd_sync_retry(args, tr):
    with services(args, tr) as ctx:
        return {"requeued": ctx.sync.retry_quarantined(args.keys or None)}


def cmd_clock_recover(args, tr):
    with services(args, tr) as ctx:
        return ctx.desk_clock.recover(args.note)


def cmd_export_bundle(args, tr):
    with services(args, tr) as ctx:
        return ctx.sync.export_bundle(args.out, province_key=args.province_key)

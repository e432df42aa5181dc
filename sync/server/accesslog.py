"""Access log: one JSON line per HTTP request, without personal data (docs/security.md).

A line holds the time (UTC), the method, the *route template* (``/v1/files/{sha}``, never
the raw path with its file hash, and never a query string), the status, the duration in
milliseconds, the bytes received and sent, the desk id (a random pseudonym the province
maps to a commune desk; only its safe characters are kept, since an unauthenticated caller
chooses it) and a request id (a proxy's ``X-Request-Id`` when it is a plain token, else a
new one; given back in the answer's ``X-Request-Id``). Bodies, headers other than those two
and client addresses are never read: names, ID numbers and dossier codes travel only in
bodies and paths, so they cannot reach the log.

``--access-log PATH`` appends to a file (reopened when logrotate moves it), ``-`` writes to
standard output. Lines are written by a background thread (``QueueListener``): the event
loop never waits on the disk.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import queue
import re
import secrets
import sys
import time
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOGGER = "sync.server.access"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
UNMATCHED = "(unmatched)"  # no route: the raw path is not logged either


def configure(target: str) -> logging.handlers.QueueListener:
    """Send the access log to ``target`` (a file path, or ``-`` for standard output); the
    returned listener is started (stop it to flush at shutdown)."""
    handler: logging.Handler = (
        logging.StreamHandler(sys.stdout) if target == "-" else logging.handlers.WatchedFileHandler(target, encoding="utf-8")
    )
    handler.setFormatter(logging.Formatter("%(message)s"))
    lines: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    logger = logging.getLogger(LOGGER)
    logger.handlers[:] = [logging.handlers.QueueHandler(lines)]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    listener = logging.handlers.QueueListener(lines, handler)
    listener.start()
    return listener


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            text = value.decode("latin-1")
            return text if TOKEN_RE.match(text) else ""
    return ""


class AccessLog:
    """Pure ASGI middleware (streaming bodies pass through untouched, only counted)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.logger = logging.getLogger(LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.logger.handlers:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _header(scope, b"x-request-id") or secrets.token_hex(8)
        counts = {"in": 0, "out": 0, "status": 500}

        async def counting_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                counts["in"] += len(message.get("body", b""))
            return message

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                counts["status"] = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            elif message["type"] == "http.response.body":
                counts["out"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, counting_receive, counting_send)
        finally:
            self.logger.info(json.dumps(self._line(scope, counts, started, request_id), separators=(",", ":")))

    @staticmethod
    def _line(scope: Scope, counts: dict[str, int], started: float, request_id: str) -> dict[str, Any]:
        route = scope.get("route")
        return {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "method": scope.get("method", ""),
            "route": getattr(route, "path", None) or UNMATCHED,
            "status": counts["status"],
            "ms": round((time.perf_counter() - started) * 1000, 1),
            "bytes_in": counts["in"],
            "bytes_out": counts["out"],
            "desk": _header(scope, b"x-sync-desk"),
            "request_id": request_id,
        }

"""What a failed HTTP exchange with the server means (a SyncError of the right kind) and how
long to wait before trying again. No connections here: used by sync/client.py and
sync/tus_upload.py on the client's thread (a background thread, never the UI thread).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import requests
from urllib3.exceptions import ConnectTimeoutError

from sync.errors import AUTHENTICATION, CLOCK, SERVER, TRANSPORT, SyncError


@dataclass
class Backoff:
    """Exponential backoff with full jitter: attempt n waits uniform(0, min(cap, base*2^n))."""

    base: float = 0.5
    cap: float = 60.0
    attempts: int = 0
    rng: random.Random | None = None

    def next_delay(self) -> float:
        ceiling = min(self.cap, self.base * (2 ** self.attempts))
        self.attempts += 1
        return (self.rng or random).uniform(ceiling / 4, ceiling)

    def reset(self) -> None:
        self.attempts = 0


def _header_int(response: requests.Response, name: str) -> int:
    """A number from a response header; a response cut inside its headers is a transport
    failure (urllib3 only warns about it)."""
    try:
        return int(response.headers[name])
    except (KeyError, ValueError) as exc:
        raise SyncError(TRANSPORT, "transport", f"truncated answer ({name})") from exc


def _never_connected(exc: requests.RequestException) -> bool:
    """True when no connection was made at all: refused, DNS failure, no route, or the
    connect timed out (urllib3 2's NewConnectionError and NameResolutionError are
    ConnectTimeoutErrors). Then nothing reached the server and nothing came back: the
    server is down or the network is gone. A cut after connecting (reset, read timeout,
    truncated answer) is not this."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    inner = exc.args[0] if exc.args else None
    return isinstance(getattr(inner, "reason", inner), ConnectTimeoutError)


def _caused_by(exc: BaseException, kind: type) -> bool:
    """True when ``kind`` is somewhere in the chain of causes / urllib3 reasons of ``exc``."""
    seen: set[int] = set()
    todo: list[Any] = [exc]
    while todo:
        item = todo.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, kind):
            return True
        if isinstance(item, BaseException):
            todo.extend([getattr(item, "reason", None), item.__cause__, item.__context__, *item.args])
    return False


def answer_cut(response: requests.Response) -> bool:
    """True when the answer's header block did not arrive whole. urllib3 only warns when the
    link cuts an answer inside its headers and hands on what came, with an empty body; a
    refusal cut after its status line would otherwise read as the server's refusal (checked for
    every answer in ``SyncClient._request``). Cut
    inside a header name, the header parser saw no blank line ending the block; cut between
    two headers or after "content-length:", no usable framing header (a number in
    Content-Length, or chunked) came: every answer of the sync server, errors and HEADs
    included, carries Content-Length. A body cut short under a Content-Length never gets
    here: urllib3 raises and the request fails as transport (tests/sync/test_cut_answers.py
    cuts a refusal after each of its bytes)."""
    original = getattr(response.raw, "_original_response", None)
    if getattr(getattr(original, "msg", None), "defects", None):
        return True
    if response.status_code < 200 or response.status_code in (204, 304):
        return False  # no body, so no framing header either (a tus PATCH answers 204)
    headers = response.headers
    if "chunked" in headers.get("Transfer-Encoding", "").lower():
        return False
    return not headers.get("Content-Length", "").strip().isdigit()


def _error_from_response(response: requests.Response) -> SyncError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    code = body.get("error", "") if isinstance(body, dict) else ""
    detail = str(body.get("detail", "")) if isinstance(body, dict) else ""
    status = response.status_code
    if status in (502, 503, 504):  # a gateway or proxy between us: the link, not the server
        return SyncError(TRANSPORT, "transport", f"HTTP {status}")
    if status == 429:  # this desk already has requests in flight: wait and send again
        return SyncError(TRANSPORT, "busy", detail or "HTTP 429")
    if code == "clock_skew":
        return SyncError(CLOCK, "clock_skew", detail, server_time=body.get("server_time"))
    if status in (401, 403):
        return SyncError(AUTHENTICATION, code or "unauthenticated", detail)
    if code in ("protocol_version", "protocol_version_missing"):
        return SyncError(SERVER, code, detail)
    extra = {"server_cursor": body.get("server_cursor")} if code == "cursor_ahead" else {}
    return SyncError(SERVER, code or f"http_{status}", detail or f"HTTP {status}", status=status, **extra)

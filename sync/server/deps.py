"""What the routers share: the ``Province`` and settings of the app, bounded body reads,
the protocol check, request authentication as a FastAPI dependency (``signed``), signed
answers, blocking work off the event loop, and the per-desk in-flight limits.

The event loop only awaits: database, file system, gunzip and JSON parsing run on worker
threads (``blocking``; parsing on its own two-thread limiter so a burst of large batches
cannot take every worker, see docs/security.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import math
import re
import shutil
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
from fastapi import Depends, Header, Request
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from sync.protocol import (
    H_ANSWER_SIGNATURE,
    H_DESK,
    H_NONCE,
    H_SIGNATURE,
    H_TIME,
    MAX_SKEW_SECONDS,
    SIGNED_HEADERS,
    SUPPORTED_VERSIONS,
    b64,
    sign_answer,
    string_to_sign,
)
from sync.server import jsonsafe
from sync.server.admin import Province
from sync.server.errors import ApiError
from sync.server.files import UploadError
from sync.server.objectstore import ObjectStoreError
from sync.server.records import Desk

JSON_LIMIT = 1024 * 1024
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

# A plain ASCII count: str.isdigit() also accepts "²" and "١٢", which int() then refuses or reads.
ASCII_UINT_RE = re.compile(r"^[0-9]{1,19}$")
STAMP_RE = re.compile(r"^[0-9]{1,12}(?:\.[0-9]{1,6})?$")
NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass
class ServerSettings:
    """Limits a province can tune at ``serve`` (defaults in docs/security.md)."""

    min_free_bytes: int = 256 * 1024 * 1024  # below this free space: 507 for writes
    pushes_in_flight: int = 2                # per desk, POST /v1/events
    uploads_in_flight: int = 4               # per desk, tus POST/PATCH (the desk sends 3 at once)
    # The app version desks should run and where to get it, told in each heartbeat answer
    # (the desk shows an update notice; desk_app/services/updates.py). Empty: no notice.
    desk_version: str = ""
    desk_download_url: str = ""


def province_of(request: Request) -> Province:
    province: Province = request.app.state.province  # Starlette's state is untyped
    return province


def settings_of(request: Request) -> ServerSettings:
    settings: ServerSettings = request.app.state.settings
    return settings


async def blocking(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``fn`` on Starlette's worker threads; an upload refusal becomes an ``ApiError``,
    an object store that does not answer a 503 the desk retries (nothing moved: an upload's
    offset moves only after its bytes are stored)."""
    try:
        return await run_in_threadpool(fn, *args, **kwargs)
    except UploadError as exc:
        raise ApiError(exc.status, exc.code, exc.detail) from exc
    except ObjectStoreError as exc:
        raise ApiError(503, "object_store", headers={"Retry-After": "10"}) from exc


def _parse_limiter(request: Request) -> anyio.CapacityLimiter:
    limiter = getattr(request.app.state, "parse_limiter", None)
    if limiter is None:  # made on the loop, on first use
        limiter = request.app.state.parse_limiter = anyio.CapacityLimiter(2)
    return limiter


async def parse_json(request: Request, raw: bytes, *, gzipped: bool = False, limit: int = JSON_LIMIT) -> Any:
    """Unpack (bounded) and parse (strict, bounded) off the event loop, two at a time."""

    def work() -> Any:
        text = jsonsafe.gunzip(raw, limit) if gzipped else raw
        if len(text) > limit:
            raise jsonsafe.JsonRefused(413, "too_large", f"limit {limit} bytes")
        return jsonsafe.loads(text)

    try:
        return await anyio.to_thread.run_sync(work, limiter=_parse_limiter(request))
    except jsonsafe.JsonRefused as exc:
        raise ApiError(exc.status, exc.code, exc.detail) from exc


async def parse_model(request: Request, raw: bytes, model: type[M], hint: str) -> M:
    """A JSON object body as ``model`` (bounded parse as ``parse_json``); anything else is
    400 malformed with ``hint``, a missing or wrong field 400 naming it (the models' handler)."""
    data = await parse_json(request, raw)
    if not isinstance(data, dict):
        raise ApiError(400, "malformed", hint)
    return model.model_validate(data)


def declared_length(request: Request, limit: int, code: str = "too_large", detail: str = "") -> int | None:
    """The body's ``Content-Length`` (ASCII digits) if given; 413 ``code`` beyond ``limit``."""
    declared = request.headers.get("content-length")
    if declared is None:
        return None
    if not ASCII_UINT_RE.match(declared):
        raise ApiError(400, "bad_content_length")
    if int(declared) > limit:
        raise ApiError(413, code, detail or f"limit {limit} bytes")
    return int(declared)


async def read_body(request: Request, limit: int) -> bytes:
    declared = declared_length(request, limit)
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise ApiError(413, "too_large", f"limit {limit} bytes")
            chunks.append(chunk)
    except ClientDisconnect as exc:
        raise ApiError(400, "incomplete_body") from exc
    body = b"".join(chunks)
    if declared is not None and len(body) != declared:
        raise ApiError(400, "incomplete_body")
    return body


def check_protocol(x_sync_protocol: str | None = Header(None, description="protocol version (1.1)")) -> None:
    if x_sync_protocol is None:
        raise ApiError(400, "protocol_version_missing", supported=list(SUPPORTED_VERSIONS))
    if x_sync_protocol not in SUPPORTED_VERSIONS:
        raise ApiError(400, "protocol_version", f"unsupported version {x_sync_protocol[:20]}", supported=list(SUPPORTED_VERSIONS))


def ascii_count(value: str | None, code: str) -> int:
    """A header holding a non-negative integer: ASCII digits only, 64-bit at most."""
    if value is None or not ASCII_UINT_RE.match(value) or int(value) > 2**63 - 1:
        raise ApiError(400, code)
    return int(value)


@dataclass(frozen=True)
class Caller:
    """An authenticated request: who sent it and what was signed (for the answer's signature)."""

    desk: Desk
    secret: bytes
    body: bytes
    method: str
    path: str
    nonce: str


@dataclass
class Signed:
    """The signed headers of a request from a known desk, before its signature is checked.
    ``check(body_sha256)`` checks the signature for a body with that hex SHA-256, then the
    revocation and the nonce (used once)."""

    request: Request
    desk: Desk
    secret: bytes
    revoked_at: str | None
    stamp: str
    nonce: str
    signature: str
    path: str

    def matches(self, body_sha256: str) -> bool:
        headers = {name: self.request.headers[name] for name in SIGNED_HEADERS if name in self.request.headers}
        text = string_to_sign(self.request.method, self.path, self.stamp, body_sha256, self.nonce, headers)
        expected = b64(hmac.new(self.secret, text, hashlib.sha256).digest())
        return hmac.compare_digest(expected, self.signature)

    async def check(self, body_sha256: str) -> None:
        if not self.matches(body_sha256):
            raise ApiError(401, "bad_signature")
        if self.revoked_at:
            raise ApiError(403, "revoked", self.revoked_at)
        # The nonce is kept until the signed time leaves the validity window, so a captured
        # request cannot be sent again within it (and outside it the clock check refuses it).
        expires = float(self.stamp) + MAX_SKEW_SECONDS + 60
        if not await blocking(province_of(self.request).use_nonce, self.desk.id, self.nonce, expires):
            raise ApiError(401, "replayed")

    def caller(self, body: bytes) -> Caller:
        return Caller(self.desk, self.secret, body, self.request.method, self.path, self.nonce)


SignatureHeaders = tuple[str | None, str | None, str | None, str | None]


def signature_headers(
    _protocol: None = Depends(check_protocol),
    x_sync_desk: str | None = Header(None, description="desk id"),
    x_sync_time: str | None = Header(None, description="Unix seconds (finite, within 300 s)"),
    x_sync_nonce: str | None = Header(None, description="16-64 characters, used once"),
    x_sync_signature: str | None = Header(None, description="base64 HMAC-SHA256, docs/sync-protocol.md"),
) -> SignatureHeaders:
    """Dependency: the authentication headers as sent (documented in the OpenAPI)."""
    return x_sync_desk, x_sync_time, x_sync_nonce, x_sync_signature


async def signed_headers(request: Request, sent: SignatureHeaders = Depends(signature_headers)) -> Signed:
    """Dependency: the request's signed headers, well formed, in time, from a known desk
    (the signature itself is checked with the body: ``Signed.check``)."""
    return await _identify(request, sent)


async def _identify(request: Request, sent: SignatureHeaders) -> Signed:
    desk_id, stamp, nonce, signature = sent
    if not desk_id or not stamp or not signature or not nonce:
        raise ApiError(401, "unauthenticated", f"signed headers missing ({H_DESK}, {H_TIME}, {H_NONCE}, {H_SIGNATURE})")
    if not STAMP_RE.match(stamp) or not math.isfinite(float(stamp)):
        raise ApiError(401, "unauthenticated", "bad time: Unix seconds with at most 6 decimals")
    if not NONCE_RE.match(nonce) or len(desk_id) > 64:
        raise ApiError(401, "unauthenticated", "bad nonce or desk id")
    skew = float(stamp) - time.time()
    if abs(skew) > MAX_SKEW_SECONDS:
        raise ApiError(401, "clock_skew", f"{skew:+.0f} s", server_time=time.time())
    credential = await blocking(province_of(request).desk_credential, desk_id)
    if credential is None:
        raise ApiError(401, "unknown_desk")
    desk, secret, revoked_at = credential
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Signed(request, desk, secret, revoked_at, stamp, nonce, signature, path)


def signed(limit: int = 0) -> Callable[..., Any]:
    """Dependency: read the body (at most ``limit`` bytes), check the signature over method,
    path, time, nonce, body and ``SIGNED_HEADERS``, refuse replays. Gives a ``Caller``."""

    async def authenticate(request: Request, sent: SignatureHeaders = Depends(signature_headers)) -> Caller:
        body = await read_body(request, limit)  # an oversized body is refused before anything else
        headers = await _identify(request, sent)
        await headers.check(hashlib.sha256(body).hexdigest())
        return headers.caller(body)

    return authenticate


def signed_json(caller: Caller, data: Any, status_code: int = 200) -> Response:
    """A JSON answer signed for the caller (``H_ANSWER_SIGNATURE``), bound to its request."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    signature = sign_answer(caller.secret, caller.method, caller.path, caller.nonce, body)
    return Response(body, status_code=status_code, media_type="application/json", headers={H_ANSWER_SIGNATURE: signature})


def require_space(request: Request) -> None:
    check_space(request, 0)


def check_space(request: Request, coming: int) -> None:
    """Dependency of writes that grow the disk: 507 below the free-space threshold (or when
    ``coming`` more bytes would cross it), so the server keeps answering reads and
    heartbeats instead of failing every request."""
    settings = settings_of(request)
    free = shutil.disk_usage(province_of(request).data_dir).free
    if free - coming < settings.min_free_bytes:
        raise ApiError(507, "insufficient_storage", f"{free} bytes free, {settings.min_free_bytes} kept", headers={"Retry-After": "600"})


class InFlight:
    """Requests of one kind a desk has in flight (this process); beyond the limit: 429."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], int] = {}

    @contextlib.asynccontextmanager
    async def hold(self, desk_id: str, kind: str, limit: int) -> AsyncIterator[None]:
        key = (desk_id, kind)
        if self.counts.get(key, 0) >= limit:
            raise ApiError(429, "too_many_requests", f"at most {limit} {kind} requests in flight", headers={"Retry-After": "2"})
        self.counts[key] = self.counts.get(key, 0) + 1
        try:
            yield
        finally:
            self.counts[key] -= 1
            if not self.counts[key]:
                del self.counts[key]


def in_flight(request: Request) -> InFlight:
    holds: InFlight = request.app.state.in_flight
    return holds

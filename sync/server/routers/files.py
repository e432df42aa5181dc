"""Files first: tus 1.0 (core, creation, creation-with-upload, checksum, expiration), keyed by
SHA-256 (docs/sync-protocol.md section 3). An upload in progress belongs to the desk that
created it: other desks get 404 for it and make their own.

To the letter of tus 1.0: every answer under ``/v1/files`` carries ``Tus-Resumable`` (errors
included), 412 carries ``Tus-Version``, ``X-HTTP-Method-Override`` turns a POST into PATCH,
HEAD or DELETE (``TusWire``), and a PATCH body is streamed into the store in bounded pieces,
so one PATCH may carry a whole file up to ``Tus-Max-Size``. A PATCH cut mid-body keeps the
bytes that arrived when its signature could be checked before the body (see ``receive``).
"""

from __future__ import annotations

import hashlib
import tempfile
from email.utils import formatdate
from typing import Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.protocol import (
    API_PREFIX,
    MAX_CHUNK_BYTES,
    MAX_FILE_BYTES,
    TUS_EXTENSIONS,
    TUS_VERSION,
    decode_metadata,
    is_sha256,
    unb64,
)
from sync.server.deps import (
    JSON_LIMIT,
    Caller,
    Signed,
    ascii_count,
    blocking,
    check_space,
    declared_length,
    in_flight,
    parse_model,
    province_of,
    read_body,
    require_space,
    settings_of,
    signed,
    signed_headers,
)
from sync.server.errors import ApiError
from sync.server.files import PIECE_BYTES, Receiver, UploadState
from sync.server.models import REFUSALS, MissingAnswer, MissingRequest
from sync.server.routers import body_doc

router = APIRouter(prefix=API_PREFIX, tags=["files"], responses=REFUSALS)
OCTETS = "application/offset+octet-stream"
FILES_PATH = f"{API_PREFIX}/files"
OVERRIDES = (b"PATCH", b"HEAD", b"DELETE")


class TusWire:
    """ASGI middleware for everything under ``/v1/files``: ``Tus-Resumable`` on every answer
    (refusals from any layer included: 400, 401, 404, 413, 415, ...), and
    ``X-HTTP-Method-Override`` honoured on POST for clients behind proxies that only pass GET
    and POST. The signature covers the method the request acts as (the override)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path != FILES_PATH and not path.startswith(FILES_PATH + "/"):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "POST":
            override = dict(scope.get("headers", [])).get(b"x-http-method-override", b"").strip().upper()
            if override in OVERRIDES:
                scope = {**scope, "method": override.decode("ascii")}

        async def send_tus(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"tus-resumable"]
                message = {**message, "headers": [*headers, (b"tus-resumable", TUS_VERSION.encode("ascii"))]}
            await send(message)

        await self.app(scope, receive, send_tus)


def check_tus(tus_resumable: str | None = Header(None, description=f"must be {TUS_VERSION}")) -> None:
    if tus_resumable != TUS_VERSION:
        raise ApiError(412, "tus_version", supported=TUS_VERSION, headers={"Tus-Version": TUS_VERSION})


def tus_headers(state: UploadState | None = None, **values: Any) -> dict[str, str]:
    headers = {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store"}
    if state is not None and state.expires_at and not state.complete:
        headers["Upload-Expires"] = formatdate(state.expires_at, usegmt=True)
    headers.update({k.replace("_", "-"): str(v) for k, v in values.items()})
    return headers


def parse_checksum(request: Request) -> tuple[str, bytes] | None:
    header = request.headers.get("Upload-Checksum")
    if not header:
        return None
    algorithm, _, value = header.partition(" ")
    if algorithm not in ("sha256", "sha1"):
        raise ApiError(400, "checksum_algorithm", algorithm[:20])
    try:
        return algorithm, unb64(value)
    except (ValueError, UnicodeEncodeError) as exc:
        raise ApiError(400, "bad_checksum") from exc


@router.post(
    "/files/missing",
    summary="Which of these SHA-256s the server lacks (with offsets of this desk's unfinished uploads)",
    response_model=MissingAnswer,
    openapi_extra=body_doc(MissingRequest),
)
async def missing_files(request: Request, caller: Caller = Depends(signed(JSON_LIMIT))) -> dict[str, Any]:
    files = (await parse_model(request, caller.body, MissingRequest, "files: list of SHA-256 hex digests")).files
    # Up to 10,000 stats: on a worker thread, not the event loop.
    return await blocking(province_of(request).files.missing, files, caller.desk.id)


@router.options("/files", summary="tus discovery", status_code=204)
async def tus_options(request: Request) -> Response:
    return Response(
        status_code=204,
        headers={
            "Tus-Resumable": TUS_VERSION,
            "Tus-Version": TUS_VERSION,
            "Tus-Extension": TUS_EXTENSIONS,
            "Tus-Max-Size": str(MAX_FILE_BYTES),
            "Tus-Checksum-Algorithm": "sha256,sha1",
        },
    )


@router.post(
    "/files",
    summary="tus creation (and creation-with-upload); keyed by SHA-256",
    status_code=201,
    dependencies=[Depends(check_tus), Depends(require_space)],
    openapi_extra=body_doc({"type": "string", "format": "binary"}, OCTETS),
)
async def tus_create(
    request: Request,
    upload_length: str | None = Header(None, description="file size in bytes (signed)"),
    upload_metadata: str | None = Header(None, description="sha256 <base64 of the hex digest> (signed)"),
    caller: Caller = Depends(signed(MAX_CHUNK_BYTES)),
) -> Response:
    length = ascii_count(upload_length, "upload_length")
    try:
        sha = decode_metadata(upload_metadata or "").get("sha256", "")
    except (ValueError, UnicodeError) as exc:
        raise ApiError(400, "upload_metadata") from exc
    if not is_sha256(sha):
        raise ApiError(400, "upload_metadata", "sha256 required")
    files = province_of(request).files
    desk = caller.desk.id
    if length > MAX_FILE_BYTES:
        raise ApiError(413, "file_too_large", f"Tus-Max-Size is {MAX_FILE_BYTES}")
    check_space(request, length)
    async with in_flight(request).hold(desk, "upload", settings_of(request).uploads_in_flight):
        state = await blocking(files.create, sha, length, MAX_FILE_BYTES, desk)
        if caller.body and not state.complete:
            if request.headers.get("Content-Type") != OCTETS:
                raise ApiError(415, "content_type")
            if state.offset == 0:
                state = await blocking(files.append, sha, 0, caller.body, parse_checksum(request), desk)
    return Response(status_code=201, headers=tus_headers(state, Location=f"{API_PREFIX}/files/{sha}", Upload_Offset=state.offset))


@router.head("/files/{sha}", summary="tus offset of an upload", dependencies=[Depends(check_tus)])
async def tus_head(sha: str, request: Request, caller: Caller = Depends(signed())) -> Response:
    if not is_sha256(sha):
        return Response(status_code=404, headers=tus_headers())
    state = await blocking(province_of(request).files.state, sha, caller.desk.id)
    if state is None:
        return Response(status_code=404, headers=tus_headers())
    return Response(status_code=200, headers=tus_headers(state, Upload_Offset=state.offset, Upload_Length=state.length))


@router.patch(
    "/files/{sha}",
    summary="tus: append the body at Upload-Offset (streamed; up to Tus-Max-Size in one request)",
    status_code=204,
    dependencies=[Depends(check_tus), Depends(require_space)],
    openapi_extra=body_doc({"type": "string", "format": "binary"}, OCTETS),
)
async def tus_patch(
    sha: str,
    request: Request,
    upload_offset: str | None = Header(None, description="where this chunk starts (signed)"),
    auth: Signed = Depends(signed_headers),
) -> Response:
    if request.headers.get("Content-Type") != OCTETS:
        raise ApiError(415, "content_type")
    offset = ascii_count(upload_offset, "upload_offset")
    checksum = parse_checksum(request)
    if not is_sha256(sha):
        raise ApiError(404, "no_upload")
    desk = auth.desk.id
    # Checked before any byte is read: a declared sha256 checksum is the body's hash, so
    # the signature can be checked now and the bytes of a cut body kept (see receive).
    early = checksum is not None and checksum[0] == "sha256" and auth.matches(checksum[1].hex())
    if early and checksum is not None:
        await auth.check(checksum[1].hex())
    async with in_flight(request).hold(desk, "upload", settings_of(request).uploads_in_flight):
        receiver = await blocking(province_of(request).files.receive, sha, offset, desk)
        if isinstance(receiver, UploadState):  # finished: nothing more to take
            if await read_body(request, 0):
                raise ApiError(409, "offset_mismatch", str(receiver.offset))
            state = receiver
        else:
            state = await receive(request, receiver, auth, checksum, early)
    return Response(status_code=204, headers=tus_headers(state, Upload_Offset=state.offset))


async def receive(request: Request, receiver: Receiver, auth: Signed, checksum: tuple[str, bytes] | None, early: bool) -> UploadState:
    """Stream the body into the upload in pieces of at most ``PIECE_BYTES`` (memory stays
    bounded whatever the size). A complete body is checked (signature unless ``early``,
    ``Upload-Checksum``) before the offset moves; a wrong one leaves nothing behind.

    A cut body: when the signature was checked before the body (``early``) the bytes that
    arrived are kept and the offset moves to their end, as the tus spec recommends; they
    came from the desk over TLS, and the whole file's SHA-256 is verified when the last byte
    arrives, so kept bytes can never make a wrong file. Otherwise nothing authenticates the
    partial body and it is dropped."""
    room = receiver.length - receiver.start
    declared = declared_length(request, room, "beyond_length", f"{room} bytes left of Upload-Length")
    check_space(request, declared or 0)  # one PATCH may now carry a whole file
    whole = hashlib.sha256()
    check = hashlib.new(checksum[0]) if checksum is not None and checksum[0] != "sha256" else whole
    spool = None if early else tempfile.SpooledTemporaryFile(max_size=PIECE_BYTES)  # noqa: SIM115
    buffer = bytearray()
    received = 0
    cut = False
    try:
        try:
            async for block in request.stream():
                received += len(block)
                if received > room:
                    raise ApiError(413, "beyond_length", f"{room} bytes left of Upload-Length")
                whole.update(block)
                if check is not whole:
                    check.update(block)
                buffer += block
                if len(buffer) >= PIECE_BYTES:
                    await _flush(receiver, spool, buffer)
        except ClientDisconnect:
            cut = True
        if cut or (declared is not None and received != declared):
            if early:
                await _flush(receiver, None, buffer, everything=True)
                await blocking(receiver.commit)
            else:
                await blocking(receiver.abort)
            raise ApiError(400, "incomplete_body")
        if not early:
            await auth.check(whole.hexdigest())
        if checksum is not None and check.digest() != checksum[1]:
            raise ApiError(460, "checksum_mismatch")
        if spool is not None:
            spool.seek(0)
            while piece := await run_in_threadpool(spool.read, PIECE_BYTES):
                await blocking(receiver.write, piece)
        await _flush(receiver, None, buffer, everything=True)
        receiver.digest = whole.hexdigest()  # the whole file's, if this body was all of it
        return await blocking(receiver.commit)
    except BaseException:
        await blocking(receiver.abort)  # nothing of a refused body stays (committed pieces are not listed)
        raise
    finally:
        if spool is not None:
            spool.close()


async def _flush(receiver: Receiver, spool: Any, buffer: bytearray, *, everything: bool = False) -> None:
    """Move whole pieces (or ``everything``) from ``buffer`` into the store, or into the
    spool while the signature waits for the end of the body."""
    while buffer and (everything or len(buffer) >= PIECE_BYTES):
        piece = bytes(buffer[:PIECE_BYTES])
        del buffer[:PIECE_BYTES]
        if spool is not None:
            await run_in_threadpool(spool.write, piece)
        else:
            await blocking(receiver.write, piece)

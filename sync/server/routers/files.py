"""Files first: tus 1.0 (core, creation, creation-with-upload, checksum, expiration), keyed by
SHA-256 (section 3). An upload in progress belongs to the desk that created it: other desks
get 404 for it and make their own."""

from __future__ import annotations

from email.utils import formatdate
from typing import Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import Response

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
    ascii_count,
    blocking,
    check_space,
    in_flight,
    parse_model,
    province_of,
    require_space,
    settings_of,
    signed,
)
from sync.server.errors import ApiError
from sync.server.files import UploadState
from sync.server.models import REFUSALS, MissingAnswer, MissingRequest
from sync.server.routers import body_doc

router = APIRouter(prefix=API_PREFIX, tags=["files"], responses=REFUSALS)
OCTETS = "application/offset+octet-stream"


def check_tus(tus_resumable: str | None = Header(None, description=f"must be {TUS_VERSION}")) -> None:
    if tus_resumable != TUS_VERSION:
        raise ApiError(412, "tus_version", supported=TUS_VERSION)


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
async def missing_files(request: Request, caller: Caller = Depends(signed(JSON_LIMIT))) -> dict:
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
    summary="tus: append one chunk at Upload-Offset",
    status_code=204,
    dependencies=[Depends(check_tus), Depends(require_space)],
    openapi_extra=body_doc({"type": "string", "format": "binary"}, OCTETS),
)
async def tus_patch(
    sha: str,
    request: Request,
    upload_offset: str | None = Header(None, description="where this chunk starts (signed)"),
    caller: Caller = Depends(signed(MAX_CHUNK_BYTES)),
) -> Response:
    if request.headers.get("Content-Type") != OCTETS:
        raise ApiError(415, "content_type")
    offset = ascii_count(upload_offset, "upload_offset")
    if not is_sha256(sha):
        raise ApiError(404, "no_upload")
    files = province_of(request).files
    desk = caller.desk.id
    async with in_flight(request).hold(desk, "upload", settings_of(request).uploads_in_flight):
        state = await blocking(files.append, sha, offset, caller.body, parse_checksum(request), desk)
    return Response(status_code=204, headers=tus_headers(state, Upload_Offset=state.offset))

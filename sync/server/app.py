"""The HTTP API (FastAPI; OpenAPI at /openapi.json, docs at /docs).

Handlers are ``async`` only to read request bodies with a size limit; database and file
work runs on Starlette's thread pool. Every refusal is a JSON ``{"error": code, ...}`` with
a 4xx status and changes nothing.
"""

from __future__ import annotations

import json
import time
import zlib
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from sync.protocol import (
    API_PREFIX,
    H_DESK,
    H_PROTOCOL,
    H_SERVER_TIME,
    H_SIGNATURE,
    H_TIME,
    MAX_BATCH_BODY,
    MAX_BATCH_EVENTS,
    MAX_BATCH_JSON,
    MAX_CHUNK_BYTES,
    MAX_FEED_PAGE,
    MAX_FILE_BYTES,
    MAX_SKEW_SECONDS,
    PROTOCOL_VERSION,
    SUPPORTED_VERSIONS,
    TUS_EXTENSIONS,
    TUS_VERSION,
    check_signature,
    decode_metadata,
    is_sha256,
    unb64,
)
from sync.server.admin import AdminError, Province
from sync.server.files import UploadError
from sync.server.records import Desk

JSON_LIMIT = 1024 * 1024


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str = "", **extra: Any):
        super().__init__(code)
        self.status = status
        self.code = code
        self.detail = detail
        self.extra = extra


# One sentence per refusal code for the people reading server answers (province IT staff,
# logs). The desk shows its own translated message for the code, never this text.
ERROR_DETAILS = {
    "bad_content_length": "Content-Length is not a number",
    "incomplete_body": "the request body ended before Content-Length bytes arrived",
    "protocol_version_missing": f"header {H_PROTOCOL} is required",
    "unknown_desk": "no desk has this id: enroll again",
    "bad_signature": "the request signature does not match this desk's key",
    "revoked": "this desk's credential was revoked",
    "malformed_json": "the body is not valid JSON",
    "malformed": "the request is not in the expected format",
    "enroll_code_invalid": "the enrollment code is wrong or was already used",
    "enroll_code_expired": "the enrollment code has expired: make a new one",
    "tus_version": f"header Tus-Resumable: {TUS_VERSION} is required",
    "bad_checksum": "Upload-Checksum must be '<algorithm> <base64 digest>'",
    "checksum_algorithm": "unsupported Upload-Checksum algorithm",
    "upload_length": "Upload-Length must be a non-negative integer within Tus-Max-Size",
    "upload_metadata": "Upload-Metadata must carry the file's sha256",
    "content_type": "Content-Type must be application/offset+octet-stream",
    "upload_offset": "Upload-Offset must be a non-negative integer",
    "no_upload": "no upload for this file: create it first (POST /v1/files)",
    "bad_gzip": "the body is not valid gzip",
    "content_encoding": "only Content-Encoding: gzip is accepted",
    "too_large": "the request is too large",
    "too_many_events": "too many events in one batch",
    "bad_sha256": "not a SHA-256 hex digest",
    "checksum_mismatch": "the chunk does not match its Upload-Checksum: send it again",
}


def _error_response(exc: "ApiError") -> JSONResponse:
    detail = exc.detail or ERROR_DETAILS.get(exc.code, "")
    body = {"error": exc.code, **({"detail": detail} if detail else {}), **exc.extra}
    headers = {"Tus-Resumable": TUS_VERSION} if exc.status in (409, 412, 460) else None
    return JSONResponse(body, status_code=exc.status, headers=headers)


def create_app(province: Province) -> FastAPI:
    app = FastAPI(
        title="Desk sync: reference provincial server",
        version=PROTOCOL_VERSION,
        description="Protocol version 1; see docs/sync-protocol.md. Authenticated requests carry "
        f"{H_PROTOCOL}, {H_DESK}, {H_TIME} and {H_SIGNATURE} (HMAC-SHA256).",
    )

    app.add_middleware(GZipMiddleware, minimum_size=1024)

    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return _error_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Unknown path or method: the same {"error", "detail"} shape as every refusal.
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, f"http_{exc.status_code}")
        return _error_response(ApiError(exc.status_code, code, f"{request.method} {request.url.path}: {exc.detail}"))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ())[1:])}: {e.get('msg', '')}" for e in exc.errors())
        return _error_response(ApiError(400, "malformed", problems))

    @app.middleware("http")
    async def server_time(request: Request, call_next):
        try:
            response = await call_next(request)
        except ClientDisconnect:
            response = Response(status_code=400)
        response.headers[H_SERVER_TIME] = f"{time.time():.3f}"
        return response

    # --- helpers --------------------------------------------------------------------------
    async def read_body(request: Request, limit: int) -> bytes:
        declared = request.headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                raise ApiError(400, "bad_content_length")
            if int(declared) > limit:
                raise ApiError(413, "too_large", f"limit {limit} bytes")
        chunks, size = [], 0
        try:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise ApiError(413, "too_large", f"limit {limit} bytes")
                chunks.append(chunk)
        except ClientDisconnect:
            raise ApiError(400, "incomplete_body") from None
        body = b"".join(chunks)
        if declared is not None and len(body) != int(declared):
            raise ApiError(400, "incomplete_body")
        return body

    def check_protocol(request: Request) -> None:
        version = request.headers.get(H_PROTOCOL)
        if version is None:
            raise ApiError(400, "protocol_version_missing", supported=list(SUPPORTED_VERSIONS))
        if version not in SUPPORTED_VERSIONS:
            raise ApiError(400, "protocol_version", f"unsupported version {version}", supported=list(SUPPORTED_VERSIONS))

    async def authenticate(request: Request, body: bytes) -> Desk:
        check_protocol(request)
        desk_id, stamp, signature = (request.headers.get(h) for h in (H_DESK, H_TIME, H_SIGNATURE))
        if not desk_id or not stamp or not signature:
            raise ApiError(401, "unauthenticated", "signed headers missing")
        try:
            moment = float(stamp)
        except ValueError:
            raise ApiError(401, "unauthenticated", "bad time") from None
        skew = moment - time.time()
        if abs(skew) > MAX_SKEW_SECONDS:
            raise ApiError(401, "clock_skew", f"{skew:+.0f} s", server_time=time.time())
        credential = await run_in_threadpool(province.desk_credential, desk_id)
        if credential is None:
            raise ApiError(401, "unknown_desk")
        desk, secret, revoked_at = credential
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if not check_signature(secret, request.method, path, stamp, body, signature):
            raise ApiError(401, "bad_signature")
        if revoked_at:
            raise ApiError(403, "revoked", revoked_at)
        return desk

    def parse_json(body: bytes) -> Any:
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "malformed_json") from None

    def tus_headers(**values: Any) -> dict[str, str]:
        headers = {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store"}
        headers.update({k.replace("_", "-"): str(v) for k, v in values.items()})
        return headers

    def check_tus(request: Request) -> None:
        if request.headers.get("Tus-Resumable") != TUS_VERSION:
            raise ApiError(412, "tus_version", supported=TUS_VERSION)

    def parse_checksum(request: Request) -> tuple[str, bytes] | None:
        header = request.headers.get("Upload-Checksum")
        if not header:
            return None
        algorithm, _, value = header.partition(" ")
        if algorithm not in ("sha256", "sha1"):
            raise ApiError(400, "checksum_algorithm", algorithm)
        try:
            return algorithm, unb64(value)
        except ValueError:
            raise ApiError(400, "bad_checksum") from None

    async def run_upload(fn, *args):
        try:
            return await run_in_threadpool(fn, *args)
        except UploadError as exc:
            raise ApiError(exc.status, exc.code, exc.detail) from None

    # --- open endpoints -------------------------------------------------------------------
    @app.get(f"{API_PREFIX}/ping", summary="Cheap connectivity and clock check (no authentication)")
    async def ping() -> dict[str, Any]:
        return {"protocol": PROTOCOL_VERSION, "supported": list(SUPPORTED_VERSIONS), "server_time": time.time()}

    @app.post(f"{API_PREFIX}/enroll", summary="Exchange a one-time enrollment code for a desk credential")
    async def enroll(request: Request) -> dict[str, Any]:
        check_protocol(request)
        data = parse_json(await read_body(request, JSON_LIMIT))
        if not isinstance(data, dict) or not isinstance(data.get("code"), str):
            raise ApiError(400, "malformed", "code required")
        request_id = data.get("request_id", "")
        if not isinstance(request_id, str) or len(request_id) > 128:
            raise ApiError(400, "malformed", "request_id must be a string of at most 128 characters")
        try:
            result = await run_in_threadpool(province.enroll, data["code"], request_id)
        except AdminError as exc:
            raise ApiError(403, exc.reason) from None
        return {**result, "server_time": time.time(), "protocol": PROTOCOL_VERSION}

    @app.get(f"{API_PREFIX}/receipts/verify", summary="Is this receipt (dossier code + tag) genuine?")
    async def verify_receipt(code: str = "", tag: str = "") -> dict[str, Any]:
        if not code or not tag or len(code) > 64 or len(tag) > 32:
            raise ApiError(400, "malformed", "code and tag required")
        return await run_in_threadpool(province.verify_receipt, code, tag)

    # --- authenticated --------------------------------------------------------------------
    @app.get(f"{API_PREFIX}/desk", summary="Who am I (credential check)")
    async def whoami(request: Request) -> dict[str, Any]:
        desk = await authenticate(request, await read_body(request, 0))
        return {"desk_id": desk.id, "unit_code": desk.unit_code, "desk": desk.desk, "server_time": time.time()}

    @app.post(f"{API_PREFIX}/heartbeat", summary="Desk backlog, app version and clock report")
    async def heartbeat(request: Request) -> dict[str, Any]:
        body = await read_body(request, JSON_LIMIT)
        desk = await authenticate(request, body)
        report = parse_json(body)
        if not isinstance(report, dict):
            raise ApiError(400, "malformed")
        await run_in_threadpool(province.heartbeat, desk, report)
        return {"server_time": time.time()}

    @app.post(f"{API_PREFIX}/files/missing", summary="Which of these SHA-256s the server lacks")
    async def missing_files(request: Request) -> dict[str, Any]:
        body = await read_body(request, JSON_LIMIT)
        await authenticate(request, body)
        data = parse_json(body)
        files = data.get("files") if isinstance(data, dict) else None
        if not isinstance(files, list) or len(files) > 10000 or not all(is_sha256(f) for f in files):
            raise ApiError(400, "malformed", "files: list of SHA-256 hex digests")
        missing = [f for f in dict.fromkeys(files) if not province.files.has(f)]
        offsets = {}
        for sha in missing:
            state = await run_upload(province.files.state, sha)
            if state is not None and state.offset:
                offsets[sha] = state.offset
        return {"missing": missing, "offsets": offsets}

    @app.options(f"{API_PREFIX}/files", summary="tus discovery")
    async def tus_options() -> Response:
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

    @app.post(f"{API_PREFIX}/files", summary="tus creation (and creation-with-upload); keyed by SHA-256")
    async def tus_create(request: Request) -> Response:
        check_tus(request)
        body = await read_body(request, MAX_CHUNK_BYTES)
        desk = await authenticate(request, body)
        del desk
        length_text = request.headers.get("Upload-Length", "")
        if not length_text.isdigit():
            raise ApiError(400, "upload_length")
        try:
            sha = decode_metadata(request.headers.get("Upload-Metadata", "")).get("sha256", "")
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "upload_metadata") from None
        if not is_sha256(sha):
            raise ApiError(400, "upload_metadata", "sha256 required")
        state = await run_upload(province.files.create, sha, int(length_text), MAX_FILE_BYTES)
        if body and not state.complete:
            if request.headers.get("Content-Type") != "application/offset+octet-stream":
                raise ApiError(415, "content_type")
            if state.offset == 0:
                state = await run_upload(province.files.append, sha, 0, body, parse_checksum(request))
        return Response(status_code=201, headers=tus_headers(Location=f"{API_PREFIX}/files/{sha}", Upload_Offset=state.offset))

    @app.head(f"{API_PREFIX}/files/{{sha}}", summary="tus offset of an upload")
    async def tus_head(sha: str, request: Request) -> Response:
        check_tus(request)
        await authenticate(request, b"")
        if not is_sha256(sha):
            return Response(status_code=404, headers=tus_headers())
        state = await run_upload(province.files.state, sha)
        if state is None:
            return Response(status_code=404, headers=tus_headers())
        return Response(status_code=200, headers=tus_headers(Upload_Offset=state.offset, Upload_Length=state.length))

    @app.patch(f"{API_PREFIX}/files/{{sha}}", summary="tus: append one chunk at Upload-Offset")
    async def tus_patch(sha: str, request: Request) -> Response:
        check_tus(request)
        body = await read_body(request, MAX_CHUNK_BYTES)
        await authenticate(request, body)
        if request.headers.get("Content-Type") != "application/offset+octet-stream":
            raise ApiError(415, "content_type")
        offset_text = request.headers.get("Upload-Offset", "")
        if not offset_text.isdigit():
            raise ApiError(400, "upload_offset")
        if not is_sha256(sha):
            raise ApiError(404, "no_upload")
        state = await run_upload(province.files.append, sha, int(offset_text), body, parse_checksum(request))
        return Response(status_code=204, headers=tus_headers(Upload_Offset=state.offset))

    @app.post(f"{API_PREFIX}/events", summary="Push a batch of records (gzip JSON), one answer per record")
    async def push_events(request: Request) -> JSONResponse:
        body = await read_body(request, MAX_BATCH_BODY)
        desk = await authenticate(request, body)
        encoding = request.headers.get("Content-Encoding", "identity")
        if encoding == "gzip":
            inflater = zlib.decompressobj(wbits=31)
            try:
                raw = inflater.decompress(body, MAX_BATCH_JSON)
            except zlib.error:
                raise ApiError(400, "bad_gzip") from None
            if inflater.unconsumed_tail:
                raise ApiError(413, "too_large", f"limit {MAX_BATCH_JSON} bytes uncompressed")
            if not inflater.eof:
                raise ApiError(400, "bad_gzip", "truncated")
        elif encoding == "identity":
            raw = body
        else:
            raise ApiError(415, "content_encoding", encoding)
        data = parse_json(raw)
        events = data.get("events") if isinstance(data, dict) else None
        if not isinstance(events, list):
            raise ApiError(400, "malformed", "events: list required")
        if len(events) > MAX_BATCH_EVENTS:
            raise ApiError(413, "too_many_events", f"at most {MAX_BATCH_EVENTS}")
        results = await run_in_threadpool(province.records.apply_batch, desk, events, via="http")
        return JSONResponse({"results": results})

    @app.get(f"{API_PREFIX}/changes", summary="Change feed from the province, read with a cursor")
    async def changes(request: Request, after: int = 0, limit: int = 500) -> dict[str, Any]:
        desk = await authenticate(request, await read_body(request, 0))
        if after < 0 or not 1 <= limit <= MAX_FEED_PAGE:
            raise ApiError(400, "malformed", f"after >= 0, 1 <= limit <= {MAX_FEED_PAGE}")
        return await run_in_threadpool(province.changes, desk.unit_code, after, limit)

    return app

"""Refusals of the HTTP API: one ``ApiError`` type answered as ``{"error", "detail", …}``
with a 4xx status (507 when the disk is nearly full). Nothing changes on a refusal."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from sync.protocol import H_PROTOCOL, TUS_VERSION


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str = "", headers: dict[str, str] | None = None, **extra: Any):
        super().__init__(code)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


# One sentence per refusal code for the people reading server answers (province IT staff,
# logs). The desk shows its own translated message for the code, never this text.
ERROR_DETAILS = {
    "bad_content_length": "Content-Length is not a number",
    "incomplete_body": "the request body ended before Content-Length bytes arrived",
    "protocol_version_missing": f"header {H_PROTOCOL} is required",
    "unknown_desk": "no desk has this id: enroll again",
    "bad_signature": "the request signature does not match this desk's key",
    "replayed": "this signed request was already received (a nonce is used once)",
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
    "too_many_requests": "this desk already has requests of this kind in flight: wait for their answers",
    "upload_quota": "this desk has too many bytes in unfinished uploads: finish or wait for them to expire",
    "insufficient_storage": "the server's disk is nearly full: uploads and records wait, reads go on",
    "cursor_ahead": "the cursor is beyond the server's last change: read the feed again from the server's cursor",
    "bad_sha256": "not a SHA-256 hex digest",
    "checksum_mismatch": "the chunk does not match its Upload-Checksum: send it again",
    "beyond_length": "the body goes beyond the upload's Upload-Length",
    "file_hash_mismatch": "the finished upload does not hash to its SHA-256: the upload was discarded, send the file again",
    "object_store": "the server's file store did not answer: try again later",
    "database_unavailable": "the server's database did not answer in time: try again later",
}


def error_response(exc: ApiError) -> JSONResponse:
    detail = exc.detail or ERROR_DETAILS.get(exc.code, "")
    body = {"error": exc.code, **({"detail": detail} if detail else {}), **exc.extra}
    # Tus-Resumable on the tus answers is added by sync.server.routers.files.TusWire, for
    # every status; these three also tell a tus client outside /v1/files what happened.
    headers = {"Tus-Resumable": TUS_VERSION} if exc.status in (409, 412, 460) else {}
    headers.update(exc.headers)
    return JSONResponse(body, status_code=exc.status, headers=headers or None)

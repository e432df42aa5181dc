"""Liveness and readiness for the province's reverse proxy or orchestrator (docs/deploy/):
``GET /healthz`` (the process answers; touches nothing) and ``GET /readyz`` (the database
answers a query and the file store takes a write, each within a short timeout). No
authentication, tiny answers, nothing about desks or dossiers: a probe that fails says only
which part failed and the exception's type, never a database URL or a path."""

from __future__ import annotations

import os
import secrets
import time
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sync.server.admin import Province
from sync.server.deps import province_of
from sync.server.storage import DatabaseUnavailable

router = APIRouter(tags=["health"])

PROBE_SECONDS = 2.0  # each part answers within this, or the process is not ready
PROBE_BYTES = b"ready"


@router.get("/healthz", summary="Liveness: the process answers (no database, no files)")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: the database and the file store answer (503 with the failing part otherwise)",
    responses={503: {"description": "not ready: {status, failed, reason}"}},
)
async def readyz(request: Request) -> JSONResponse:
    province = province_of(request)
    for part, check in (("database", _database), ("files", _files)):
        reason = await _within(check, province)
        if reason:
            body = {"status": "unavailable", "failed": part, "reason": reason}
            return JSONResponse(body, status_code=503, headers={"Retry-After": "5", "Cache-Control": "no-store"})
    return JSONResponse({"status": "ready"}, headers={"Cache-Control": "no-store"})


async def _within(check: Any, province: Province) -> str:
    """The check's failure reason ('' when it passed); a check still running after
    ``PROBE_SECONDS`` is a failure (its worker thread finishes on its own)."""
    started = time.monotonic()
    try:
        with anyio.fail_after(PROBE_SECONDS + 0.5):
            return str(await anyio.to_thread.run_sync(check, province, abandon_on_cancel=True))
    except TimeoutError:
        return f"no answer within {time.monotonic() - started:.1f} s"


def _database(province: Province) -> str:
    try:
        province.db.ping(PROBE_SECONDS)
    except DatabaseUnavailable as exc:
        return str(exc)
    return ""


def _files(province: Province) -> str:
    """Write, measure and delete one small object where the files go (shared by every
    process of the province), under a name of its own."""
    name = f"ready-{os.getpid()}-{secrets.token_hex(4)}"
    objects = province.files.objects  # a local folder or an S3-compatible store
    key = f"health/{name}"
    try:
        objects.put(key, PROBE_BYTES)
        try:
            stored = objects.size(key)
        finally:
            objects.delete([key])
    except Exception as exc:  # any failure of the store means not ready; its type is the reason
        return type(exc).__name__
    return "" if stored == len(PROBE_BYTES) else "probe object has the wrong size"

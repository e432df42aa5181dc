"""The HTTP API (FastAPI; OpenAPI at /openapi.json, docs at /docs).

``create_app`` only assembles: the routers (sync/server/routers/, one per area), the
refusal handlers and the server-time header. Handlers are ``async`` to read request bodies
with a size limit; database, file and parsing work runs on worker threads (deps.py). Every
refusal is a JSON ``{"error": code, ...}`` with a 4xx status (507 when the disk is nearly
full) and changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from sync.protocol import (
    H_DESK,
    H_NONCE,
    H_PROTOCOL,
    H_SERVER_TIME,
    H_SIGNATURE,
    H_TIME,
    PROTOCOL_VERSION,
)
from sync.server.accesslog import AccessLog
from sync.server.admin import Province
from sync.server.deps import InFlight, ServerSettings
from sync.server.errors import ApiError, error_response
from sync.server.routers import desks, enrollment, events, feed, files, health, receipts
from sync.server.storage import DatabaseUnavailable


def _problems(errors: Sequence[Any]) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'body'}: {e.get('msg', '')}" for e in errors)[:500]


def create_app(province: Province, settings: ServerSettings | None = None) -> FastAPI:
    app = FastAPI(
        title="Desk sync: reference provincial server",
        version=PROTOCOL_VERSION,
        description=f"Protocol version {PROTOCOL_VERSION}; see docs/sync-protocol.md. Authenticated requests carry "
        f"{H_PROTOCOL}, {H_DESK}, {H_TIME}, {H_NONCE} and {H_SIGNATURE} (HMAC-SHA256).",
    )
    app.state.province = province
    app.state.settings = settings or ServerSettings()
    app.state.in_flight = InFlight()
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(files.TusWire)  # tus headers on every /v1/files answer, X-HTTP-Method-Override
    for area in (desks, enrollment, files, events, feed, receipts, health):
        app.include_router(area.router)

    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(DatabaseUnavailable)
    async def database_unavailable(_request: Request, exc: DatabaseUnavailable) -> JSONResponse:
        # Every pooled connection busy, or the database down: the desk retries later.
        return error_response(ApiError(503, "database_unavailable", str(exc), headers={"Retry-After": "5"}))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Unknown path or method: the same {"error", "detail"} shape as every refusal.
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, f"http_{exc.status_code}")
        return error_response(ApiError(exc.status_code, code, f"{request.method} {request.url.path[:200]}: {exc.detail}"))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(ApiError(400, "malformed", _problems(exc.errors())))

    @app.exception_handler(ValidationError)
    async def model_error(_request: Request, exc: ValidationError) -> JSONResponse:
        # A body that parsed as JSON but does not fit its model (models.py).
        return error_response(ApiError(400, "malformed", _problems([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()])))

    @app.middleware("http")
    async def server_time(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        try:
            response = await call_next(request)
        except ClientDisconnect:
            response = Response(status_code=400)
        response.headers[H_SERVER_TIME] = f"{time.time():.3f}"
        return response

    # Outermost: it times and counts everything the desk sees (--access-log; accesslog.py).
    app.add_middleware(AccessLog)
    return app

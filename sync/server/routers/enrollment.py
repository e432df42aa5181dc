"""Enrollment: a one-time code for a desk credential (docs/sync-protocol.md section 2)."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Depends, Request

from sync.protocol import API_PREFIX, PROTOCOL_VERSION
from sync.server.admin import AdminError
from sync.server.deps import (
    JSON_LIMIT,
    blocking,
    check_protocol,
    parse_model,
    province_of,
    read_body,
)
from sync.server.errors import ApiError
from sync.server.models import REFUSALS, EnrollAnswer, EnrollRequest
from sync.server.routers import body_doc

router = APIRouter(prefix=API_PREFIX, tags=["enrollment"], responses=REFUSALS)


@router.post(
    "/enroll",
    summary="Exchange a one-time enrollment code for a desk credential",
    response_model=EnrollAnswer,
    dependencies=[Depends(check_protocol)],
    openapi_extra=body_doc(EnrollRequest),
)
async def enroll(request: Request) -> dict[str, Any]:
    body = await parse_model(
        request, await read_body(request, JSON_LIMIT), EnrollRequest, "a JSON object with code (and request_id) is required"
    )
    try:
        result = await blocking(province_of(request).enroll, body.code, body.request_id)
    except AdminError as exc:
        raise ApiError(403, exc.reason) from exc
    return {**result, "server_time": time.time(), "protocol": PROTOCOL_VERSION}

"""The desk's own status: ping (no login), who am I, heartbeat."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from sync.protocol import API_PREFIX, PROTOCOL_VERSION, SUPPORTED_VERSIONS
from sync.server.deps import (
    JSON_LIMIT,
    Caller,
    blocking,
    parse_model,
    province_of,
    settings_of,
    signed,
    signed_json,
)
from sync.server.models import REFUSALS, DeskAnswer, HeartbeatAnswer, HeartbeatReport, PingAnswer
from sync.server.routers import body_doc
from sync.server.sequences import last_sequences

router = APIRouter(prefix=API_PREFIX, tags=["desks"], responses=REFUSALS)


@router.get("/ping", summary="Cheap connectivity and clock check (no authentication)", response_model=PingAnswer)
async def ping() -> dict[str, Any]:
    return {"protocol": PROTOCOL_VERSION, "supported": list(SUPPORTED_VERSIONS), "server_time": time.time()}


@router.get("/desk", summary="Who am I (credential check); the answer is signed", response_model=DeskAnswer)
async def whoami(request: Request, caller: Caller = Depends(signed())) -> Response:
    desk = caller.desk
    return signed_json(caller, {
        "desk_id": desk.id, "unit_code": desk.unit_code, "desk": desk.desk, "server_time": time.time(),
        "bundle_key": province_of(request).bundle_public_key(),  # USB bundles are sealed to it
        # A desk enrolled again after losing its database continues from these.
        "last_sequences": await blocking(last_sequences, province_of(request).db, desk.unit_code, desk.desk),
    })


@router.post(
    "/heartbeat",
    summary="Desk backlog, app version and clock report",
    response_model=HeartbeatAnswer,
    openapi_extra=body_doc(HeartbeatReport),
)
async def heartbeat(request: Request, caller: Caller = Depends(signed(JSON_LIMIT))) -> dict[str, Any]:
    report = await parse_model(request, caller.body, HeartbeatReport, "a JSON object is required")
    province = province_of(request)
    acknowledged = await blocking(province.heartbeat, caller.desk, report.model_dump())
    # The desk raises its counters to these: a lost or older database never reuses a code.
    sequences = await blocking(last_sequences, province.db, caller.desk.unit_code, caller.desk.desk)
    settings = settings_of(request)
    return {
        "last_sequences": sequences,
        "bundle_key": province.bundle_public_key(),
        "server_time": time.time(),
        "desk_version": settings.desk_version,
        "desk_download_url": settings.desk_download_url,
        "audit_head_seq": acknowledged,
    }

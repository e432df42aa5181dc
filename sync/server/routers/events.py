"""Records: ``POST /v1/events``, a gzip JSON batch, one answer per record (section 4)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Request, Response

from sync.protocol import API_PREFIX, MAX_BATCH_BODY, MAX_BATCH_EVENTS, MAX_BATCH_JSON
from sync.server.deps import (
    Caller,
    blocking,
    in_flight,
    parse_json,
    province_of,
    require_space,
    settings_of,
    signed,
    signed_json,
)
from sync.server.errors import ApiError
from sync.server.models import REFUSALS, Event, PushAnswer
from sync.server.routers import body_doc

router = APIRouter(prefix=API_PREFIX, tags=["events"], responses=REFUSALS)

_BATCH_SCHEMA = {
    "type": "object",
    "required": ["events"],
    "properties": {"events": {"type": "array", "maxItems": MAX_BATCH_EVENTS, "items": Event.model_json_schema()}},
}


@router.post(
    "/events",
    summary="Push a batch of records (gzip JSON), one answer per record; the answer is signed",
    response_model=PushAnswer,
    dependencies=[Depends(require_space)],
    openapi_extra=body_doc(_BATCH_SCHEMA),
)
async def push_events(
    request: Request,
    content_encoding: str = Header("identity", description="gzip (or identity)"),
    caller: Caller = Depends(signed(MAX_BATCH_BODY)),
) -> Response:
    if content_encoding not in ("gzip", "identity"):
        raise ApiError(415, "content_encoding", content_encoding[:40])
    async with in_flight(request).hold(caller.desk.id, "push", settings_of(request).pushes_in_flight):
        data = await parse_json(request, caller.body, gzipped=content_encoding == "gzip", limit=MAX_BATCH_JSON)
        events = data.get("events") if isinstance(data, dict) else None
        if not isinstance(events, list):
            raise ApiError(400, "malformed", "events: list required")
        if len(events) > MAX_BATCH_EVENTS:
            raise ApiError(413, "too_many_events", f"at most {MAX_BATCH_EVENTS}")
        records = province_of(request).records
        results = await blocking(records.apply_batch, caller.desk, events, via="http")
    return signed_json(caller, {"results": results})

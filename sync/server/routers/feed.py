"""The change feed from the province, read with a cursor (section 5). Pages are signed."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, Response

from sync.protocol import API_PREFIX, MAX_CURSOR, MAX_FEED_PAGE
from sync.server.deps import Caller, blocking, province_of, signed, signed_json
from sync.server.errors import ApiError
from sync.server.models import REFUSALS, ChangesPage

router = APIRouter(prefix=API_PREFIX, tags=["feed"], responses=REFUSALS)


@router.get("/changes", summary="Change feed from the province, read with a cursor (signed page)", response_model=ChangesPage)
async def changes(
    request: Request,
    after: int = Query(0, ge=0, le=MAX_CURSOR),
    limit: int = Query(500, ge=1, le=MAX_FEED_PAGE),
    caller: Caller = Depends(signed()),
) -> Response:
    province = province_of(request)
    page = await blocking(province.changes, caller.desk.unit_code, after, limit)
    if not page["changes"] and after > page["last_seq"]:
        # A cursor the server never gave (a tampered or restored desk): say where the feed
        # really ends, so the desk can read again from there instead of waiting forever.
        raise ApiError(409, "cursor_ahead", f"after={after} > {page['last_seq']}", server_cursor=page["last_seq"])
    del page["last_seq"]
    return signed_json(caller, page)

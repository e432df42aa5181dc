"""Receipt check for citizens and officers (no login): is this code + tag genuine?"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from sync.protocol import API_PREFIX
from sync.server.deps import blocking, province_of
from sync.server.errors import ApiError
from sync.server.models import REFUSALS, ReceiptCheck

router = APIRouter(prefix=API_PREFIX, tags=["receipts"], responses=REFUSALS)


@router.get("/receipts/verify", summary="Is this receipt (dossier code + tag) genuine?", response_model=ReceiptCheck)
async def verify_receipt(request: Request, code: str = "", tag: str = "") -> dict[str, Any]:
    if not code or not tag or len(code) > 64 or len(tag) > 32:
        raise ApiError(400, "malformed", "code and tag required")
    return await blocking(province_of(request).verify_receipt, code, tag)

"""One APIRouter per area of the protocol (docs/sync-protocol.md): desks (ping, who am I,
heartbeat), enrollment, files (tus), events (records), feed (changes), receipts. The
province's administration is the CLI (``python -m sync.server``), not HTTP: nothing on the
network can create codes, revoke desks or set statuses."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


def body_doc(schema: dict[str, Any] | type[BaseModel], media: str = "application/json") -> dict[str, Any]:
    """``openapi_extra`` documenting a request body the handler reads itself (bounded, signed)."""
    if isinstance(schema, type):
        schema = schema.model_json_schema()
    return {"requestBody": {"required": True, "content": {media: {"schema": schema}}}}

"""Request and answer bodies of the protocol as Pydantic models: the OpenAPI description
(/openapi.json) documents docs/sync-protocol.md from them, and request bodies are checked
with them after the bounded JSON parse (``deps.parse_json``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from sync.protocol import MAX_BATCH_EVENTS, MAX_FEED_PAGE, MAX_INT, PUSH_KINDS

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Count = Annotated[int, Field(ge=0, le=MAX_INT)]


class Refusal(BaseModel):
    error: str = Field(description="refusal code (sync/errors.py translates it on the desk)")
    detail: str = Field("", description="an English sentence for province IT staff")


class PingAnswer(BaseModel):
    protocol: str
    supported: list[str]
    server_time: float


class EnrollRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    code: str = Field(max_length=64)
    request_id: str = Field("", max_length=128, description="random id the desk saved before sending (retry-safe)")


class EnrollAnswer(BaseModel):
    desk_id: str
    secret: str = Field(description="base64, 32 bytes: the desk's HMAC key (the only time it travels)")
    unit_code: str
    desk: int
    server_time: float
    protocol: str


class DeskAnswer(BaseModel):
    model_config = ConfigDict(extra="allow")
    desk_id: str
    unit_code: str
    desk: int
    server_time: float


class AuditHead(BaseModel):
    """The desk's audit-chain head and its hash now at the last acknowledged seq (issue 11;
    sync/server/audit_heads.py)."""

    model_config = ConfigDict(extra="ignore")
    seq: Count
    hash: Sha256
    anchor_seq: Count = 0
    anchor_hash: Sha256


class HeartbeatReport(BaseModel):
    model_config = ConfigDict(extra="ignore")
    backlog: Count = 0
    quarantined: Count = 0
    pending_bytes: Count = 0
    app_version: Annotated[str, Field(max_length=200)] = ""
    clock_skew: Annotated[float, Field(allow_inf_nan=False, ge=-1e12, le=1e12)] = 0.0
    audit_head: AuditHead | None = None


class HeartbeatAnswer(BaseModel):
    model_config = ConfigDict(extra="allow")
    server_time: float
    desk_version: str = Field("", description="app version desks should run (empty: no update notice)")
    desk_download_url: str = Field("", description="where to get that version")
    audit_head_seq: int | None = Field(None, description="the audit-chain seq now acknowledged")
    bundle_key: str = Field("", description="the province's X25519 key (base64) desks seal USB bundles to")
    last_sequences: dict[str, int] = Field(
        default_factory=dict, description="{yymmdd: last counter} the province holds for this desk"
    )


class MissingRequest(BaseModel):
    files: list[Sha256] = Field(max_length=10_000)


class MissingAnswer(BaseModel):
    missing: list[str]
    offsets: dict[str, int] = Field(description="bytes already held of an interrupted upload")


class Event(BaseModel):
    """One record (section 4). Only documented here: each record is judged on its own and a
    bad one gets a ``rejected`` answer rather than failing the batch."""

    key: str = Field(min_length=8, max_length=100)
    kind: Literal[PUSH_KINDS]  # type: ignore[valid-type]
    dossier_code: str = Field(max_length=64)
    payload: dict[str, Any]
    created_at: str = ""


class EventBatch(BaseModel):
    events: list[Event] = Field(max_length=MAX_BATCH_EVENTS)


class EventResult(BaseModel):
    model_config = ConfigDict(extra="allow")
    key: str | None
    status: Literal["accepted", "duplicate", "conflict", "rejected", "missing_files"]


class PushAnswer(BaseModel):
    results: list[EventResult]


class Change(BaseModel):
    seq: int
    kind: str
    dossier_code: str
    payload: dict[str, Any]
    created_at: str


class ChangesPage(BaseModel):
    changes: list[Change] = Field(max_length=MAX_FEED_PAGE)
    cursor: int
    more: bool


class ReceiptCheck(BaseModel):
    code: str
    genuine: bool
    on_server: bool


# Refusal answers listed on every route (documentation, and schemathesis's expectations).
REFUSALS: dict[int | str, dict[str, Any]] = {
    status: {"model": Refusal} for status in (400, 401, 403, 404, 409, 413, 415, 429, 507)
}

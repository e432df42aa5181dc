"""The desk <-> province sync protocol, version 1 (see docs/sync-protocol.md).

Shared by the client and the reference server: header names, request signing, payload
hashing, receipt tags, limits and the answers a record can get. Pure functions, no I/O.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Mapping
from typing import Any

from desk_common.records import DESK_STATUSES as DESK_STATUSES  # re-exported for the server
from desk_common.records import PROVINCE_STATUSES as PROVINCE_STATUSES
from desk_common.records import record_files as record_files

# 1.1 (minor bump): signatures also cover a nonce and the tus headers, answers that change
# the desk's state are signed by the server. The server speaks 1.1 only: a desk still on 1
# is told to update (400 protocol_version). USB bundles keep their own format version.
PROTOCOL_VERSION = "1.1"
SUPPORTED_VERSIONS = ("1.1",)
BUNDLE_PROTOCOL = "1"
API_PREFIX = "/v1"
TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,creation-with-upload,checksum,expiration"

# Request headers.
H_PROTOCOL = "X-Sync-Protocol"
H_DESK = "X-Sync-Desk"
H_TIME = "X-Sync-Time"
H_SIGNATURE = "X-Sync-Signature"
H_NONCE = "X-Sync-Nonce"
H_SERVER_TIME = "X-Server-Time"
# The server's signature of an answer (HMAC with the desk's key, see ``sign_answer``).
H_ANSWER_SIGNATURE = "X-Sync-Answer-Signature"
# Request headers covered by the signature besides method, path, time, nonce and body: a
# captured tus request cannot be replayed with another length, file or offset.
SIGNED_HEADERS = ("Upload-Length", "Upload-Metadata", "Upload-Offset")

# How far the signed time may be from the server's clock (replay window). The client
# corrects its own clock by the offset it measured at ping, so a wrong PC clock still syncs
# (and the user is warned); only an uncorrected request outside this window is refused.
MAX_SKEW_SECONDS = 300
CLOCK_WARNING_SECONDS = 300

# Limits (the server answers 413 beyond them).
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_CHUNK_BYTES = 8 * 1024 * 1024
MIN_CLIENT_CHUNK = 32 * 1024
MAX_CLIENT_CHUNK = 4 * 1024 * 1024
MAX_BATCH_EVENTS = 500
# A desk sends batches of <= 100 records / 256 KB (docs/sync-protocol.md section 9), so a few
# MB is ample; the uncompressed limit bounds what one parse can cost the server.
MAX_BATCH_BODY = 4 * 1024 * 1024          # compressed, on the wire
MAX_BATCH_JSON = 4 * 1024 * 1024          # after gunzip (guards against gzip bombs)
MAX_JSON_DEPTH = 32                       # nesting of any JSON body
MAX_JSON_ITEMS = 200_000                  # values (objects, arrays, scalars) in one body
MAX_INT = 2**63 - 1                       # integers beyond 64 bits are refused
MAX_CURSOR = MAX_INT
MAX_FEED_PAGE = 1000

# Record kinds a desk may push.
KIND_RECEIVED = "dossier.received"
KIND_STATUS = "dossier.status"
KIND_PAGES = "dossier.pages"
KIND_EDITED = "dossier.edited"  # a correction made at the desk (docs/sync-protocol.md section 4)
PUSH_KINDS = (KIND_RECEIVED, KIND_STATUS, KIND_PAGES, KIND_EDITED)
# The intake fields a desk may correct: the desk owns them
# (= desk_app.domain.corrections.EDIT_FIELDS).
DESK_EDIT_FIELDS = (
    "applicant_name", "applicant_id_number", "applicant_birth_date", "applicant_gender", "applicant_address",
    "phone", "email", "sets", "return_channel", "notes", "documents",
)

# Change-feed kinds the province publishes.
FEED_STATUS = "dossier.status"
FEED_PROCEDURE = "catalogue.procedure"
FEED_CALENDAR = "calendar.override"
FEED_KINDS = (FEED_STATUS, FEED_PROCEDURE, FEED_CALENDAR)

# Who owns which status (PROVINCE_STATUSES, DESK_STATUSES) and the files a record lists
# (record_files) come from desk_common.records: the desk's store reads them too.

# Answers per pushed record.
ACCEPTED = "accepted"
DUPLICATE = "duplicate"
CONFLICT = "conflict"
REJECTED = "rejected"
MISSING_FILES = "missing_files"   # refused for now: send the files, then the record again
CONFIRMED = (ACCEPTED, DUPLICATE)

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


def is_sha256(value: object) -> bool:
    return isinstance(value, str) and bool(SHA256_RE.match(value))


def canonical_json(value: Any) -> bytes:
    """The one byte form of a JSON value that both ends hash."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def payload_hash(kind: str, dossier_code: str, payload: Any) -> str:
    return hashlib.sha256(canonical_json({"kind": kind, "dossier_code": dossier_code, "payload": payload})).hexdigest()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def string_to_sign(
    method: str, path: str, timestamp: str, body_sha256: str, nonce: str = "", headers: dict[str, str] | None = None
) -> bytes:
    """``path`` includes the query string exactly as sent; ``headers`` are the request's
    ``SIGNED_HEADERS`` (absent ones sign as empty)."""
    headers = headers or {}
    signed = [f"{name.lower()}:{headers.get(name, '')}" for name in SIGNED_HEADERS]
    lines = ("desk-sync-v1.1", method.upper(), path, timestamp, nonce, body_sha256, *signed)
    return "\n".join(lines).encode("utf-8", "surrogatepass")


def sign(
    secret: bytes, method: str, path: str, timestamp: str, body: bytes, nonce: str = "", headers: dict[str, str] | None = None
) -> str:
    digest = hashlib.sha256(body).hexdigest()
    mac = hmac.new(secret, string_to_sign(method, path, timestamp, digest, nonce, headers), hashlib.sha256).digest()
    return b64(mac)


def auth_headers(
    secret: bytes,
    desk_id: str,
    method: str,
    path: str,
    body: bytes,
    headers: Mapping[str, str] | None = None,
    *,
    stamp: str | None = None,
) -> dict[str, str]:
    """The headers that authenticate one request (section 2): protocol, desk, time, a fresh
    nonce and the signature over method, path, body and the request's ``SIGNED_HEADERS``
    taken from ``headers``. ``stamp`` defaults to now (the client passes its corrected time)."""
    stamp = stamp or f"{time.time():.3f}"
    nonce = secrets.token_urlsafe(12)  # 96 bits, 16 characters: each request carries it
    covered = {name: headers[name] for name in SIGNED_HEADERS if headers and name in headers}
    return {
        H_PROTOCOL: PROTOCOL_VERSION, H_DESK: desk_id, H_TIME: stamp, H_NONCE: nonce,
        H_SIGNATURE: sign(secret, method, path, stamp, body, nonce, covered),
    }


def check_signature(
    secret: bytes,
    method: str,
    path: str,
    timestamp: str,
    body: bytes,
    signature: str,
    nonce: str = "",
    headers: dict[str, str] | None = None,
) -> bool:
    return hmac.compare_digest(sign(secret, method, path, timestamp, body, nonce, headers), signature or "")


def sign_answer(secret: bytes, method: str, path: str, nonce: str, body: bytes) -> str:
    """The server's signature of its answer to one signed request: the request's method,
    path and nonce bind it to that request (an answer cannot be replayed to another one),
    the body's hash to its content. The desk verifies it before applying anything."""
    text = "\n".join(("desk-sync-v1.1:answer", method.upper(), path, nonce, hashlib.sha256(body).hexdigest()))
    return b64(hmac.new(_derived(secret, "answer"), text.encode("utf-8", "surrogatepass"), hashlib.sha256).digest())


def check_answer(secret: bytes, method: str, path: str, nonce: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign_answer(secret, method, path, nonce, body), signature or "")


def _derived(secret: bytes, purpose: str) -> bytes:
    return hmac.new(secret, f"desk-sync-v1:{purpose}".encode(), hashlib.sha256).digest()


RECEIPT_TAG_LENGTH = 10  # base32 characters = 50 bits: short enough for a QR, too long to guess


def receipt_tag(secret: bytes, code: str) -> str:
    """Short authentication tag printed with the receipt's dossier code."""
    mac = hmac.new(_derived(secret, "receipt"), code.strip().upper().encode("utf-8"), hashlib.sha256).digest()
    return base64.b32encode(mac).decode("ascii")[:RECEIPT_TAG_LENGTH]


def check_receipt_tag(secret: bytes, code: str, tag: str) -> bool:
    return hmac.compare_digest(receipt_tag(secret, code), (tag or "").strip().upper())


def bundle_signature(secret: bytes, manifest: bytes) -> str:
    return b64(hmac.new(_derived(secret, "bundle"), manifest, hashlib.sha256).digest())


def tus_checksum(chunk: bytes) -> str:
    """``Upload-Checksum`` header value (tus checksum extension)."""
    return "sha256 " + b64(hashlib.sha256(chunk).digest())


def encode_metadata(values: dict[str, str]) -> str:
    """tus ``Upload-Metadata``: comma-separated ``key base64(value)`` pairs."""
    return ",".join(f"{k} {b64(v.encode('utf-8'))}" for k, v in values.items())


def decode_metadata(header: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in (header or "").split(","):
        part = part.strip()
        if not part:
            continue
        key, _, value = part.partition(" ")
        out[key] = unb64(value).decode("utf-8") if value else ""
    return out

"""Applying desk records on the server, idempotently. Used by the HTTP push and by USB
bundle import, so both paths give the same answers and importing twice changes nothing.

Per record: the idempotency key is looked up first (same key and payload hash -> the
original answer again as ``duplicate``; other hash -> ``conflict``); then authorisation (a
desk writes only its own commune's dossiers), then files (``missing_files`` until every
listed file is stored), then the record is applied and its answer stored under its key, all
in one transaction (a batch's records share one, each in a savepoint). Refusals are not
stored: they changed nothing, and a corrected retry is judged afresh. Thread-safe and safe
across server processes: copies of one record wait for each other on a lock of their key,
unique constraints decide the other races.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sync.protocol import (
    ACCEPTED,
    CONFLICT,
    DESK_EDIT_FIELDS,
    DESK_STATUSES,
    DUPLICATE,
    KIND_EDITED,
    KIND_RECEIVED,
    KIND_STATUS,
    MISSING_FILES,
    PROVINCE_STATUSES,
    PUSH_KINDS,
    REJECTED,
    canonical_json,
    is_sha256,
    payload_hash,
    record_files,
)
from sync.server.storage import DatabaseUnavailable, IntegrityError, ServerDB, Tx, now_iso

ALL_STATUSES = DESK_STATUSES + PROVINCE_STATUSES
# A record whose shape was checked: key, kind, dossier code, payload, payload hash.
Prepared = tuple[str, str, str, dict[str, Any], str]


@dataclass(frozen=True)
class Desk:
    id: str
    unit_code: str
    desk: int


class _Undo(Exception):
    """The shared transaction of a batch must be thrown away (``apply_batch``)."""


class Refused(Exception):
    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def unit_of(code: str) -> str:
    """The unit identifier part of a dossier code ``{unit}-{yymmdd}-{seq}``."""
    parts = (code or "").rsplit("-", 2)
    return parts[0] if len(parts) == 3 else ""


def desk_of(code: str) -> int | None:
    parts = (code or "").rsplit("-", 2)
    if len(parts) != 3 or parts[2][:1] not in tuple("0123456789"):  # ASCII: "²".isdigit() is True
        return None
    return int(parts[2][0])


# Any dossier code of the province: {unit}-{yymmdd}-{4-7 digit sequence}, ASCII only
# (docs/dossier-codes.md); anything else (``…-1<script>``) is refused, never stored.
DOSSIER_CODE_RE = re.compile(r"^[0-9A-Z.]{3,40}-[0-9]{6}-[0-9]{4,7}$")
MAX_TEXT = 2000  # characters of any one string the server keeps in a column of its own


def iso_time(value: Any, field: str) -> datetime:
    """An ISO 8601 time with its UTC offset (as the desk writes them), else Refused."""
    if not isinstance(value, str) or not 10 <= len(value) <= 40:
        raise Refused("malformed", f"{field}: ISO 8601 time with offset required")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise Refused("malformed", f"{field}: ISO 8601 time with offset required") from exc
    if moment.tzinfo is None:
        raise Refused("malformed", f"{field}: the UTC offset is missing")
    return moment


def validate_shape(event: Any) -> tuple[str, str, str, dict[str, Any]]:
    """(key, kind, dossier_code, payload) or Refused."""
    if not isinstance(event, dict):
        raise Refused("malformed", "event must be an object")
    key, kind, code, payload = event.get("key"), event.get("kind"), event.get("dossier_code"), event.get("payload")
    if not isinstance(key, str) or not 8 <= len(key) <= 100:
        raise Refused("malformed", "key must be a string of 8-100 characters")
    if kind not in PUSH_KINDS:
        raise Refused("unknown_kind", str(kind))
    if not isinstance(code, str) or not DOSSIER_CODE_RE.match(code):
        raise Refused("malformed", "dossier_code must be {unit}-{yymmdd}-{sequence}")
    if not isinstance(payload, dict):
        raise Refused("malformed", "payload must be an object")
    files = payload.get("files", [])
    if not isinstance(files, list) or not all(is_sha256(f) for f in files) or len(files) > 10000:
        raise Refused("malformed", "files must be a list of SHA-256 hex digests")
    return key, kind, code, payload


class RecordApplier:
    def __init__(self, db: ServerDB, has_file: Callable[[str], bool], future_tolerance: float = 600.0):
        self.db = db
        self.has_file = has_file
        # A received_at later than the server's time plus this is stored but flagged
        # (a desk clock running ahead, or a forged time).
        self.future_tolerance = future_tolerance
        self.fallbacks = 0  # batches applied record by record after their shared transaction failed

    def apply_batch(self, desk: Desk, events: list[Any], *, via: str) -> list[dict[str, Any]]:
        """Answers in order, one per record, the ones separate transactions would give.

        The records of a batch share one transaction: one commit (one disk flush for 50
        records instead of 50) and, on PostgreSQL, writes pipelined behind the reads (a
        50-record batch made 300 round trips to the database, now about 100). Every refusal
        is decided before its record writes anything, so a refused record leaves nothing in
        the shared transaction. Anything else going wrong — a unique constraint firing (a
        race with another process), a refusal after a write (``_Undo``), a deadlock, a lost
        connection — throws the shared transaction away, and every record is applied again
        in a transaction of its own (the answers do not change, only the speed)."""
        if len(events) <= 1:
            return [self.apply(desk, event, via=via) for event in events]
        try:
            with self.db.transaction() as tx, tx.pipelined():
                keys = [e["key"] for e in events if isinstance(e, dict) and isinstance(e.get("key"), str)]
                tx.lock_keys(keys)
                codes = [e["dossier_code"] for e in events if isinstance(e, dict) and isinstance(e.get("dossier_code"), str)]
                self._prefetch(tx, keys, codes)
                return [self._attempts(event, lambda prepared: self._in_batch(tx, desk, prepared, via)) for event in events]
        except DatabaseUnavailable:
            raise
        except Exception:  # nothing of the batch was committed: record by record
            self.fallbacks += 1
            return [self.apply(desk, event, via=via) for event in events]

    @staticmethod
    def _prefetch(tx: Tx, keys: list[str], codes: list[str]) -> None:
        """Two reads for the whole batch instead of two per record (PostgreSQL; the round
        trips were most of a 50-record batch's time): the stored events of its keys (which
        no other transaction can write meanwhile: this one holds their locks) and which of
        its dossier codes exist (another transaction may still add one: its unique
        constraint then fires and the batch starts over record by record)."""
        if tx.dialect != "postgresql":
            return
        found = tx.execute("SELECT key, payload_hash, answer, desk_id FROM events WHERE key = ANY(?)", (keys,))
        tx.known_events = dict.fromkeys(keys)
        tx.known_events.update({row.pop("key"): row for row in found})
        tx.checked_codes = set(codes)
        tx.known_codes = {row["code"] for row in tx.execute("SELECT code FROM dossiers WHERE code = ANY(?)", (codes,))}

    def apply(self, desk: Desk, event: Any, *, via: str) -> dict[str, Any]:
        return self._attempts(event, lambda prepared: self._in_transaction(desk, prepared, via))

    def _in_transaction(self, desk: Desk, prepared: Prepared, via: str) -> dict[str, Any]:
        with self.db.transaction() as tx:
            return self._apply(tx, desk, *prepared, via)

    def _in_batch(self, tx: Tx, desk: Desk, prepared: Prepared, via: str) -> dict[str, Any]:
        before = tx.writes
        try:
            return self._apply(tx, desk, *prepared, via)
        except Refused as exc:
            if tx.writes != before:  # only a transaction of its own can undo what it wrote
                raise _Undo from exc
            raise
        except IntegrityError as exc:
            raise _Undo from exc  # the shared transaction is aborted (PostgreSQL): start over

    def _attempts(self, event: Any, run: Callable[[Prepared], dict[str, Any]]) -> dict[str, Any]:
        """Check the record's shape, then ``run`` it: a refusal is answered; a unique
        constraint that fired (another request committed the same key or code meanwhile)
        means looking again, at most three times."""
        key = event.get("key") if isinstance(event, dict) else None
        try:
            key, kind, code, payload = validate_shape(event)
        except Refused as refusal:
            return {"key": key, "status": REJECTED, "reason": refusal.reason, "detail": refusal.detail}
        prepared = (key, kind, code, payload, payload_hash(kind, code, payload))
        for _attempt in range(3):
            try:
                return run(prepared)
            except Refused as refusal:
                return {"key": key, "status": REJECTED, "reason": refusal.reason, "detail": refusal.detail}
            except IntegrityError:
                continue
        return {"key": key, "status": REJECTED, "reason": "busy", "detail": "retry later"}

    def _apply(self, tx: Tx, desk: Desk, key: str, kind: str, code: str, payload: dict[str, Any], digest: str, via: str) -> dict[str, Any]:
        tx.lock_key(key)  # a concurrent copy of this record (another process) finishes first
        if key in tx.known_events:
            stored = tx.known_events[key]
        else:
            stored = tx.one("SELECT payload_hash, answer, desk_id FROM events WHERE key = ?", (key,))
        if stored is not None:
            answer = json.loads(stored["answer"])
            if stored["payload_hash"] == digest and stored["desk_id"] == desk.id:
                return {"key": key, "status": DUPLICATE, "answer": answer}
            return {"key": key, "status": CONFLICT, "reason": "key_reused", "answer": answer}
        if unit_of(code) != desk.unit_code:
            raise Refused("other_commune", f"{code} is not a dossier of unit {desk.unit_code}")
        if kind != KIND_RECEIVED and desk_of(code) != desk.desk:
            # Only the receiving desk (or the province, through its own feed) changes a
            # dossier: another desk of the unit would change it behind the owner's back.
            raise Refused("not_receiving_desk", f"{code} was received by desk {desk_of(code)}, not desk {desk.desk}")
        files = record_files(payload)
        missing = [sha for sha in files if not self.has_file(sha)]
        if missing:
            return {"key": key, "status": MISSING_FILES, "missing": missing}
        now = now_iso()
        if kind == KIND_RECEIVED:
            answer = self._received(tx, desk, key, code, payload, files, now)
        elif kind == KIND_STATUS:
            answer = self._status(tx, desk, key, code, payload, now)
        elif kind == KIND_EDITED:
            answer = self._edited(tx, key, code, payload, now)
        else:
            answer = self._pages(tx, code, files)
        tx.execute(
            "INSERT INTO events (key, desk_id, kind, dossier_code, payload_hash, payload, answer, via, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key, desk.id, kind, code, digest, canonical_json(payload).decode(), json.dumps(answer), via, now),
        )
        if key in tx.known_events:  # what the lookup would read now
            tx.known_events[key] = {"payload_hash": digest, "answer": json.dumps(answer), "desk_id": desk.id}
        return {"key": key, "status": ACCEPTED, "answer": answer}

    def _received(self, tx: Tx, desk: Desk, key: str, code: str, payload: dict[str, Any], files: list[str], now: str) -> dict[str, Any]:
        dossier = payload.get("dossier")
        if not isinstance(dossier, dict) or dossier.get("code") != code:
            raise Refused("malformed", "payload.dossier.code must equal dossier_code")
        uuid = dossier.get("uuid")
        if uuid != key:
            raise Refused("malformed", "the key of dossier.received is the dossier uuid")
        if desk_of(code) != desk.desk:
            raise Refused("other_desk", f"{code} was not numbered by desk {desk.desk}")
        received_at = dossier.get("received_at")
        moment = iso_time(received_at, "payload.dossier.received_at")
        if len(str(dossier.get("received_by") or "")) > MAX_TEXT:
            raise Refused("malformed", f"payload.dossier.received_by: at most {MAX_TEXT} characters")
        known = code in tx.checked_codes
        if code in tx.known_codes if known else tx.one("SELECT 1 AS x FROM dossiers WHERE code = ?", (code,)):
            raise Refused("code_taken", f"{code} already belongs to another dossier")
        tx.execute(
            "INSERT INTO dossiers (code, uuid, unit_code, desk, desk_id, data, received_at, status, status_at, "
            "status_source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'received', ?, 'desk', ?)",
            (code, uuid, desk.unit_code, desk.desk, desk.id, canonical_json(payload).decode(), received_at, received_at, now),
        )
        tx.known_codes.add(code)
        _link_files(tx, code, files)
        ahead = (moment - datetime.now(UTC)).total_seconds()
        if ahead > self.future_tolerance:
            tx.execute(
                "INSERT INTO flags (dossier_code, reason, detail, created_at) VALUES (?, 'received_in_future', ?, ?)",
                (code, json.dumps({"received_at": received_at, "ahead_seconds": round(ahead), "desk_id": desk.id}), now),
            )
        event_uuid = payload.get("event_uuid")
        if isinstance(event_uuid, str) and event_uuid:
            tx.execute(
                "INSERT INTO dossier_events (uuid, dossier_code, status, at, source, actor, note, recorded_at) "
                "VALUES (?, ?, 'received', ?, 'desk', ?, '', ?) ON CONFLICT DO NOTHING",
                (event_uuid, code, received_at, str(dossier.get("received_by") or ""), now),
            )
        return {"dossier_code": code, "confirmed_at": now}

    def _dossier(self, tx: Tx, code: str) -> dict[str, Any]:
        row = tx.one("SELECT code, status, status_source FROM dossiers WHERE code = ?", (code,))
        if row is None:
            raise Refused("unknown_dossier", f"{code} has not reached the server")
        return row

    def _status(self, tx: Tx, desk: Desk, key: str, code: str, payload: dict[str, Any], now: str) -> dict[str, Any]:
        event = payload.get("event")
        if not isinstance(event, dict) or event.get("uuid") != key:
            raise Refused("malformed", "payload.event.uuid must equal the key")
        status, at = event.get("status"), event.get("at")
        if status not in ALL_STATUSES:
            raise Refused("bad_status", str(status))
        iso_time(at, "payload.event.at")
        for name in ("actor", "note"):
            if len(str(event.get(name) or "")) > MAX_TEXT:
                raise Refused("malformed", f"payload.event.{name}: at most {MAX_TEXT} characters")
        dossier = self._dossier(tx, code)
        tx.execute(
            "INSERT INTO dossier_events (uuid, dossier_code, status, at, source, actor, note, recorded_at) "
            "VALUES (?, ?, ?, ?, 'desk', ?, ?, ?)",
            (key, code, status, at, str(event.get("actor") or ""), str(event.get("note") or ""), now),
        )
        flagged = False
        if status in PROVINCE_STATUSES and dossier["status_source"] == "province":
            # The province owns processing status and has already decided: keep its status and
            # let a supervisor look at what the desk recorded.
            flagged = True
            tx.execute(
                "INSERT INTO flags (dossier_code, reason, detail, created_at) VALUES (?, 'both_changed_status', ?, ?)",
                (code, json.dumps({"desk_status": status, "province_status": dossier["status"], "event": key}), now),
            )
        else:
            tx.execute(
                "UPDATE dossiers SET status = ?, status_at = ?, status_source = 'desk' WHERE code = ?", (status, at, code)
            )
        return {"dossier_code": code, "confirmed_at": now, "flagged": flagged}

    def _edited(self, tx: Tx, key: str, code: str, payload: dict[str, Any], now: str) -> dict[str, Any]:
        """A correction of intake fields (the desk owns them): the stored dossier takes the
        "after" values, the correction stays in its history. If the province has already
        decided a processing status, the change is still applied and flagged, so whoever
        processes the dossier learns that its data changed."""
        edit = payload.get("edit")
        if not isinstance(edit, dict) or edit.get("uuid") != key:
            raise Refused("malformed", "payload.edit.uuid must equal the key")
        changes, at = edit.get("changes"), edit.get("at")
        if not isinstance(changes, dict) or not changes:
            raise Refused("malformed", "payload.edit.changes must be a non-empty object")
        if not isinstance(at, str) or not at or len(at) > 64:
            raise Refused("malformed", "payload.edit.at")
        for field, change in changes.items():
            if field not in DESK_EDIT_FIELDS:
                raise Refused("not_desk_field", str(field)[:64])
            if not isinstance(change, dict) or "after" not in change:
                raise Refused("malformed", f"payload.edit.changes.{field}.after")
            if field == "documents" and not _documents_ok(change["after"]):
                raise Refused("malformed", "documents must be a list of {name, kind, count}")
            if field != "documents" and not isinstance(change["after"], (str, int)):
                raise Refused("malformed", f"payload.edit.changes.{field}.after")
            if isinstance(change["after"], str) and len(change["after"]) > MAX_EDIT_TEXT:
                raise Refused("malformed", f"payload.edit.changes.{field}.after: at most {MAX_EDIT_TEXT} characters")
        dossier = tx.one("SELECT code, uuid, status, status_source, data FROM dossiers WHERE code = ?", (code,))
        if dossier is None:
            raise Refused("unknown_dossier", f"{code} has not reached the server")
        if payload.get("dossier_uuid") != dossier["uuid"]:
            raise Refused("malformed", "payload.dossier_uuid is not this dossier's")
        data = json.loads(dossier["data"])
        for field, change in changes.items():
            if field == "documents":
                data["documents"] = change["after"]
            else:
                data.setdefault("dossier", {})[field] = change["after"]
        tx.execute("UPDATE dossiers SET data = ? WHERE code = ?", (canonical_json(data).decode(), code))
        tx.execute(
            "INSERT INTO dossier_events (uuid, dossier_code, status, at, source, actor, note, recorded_at) "
            "VALUES (?, ?, 'edited', ?, 'desk', ?, ?, ?)",
            (key, code, at, str(edit.get("actor") or "")[:200], ", ".join(sorted(changes))[:500], now),
        )
        flagged = dossier["status_source"] == "province"
        if flagged:
            tx.execute(
                "INSERT INTO flags (dossier_code, reason, detail, created_at) VALUES (?, 'edited_after_province_status', ?, ?)",
                (code, json.dumps({"fields": sorted(changes), "province_status": dossier["status"], "event": key}), now),
            )
        return {"dossier_code": code, "confirmed_at": now, "fields": sorted(changes), "flagged": flagged}

    def _pages(self, tx: Tx, code: str, files: list[str]) -> dict[str, Any]:
        self._dossier(tx, code)
        _link_files(tx, code, files)
        return {"dossier_code": code, "files": len(files)}


# The longest intake field is the notes (2,000 characters on the desk).
MAX_EDIT_TEXT = 2000


def _documents_ok(documents: Any) -> bool:
    return (
        isinstance(documents, list)
        and len(documents) <= 100
        and all(
            isinstance(d, dict) and isinstance(d.get("name"), str) and 0 < len(d["name"]) <= 300
            and isinstance(d.get("kind"), str) and len(d["kind"]) <= 32
            and isinstance(d.get("count"), int) and not isinstance(d["count"], bool) and 1 <= d["count"] <= 999
            for d in documents
        )
    )


def _link_files(tx: Tx, code: str, files: list[str]) -> None:
    for sha in files:
        tx.execute("INSERT INTO dossier_files (dossier_code, sha256) VALUES (?, ?) ON CONFLICT DO NOTHING", (code, sha))

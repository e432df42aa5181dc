"""What the province does on its own server: enrollment codes, revocation, processing
status and catalogue/holiday changes (published on the change feed), listings, receipt
checks and USB bundle import. Used by the CLI (``__main__``) and the HTTP app.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sync.bundle import BundleError, iter_bundle_files, read_manifest
from sync.bundle_crypto import encode_public, private_key_from_server_key, public_bytes
from sync.protocol import (
    FEED_CALENDAR,
    FEED_PROCEDURE,
    FEED_STATUS,
    MAX_FILE_BYTES,
    PROVINCE_STATUSES,
    b64,
    bundle_signature,
    check_receipt_tag,
    unb64,
)
from sync.server import audit_heads
from sync.server.files import FileStore, UploadError
from sync.server.objectstore import LocalStore, open_store
from sync.server.records import Desk, RecordApplier, desk_of, unit_of
from sync.server.secrets_at_rest import SecretSealer, load_key
from sync.server.storage import VN_TZ, IntegrityError, ServerDB, Tx, now_iso

ENROLL_CODE_DAYS = 7


def make_private(folder: Path) -> None:
    """Create ``folder`` (0700) or tighten an existing one, with the files directly in it
    (database, server.json): another local user reads nothing (docs/security.md)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name != "posix":
        return
    os.chmod(folder, 0o700)
    for item in folder.iterdir():
        if item.is_file() and not item.is_symlink():
            os.chmod(item, 0o600)


class AdminError(Exception):
    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").strip().upper().encode()).hexdigest()


class Province:
    """One server's data: database + files. Thread-safe (see ServerDB, FileStore)."""

    def __init__(
        self, data_dir: Path, database_url: str | None = None, *, key_file: str | Path | None = None, object_store: str | None = None,
        db_pool_size: int | None = None,
    ):
        self.data_dir = Path(data_dir)
        make_private(self.data_dir)
        server_key = load_key(self.data_dir, key_file)
        self.sealer = SecretSealer(server_key)
        # USB bundles are sealed to this key's public half (sync/bundle_crypto.py).
        self.bundle_key = private_key_from_server_key(server_key)
        self.db = ServerDB(self.data_dir, database_url, pool_size=db_pool_size)
        self._wrap_plain_secrets()
        objects = open_store(object_store, self.data_dir)
        if isinstance(objects, LocalStore):  # files on this machine: private folders
            for inside in ("files", "uploads"):
                make_private(self.data_dir / inside)
        self.files = FileStore(self.db, objects)
        self.records = RecordApplier(self.db, self.files.has)
        self._nonces_added = 0

    def close(self) -> None:
        self.db.close()

    def _wrap_plain_secrets(self) -> None:
        """Desk secrets stored before they were wrapped: wrap them now (once)."""
        for row in self.db.read("SELECT id, secret FROM desks"):
            if not SecretSealer.is_wrapped(row["secret"]):
                with self.db.transaction() as tx:
                    tx.execute(
                        "UPDATE desks SET secret = ? WHERE id = ? AND secret = ?",
                        (self.sealer.wrap(unb64(row["secret"]), row["id"]), row["id"], row["secret"]),
                    )

    def _secret(self, row: dict[str, Any]) -> bytes:
        return self.sealer.unwrap(row["secret"], row["id"])

    # --- desks ----------------------------------------------------------------------------
    def enroll_code(self, unit_code: str, desk: int) -> dict[str, Any]:
        unit_code = unit_code.strip().upper()
        if not unit_code or not 1 <= int(desk) <= 9:
            raise AdminError("bad_desk", "unit code required, desk 1-9")
        raw = base64.b32encode(secrets.token_bytes(10)).decode()[:16]
        code = "-".join(raw[i : i + 4] for i in range(0, 16, 4))
        expires = (datetime.now(VN_TZ) + timedelta(days=ENROLL_CODE_DAYS)).replace(microsecond=0).isoformat()
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO enroll_codes (code_hash, unit_code, desk, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                (_code_hash(code), unit_code, int(desk), now_iso(), expires),
            )
        return {"code": code, "unit_code": unit_code, "desk": int(desk), "expires_at": expires}

    def enroll(self, code: str, request_id: str = "") -> dict[str, Any]:
        """Exchange a one-time code for a desk credential (the only time the secret travels).

        Safe against a lost answer: a desk sends a random ``request_id`` it saved before
        sending. The same code with the same request id, while the code is valid, answers
        the same credential again (nothing new is made); any other request id after the
        code was used is refused. Without a request id the code is simply single use."""
        code_hash = _code_hash(code or "")
        request_hash = hashlib.sha256(request_id.encode()).hexdigest() if request_id else ""
        with self.db.transaction() as tx:
            row = tx.one("SELECT * FROM enroll_codes WHERE code_hash = ?", (code_hash,))
            if row is None:
                raise AdminError("enroll_code_invalid")
            if datetime.fromisoformat(row["expires_at"]) < datetime.now(VN_TZ):
                raise AdminError("enroll_code_expired")
            if row["used_at"] is not None:
                return self._enroll_again(tx, code_hash, request_hash)
            desk_id = "desk-" + secrets.token_hex(8)
            secret = secrets.token_bytes(32)
            now = now_iso()
            tx.execute(
                "INSERT INTO desks (id, unit_code, desk, secret, created_at) VALUES (?, ?, ?, ?, ?)",
                (desk_id, row["unit_code"], row["desk"], self.sealer.wrap(secret, desk_id), now),
            )
            tx.execute(
                "UPDATE enroll_codes SET used_at = ?, desk_id = ? WHERE code_hash = ?", (now, desk_id, row["code_hash"])
            )
            if request_hash:
                tx.execute(
                    "INSERT INTO enroll_requests (code_hash, request_hash, desk_id, answered_at) VALUES (?, ?, ?, ?)",
                    (code_hash, request_hash, desk_id, now),
                )
        return {"desk_id": desk_id, "secret": b64(secret), "unit_code": row["unit_code"], "desk": row["desk"]}

    def _enroll_again(self, tx: Tx, code_hash: str, request_hash: str) -> dict[str, Any]:
        """A used code: the original answer again for the same request id, else refused."""
        if not request_hash:
            raise AdminError("enroll_code_invalid")
        answered = tx.one("SELECT request_hash, desk_id FROM enroll_requests WHERE code_hash = ?", (code_hash,))
        if answered is None or not hmac.compare_digest(answered["request_hash"], request_hash):
            raise AdminError("enroll_code_invalid")
        desk = tx.one("SELECT id, unit_code, desk, secret, revoked_at FROM desks WHERE id = ?", (answered["desk_id"],))
        if desk is None or desk["revoked_at"]:
            raise AdminError("enroll_code_invalid")
        secret = b64(self.sealer.unwrap(desk["secret"], desk["id"]))
        return {"desk_id": desk["id"], "secret": secret, "unit_code": desk["unit_code"], "desk": desk["desk"]}

    def desk_credential(self, desk_id: str) -> tuple[Desk, bytes, str | None] | None:
        rows = self.db.read("SELECT id, unit_code, desk, secret, revoked_at FROM desks WHERE id = ?", (desk_id,))
        if not rows:
            return None
        row = rows[0]
        return Desk(row["id"], row["unit_code"], row["desk"]), self._secret(row), row["revoked_at"]

    def use_nonce(self, desk_id: str, nonce: str, expires_at: float) -> bool:
        """Record a request nonce; False when this desk already used it (a replay)."""
        now = time.time()
        try:
            with self.db.transaction() as tx:
                # Every signed request writes one: not worth a disk flush of its own. After a
                # database crash a nonce of the last moment may be gone, so that request could be
                # answered twice within its 5 minutes: harmless, every write is idempotent.
                tx.relaxed_commit()
                tx.execute("INSERT INTO nonces (desk_id, nonce, expires_at) VALUES (?, ?, ?)", (desk_id, nonce, expires_at))
                self._nonces_added += 1
                if self._nonces_added % 200 == 1:  # forget nonces whose requests would be refused as too old anyway
                    tx.execute("DELETE FROM nonces WHERE expires_at < ?", (now,))
        except IntegrityError:
            return False
        return True

    def revoke(self, desk_id: str) -> dict[str, Any]:
        with self.db.transaction() as tx:
            row = tx.one("SELECT id, revoked_at FROM desks WHERE id = ?", (desk_id,))
            if row is None:
                raise AdminError("unknown_desk", desk_id)
            at = row["revoked_at"] or now_iso()
            tx.execute("UPDATE desks SET revoked_at = ? WHERE id = ?", (at, desk_id))
        return {"desk_id": desk_id, "revoked_at": at}

    def heartbeat(self, desk: Desk, report: dict[str, Any]) -> int | None:
        """Record the desk's figures; returns the audit-chain seq acknowledged (None: no head)."""
        def num(key: str) -> float:
            value = report.get(key, 0)
            return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0

        with self.db.transaction() as tx:
            tx.execute(
                "UPDATE desks SET last_seen_at = ?, backlog = ?, pending_bytes = ?, quarantined = ?, "
                "app_version = ?, clock_skew = ? WHERE id = ?",
                (
                    now_iso(),
                    int(num("backlog")),
                    int(num("pending_bytes")),
                    int(num("quarantined")),
                    str(report.get("app_version", ""))[:40],
                    float(num("clock_skew")),
                    desk.id,
                ),
            )
            return audit_heads.note_head(tx, desk.id, desk.unit_code, report.get("audit_head"), now_iso())

    def list_desks(self) -> list[dict[str, Any]]:
        return self.db.read(
            "SELECT id AS desk_id, unit_code, desk, created_at, revoked_at, last_seen_at, backlog, pending_bytes, "
            "quarantined, app_version, clock_skew FROM desks ORDER BY unit_code, desk, created_at"
        )

    # --- province changes (the feed) ------------------------------------------------------
    def _publish(self, tx: Tx, unit_code: str, kind: str, dossier_code: str, payload: dict[str, Any]) -> int:
        tx.lock_changes()
        rows = tx.execute(
            "INSERT INTO changes (unit_code, kind, dossier_code, payload, created_at) VALUES (?, ?, ?, ?, ?) RETURNING seq",
            (unit_code, kind, dossier_code, json.dumps(payload, ensure_ascii=False), now_iso()),
        )
        return int(rows[0]["seq"])

    def set_status(self, code: str, status: str, note: str = "", actor: str = "") -> dict[str, Any]:
        """A processing decision by the province: its own status, published to the desks."""
        if status == "accepted":
            status = "transferred"
        if status not in PROVINCE_STATUSES:
            raise AdminError("bad_status", f"{status} (allowed: accepted, {', '.join(PROVINCE_STATUSES)})")
        code = code.strip().upper()
        at = now_iso()
        with self.db.transaction() as tx:
            row = tx.one("SELECT code, unit_code FROM dossiers WHERE code = ?", (code,))
            if row is None:
                raise AdminError("unknown_dossier", code)
            event_uuid = "prov-" + secrets.token_hex(12)
            tx.execute(
                "INSERT INTO dossier_events (uuid, dossier_code, status, at, source, actor, note, recorded_at) "
                "VALUES (?, ?, ?, ?, 'province', ?, ?, ?)",
                (event_uuid, code, status, at, actor, note, at),
            )
            tx.execute(
                "UPDATE dossiers SET status = ?, status_at = ?, status_source = 'province' WHERE code = ?",
                (status, at, code),
            )
            payload = {"uuid": event_uuid, "status": status, "at": at, "note": note, "actor": actor}
            seq = self._publish(tx, row["unit_code"], FEED_STATUS, code, payload)
        return {"seq": seq, "dossier_code": code, **payload}

    def publish_procedure(self, procedure: dict[str, Any], unit_code: str = "") -> dict[str, Any]:
        for key in ("code", "name", "processing_days"):
            if key not in procedure:
                raise AdminError("bad_procedure", f"missing {key}")
        with self.db.transaction() as tx:
            seq = self._publish(tx, unit_code, FEED_PROCEDURE, "", procedure)
        return {"seq": seq, "code": procedure["code"]}

    def publish_calendar(self, day: str, kind: str, note: str = "", unit_code: str = "") -> dict[str, Any]:
        try:
            datetime.strptime(day, "%Y-%m-%d")
        except ValueError as exc:
            raise AdminError("bad_day", day) from exc
        if kind not in ("off", "work", "clear"):
            raise AdminError("bad_kind", kind)
        with self.db.transaction() as tx:
            seq = self._publish(tx, unit_code, FEED_CALENDAR, "", {"day": day, "kind": kind, "note": note})
        return {"seq": seq, "day": day, "kind": kind}

    def changes(self, unit_code: str, after: int, limit: int) -> dict[str, Any]:
        rows = self.db.read(
            "SELECT seq, kind, dossier_code, payload, created_at FROM changes "
            "WHERE seq > ? AND (unit_code = ? OR unit_code = '') ORDER BY seq LIMIT ?",
            (after, unit_code, limit + 1),
        )
        more = len(rows) > limit
        rows = rows[:limit]
        changes = [{**r, "seq": int(r["seq"]), "payload": json.loads(r["payload"])} for r in rows]
        cursor = changes[-1]["seq"] if changes else after
        last = self.db.read("SELECT max(seq) AS last FROM changes")[0]["last"]
        return {"changes": changes, "cursor": cursor, "more": more, "last_seq": int(last or 0)}

    # --- listings and checks --------------------------------------------------------------
    def dossiers(self) -> list[dict[str, Any]]:
        rows = self.db.read(
            "SELECT code, uuid, unit_code, desk, desk_id, received_at, status, status_source, created_at "
            "FROM dossiers ORDER BY code"
        )
        files: dict[str, list[str]] = {}
        for r in self.db.read("SELECT dossier_code, sha256 FROM dossier_files ORDER BY dossier_code, sha256"):
            files.setdefault(r["dossier_code"], []).append(r["sha256"])
        counts = {
            r["dossier_code"]: int(r["n"])
            for r in self.db.read("SELECT dossier_code, count(*) AS n FROM dossier_events GROUP BY dossier_code")
        }
        return [{**r, "files": files.get(r["code"], []), "events": counts.get(r["code"], 0)} for r in rows]

    def flags(self) -> list[dict[str, Any]]:
        return [
            {**r, "detail": json.loads(r["detail"])}
            for r in self.db.read("SELECT id, dossier_code, reason, detail, created_at FROM flags ORDER BY id")
        ]

    def verify_receipt(self, code: str, tag: str) -> dict[str, Any]:
        """Genuine when ``tag`` was made with the key of a desk of the code's unit and desk
        number (revoked keys included: a receipt printed before revocation stays genuine)."""
        code = (code or "").strip().upper()
        rows = self.db.read("SELECT id, secret FROM desks WHERE unit_code = ? AND desk = ?", (unit_of(code), desk_of(code) or 0))
        genuine = any(check_receipt_tag(self._secret(r), code, tag) for r in rows)
        on_server = bool(genuine and self.db.read("SELECT 1 AS x FROM dossiers WHERE code = ?", (code,)))
        return {"code": code, "genuine": genuine, "on_server": on_server}

    # --- USB bundles ----------------------------------------------------------------------
    def bundle_public_key(self) -> str:
        """The province's bundle key, base64 (desks seal their USB bundles to it)."""
        return encode_public(public_bytes(self.bundle_key))

    def import_bundle(self, path: Path, *, allow_plain: bool = False) -> dict[str, Any]:
        """A bundle sealed to this province; a plain one (written by a desk before issue 12)
        only with ``allow_plain`` (docs/security.md, "USB bundles")."""
        manifest, raw, signature = read_manifest(Path(path), self.bundle_key, allow_plain=allow_plain)
        credential = self.desk_credential(str(manifest.get("desk_id", "")))
        if credential is None:
            raise AdminError("unknown_desk", str(manifest.get("desk_id")))
        desk, secret, revoked_at = credential
        if revoked_at:
            raise AdminError("revoked", desk.id)
        if not hmac.compare_digest(bundle_signature(secret, raw), signature):
            raise AdminError("bad_signature", "the bundle was altered or not made by this desk")
        new_files = known_files = 0
        for sha, data in iter_bundle_files(Path(path), manifest["files"], MAX_FILE_BYTES, self.bundle_key):
            if data is None:
                continue  # a record naming it will answer missing_files
            try:
                if self.files.put_bytes(sha, data):
                    new_files += 1
                else:
                    known_files += 1
            except UploadError as exc:
                raise BundleError("file_corrupt", sha) from exc
        results = self.records.apply_batch(desk, manifest["events"], via="bundle")
        summary: dict[str, Any] = {"desk_id": desk.id, "files_new": new_files, "files_known": known_files}
        for result in results:
            summary[result["status"]] = summary.get(result["status"], 0) + 1
        summary["results"] = results
        return summary

"""Sync use cases for the desk: enroll, one sync round, status, USB bundle, quarantine,
receipt tags. No Qt.

Thread model: a ``SyncService`` uses its ``DeskStore``'s connection, so it runs on the
thread that owns that store. The CLI runs it on its main thread; the UI's sync loop builds
its own services (own connection) on an I/O worker (see desk_app.ui.sync_status), so
network waits never touch the UI thread or the UI's DB thread.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from desk_app import __version__
from desk_app.domain.calendar import VN_TZ
from desk_app.domain.errors import NotFoundError, StoreError, ValidationError
from desk_app.i18n import N_
from desk_app.services.setup import SetupService
from desk_app.store.blobs import BlobStore
from desk_app.store.desk_store import DeskStore
from desk_app.store.sync_store import SyncStore
from sync.bundle import write_bundle
from sync.client import Credential, SyncClient
from sync.errors import AUTHENTICATION, RECORD, TRANSPORT, SyncError, reason_message
from sync.fsutil import write_atomic
from sync.parallel import ParallelUploads
from sync.protocol import (
    CLOCK_WARNING_SECONDS,
    CONFIRMED,
    MISSING_FILES,
    record_files,
    receipt_tag,
)

BATCH_RECORDS = 100
BATCH_BYTES = 256 * 1024
FEED_PAGE = 500
UPLOAD_WORKERS = 3  # files in flight at once (round trips dominate small files on 2G/EDGE)
# The heartbeat at the start of a round is skipped when one went out this recently: the one
# at the end of every round reports the backlog that is left.
HEARTBEAT_EVERY = 600.0
ENROLL_REQUEST = "enroll_request"  # sync_state key: the pending enrollment's request id


class CredentialVault:
    """Keeps the desk's secret out of the database: in the OS keyring when there is a real
    one, else in ``<data>/sync-credential.json`` readable by this user only (mode 0600)."""

    SERVICE = "desk-app-sync"
    FILENAME = "sync-credential.json"

    def __init__(self, data_dir: Path, *, use_keyring: bool | None = None):
        self.data_dir = Path(data_dir)
        if use_keyring is None:
            use_keyring = os.environ.get("DESK_SYNC_KEYRING", "auto") != "off"
        self.use_keyring = use_keyring

    def _keyring(self):
        if not self.use_keyring:
            return None
        try:
            import keyring

            backend = keyring.get_keyring()
            return keyring if getattr(backend, "priority", 0) > 0 else None
        except Exception:  # no usable backend on this machine
            return None

    @staticmethod
    def _user(meta: dict[str, Any]) -> str:
        return f"{meta['desk_id']}@{meta['server_url']}"

    def save(self, meta: dict[str, Any], secret: bytes) -> str:
        ring = self._keyring()
        if ring is not None:
            try:
                ring.set_password(self.SERVICE, self._user(meta), secret.hex())
                return "keyring"
            except Exception:
                pass  # a locked or broken keyring: fall back to the protected file
        path = self.data_dir / self.FILENAME
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # Never readable by others, not even for a moment: mkstemp creates the file 0600.
        raw = json.dumps({"desk_id": meta["desk_id"], "secret": secret.hex()}).encode("utf-8")
        write_atomic(path, raw, prefix=".cred-", mode=0o600, sync_dir=False)
        return "file"

    def load(self, meta: dict[str, Any]) -> bytes | None:
        if meta["storage"] == "keyring":
            ring = self._keyring()
            try:
                value = ring.get_password(self.SERVICE, self._user(meta)) if ring else None
            except Exception:
                value = None
            return bytes.fromhex(value) if value else None
        try:
            data = json.loads((self.data_dir / self.FILENAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return bytes.fromhex(data["secret"]) if data.get("desk_id") == meta["desk_id"] else None


def _iso(moment: datetime) -> str:
    return moment.astimezone(VN_TZ).replace(microsecond=0).isoformat()


class SyncService:
    def __init__(
        self,
        store: DeskStore,
        setup: SetupService,
        clock: Callable[[], datetime],
        data_dir: Path,
        *,
        app_version: str = __version__,
        client_options: dict[str, Any] | None = None,
        vault: CredentialVault | None = None,
    ):
        self.store = SyncStore(store.db)
        self.setup = setup
        self.clock = clock
        self.data_dir = Path(data_dir)
        self.blobs = BlobStore(self.data_dir / "files")
        self.app_version = app_version
        self.client_options = dict(client_options or {})
        self.vault = vault or CredentialVault(self.data_dir)
        self._secret_cache: tuple[str, bytes] | None = None
        self.upload_workers = UPLOAD_WORKERS

    def now(self) -> str:
        return _iso(self.clock())

    # --- credential -----------------------------------------------------------------------
    def credential(self) -> Credential | None:
        meta = self.store.credential_meta()
        if meta is None:
            return None
        if self._secret_cache and self._secret_cache[0] == meta["desk_id"]:
            secret = self._secret_cache[1]
        else:
            secret = self.vault.load(meta)
            if secret is None:
                raise NotFoundError(reason_message("credential_missing"))
            self._secret_cache = (meta["desk_id"], secret)
        return Credential(meta["server_url"], meta["desk_id"], secret, meta["unit_code"], int(meta["desk"]))

    def require_credential(self) -> Credential:
        credential = self.credential()
        if credential is None:
            raise NotFoundError(reason_message("not_enrolled"))
        return credential

    def make_client(self, credential: Credential | None = None, server_url: str | None = None) -> SyncClient:
        return SyncClient(credential, server_url=server_url, **self.client_options)

    def enroll(self, server_url: str, code: str) -> dict[str, Any]:
        """Exchange a one-time code for this desk's credential (network: background thread)."""
        server_url = (server_url or "").strip().rstrip("/")
        if not server_url.startswith(("http://", "https://")):
            raise ValidationError("Địa chỉ máy chủ phải bắt đầu bằng http:// hoặc https://.", field="server")
        config = self.setup.config()
        code = code.strip()
        request_id = self._enroll_request_id(server_url, code)
        client = self.make_client(None, server_url)
        try:
            credential = client.enroll(code, request_id)
        except SyncError as exc:
            # The field at fault, so the enrolment dialog can point at it.
            field = "code" if exc.reason.startswith("enroll_code") else ("server" if exc.category != AUTHENTICATION else None)
            raise StoreError(exc.message_template(), field=field, detail=exc.detail or exc.reason) from None
        finally:
            client.close()
        if credential.unit_code != config.unit_code or credential.desk != config.desk:
            raise ValidationError(
                "Mã đăng ký được cấp cho đơn vị {unit} bàn {desk}, không phải bàn này ({own_unit} bàn {own_desk}).",
                field="code",
                unit=credential.unit_code,
                desk=credential.desk,
                own_unit=config.unit_code,
                own_desk=config.desk,
            )
        meta = {
            "server_url": server_url,
            "desk_id": credential.desk_id,
            "unit_code": credential.unit_code,
            "desk": credential.desk,
            "enrolled_at": self.now(),
        }
        storage = self.vault.save(meta, credential.secret)
        self.store.save_credential_meta(**meta, storage=storage)
        self.store.set_state(**{ENROLL_REQUEST: None})
        self._secret_cache = (credential.desk_id, credential.secret)
        return {**meta, "storage": storage}

    def _enroll_request_id(self, server_url: str, code: str) -> str:
        """The request id for enrolling with ``code`` at ``server_url``, saved in the database
        BEFORE the first send: if the answer is lost (or the app closes) a retry with the
        same code sends the same id and gets the same credential instead of a burned code."""
        code_hash = hashlib.sha256(code.replace("-", "").upper().encode()).hexdigest()
        saved = self.store.state(ENROLL_REQUEST) or {}
        if saved.get("server_url") == server_url and saved.get("code_hash") == code_hash and saved.get("request_id"):
            return str(saved["request_id"])
        request_id = secrets.token_urlsafe(24)
        self.store.set_state(**{ENROLL_REQUEST: {"server_url": server_url, "code_hash": code_hash, "request_id": request_id}})
        return request_id

    def tag_for(self, code: str) -> str | None:
        """Receipt authentication tag for ``code`` (None before enrollment). Offline, fast."""
        try:
            credential = self.credential()
        except NotFoundError:
            return None
        return receipt_tag(credential.secret, code) if credential else None

    # --- status ---------------------------------------------------------------------------
    def outbox(self) -> dict[str, Any]:
        summary = self.store.outbox_summary()
        file_bytes = 0
        for sha in self.store.unsent_files():
            try:
                file_bytes += self.blobs.path_for(sha).stat().st_size
            except (OSError, StoreError):
                pass
        summary["file_bytes_pending"] = file_bytes
        summary["bytes_pending"] = summary["record_bytes_pending"] + file_bytes
        return summary

    def status(self, *, ping: bool = True, timeout: float = 3.0) -> dict[str, Any]:
        """Honest status: online only if the server answered just now; synced only when the
        outbox is empty and the server confirmed the last round."""
        meta = self.store.credential_meta()
        state = self.store.all_state()
        outbox = self.outbox()
        online: bool | None = None
        skew = state.get("clock_skew_seconds")
        if ping and meta is not None:
            client = self.make_client(None, meta["server_url"])
            try:
                answer = client.ping(timeout=timeout)
                online = True
                skew = round(answer["clock_skew"], 1)
                self.store.set_state(clock_skew_seconds=skew, last_contact_at=self.now())
            except SyncError:
                online = False
            finally:
                client.close()
        depth = outbox["pending"] + outbox["quarantined"]
        last_confirmed = state.get("last_confirmed_at")
        return {
            "enrolled": meta is not None,
            "server": meta["server_url"] if meta else None,
            "desk_id": meta["desk_id"] if meta else None,
            "online": online,
            "state": "online" if online else ("offline" if online is False else "unknown"),
            "outbox_depth": depth,
            "pending": outbox["pending"],
            "quarantined": outbox["quarantined"],
            "bytes_pending": outbox["bytes_pending"],
            "last_confirmed_sync": last_confirmed,
            "last_attempt": state.get("last_attempt_at"),
            "last_error": state.get("last_error"),
            "synced": bool(meta is not None and depth == 0 and last_confirmed and not state.get("last_error")),
            "clock_skew_seconds": skew,
            "clock_warning": skew is not None and abs(skew) > CLOCK_WARNING_SECONDS,
            "conflicts": len(self.store.conflicts()),
            "cursor": self.store.cursor(),
        }

    def quarantined(self) -> list[dict[str, Any]]:
        return self.store.quarantined()

    def conflicts(self) -> list[dict[str, Any]]:
        return self.store.conflicts()

    def retry_quarantined(self, keys: list[str] | None = None) -> int:
        return self.store.retry_quarantined(keys)

    # --- one round ------------------------------------------------------------------------
    def sync_once(self, *, client: SyncClient | None = None, tr=None) -> dict[str, Any]:
        """Push pending records (files first), pull the province's changes, report. Returns
        a JSON-able summary; ``ok`` is true only when everything is confirmed."""
        credential = self.require_credential()
        own_client = client is None
        client = client or self.make_client(credential)
        summary: dict[str, Any] = {
            "ok": False,
            "online": False,
            "confirmed": 0,
            "duplicates": 0,
            "quarantined_now": 0,
            "files_uploaded": 0,
            "files_already_on_server": 0,
            "file_bytes_sent": 0,
            "changes_applied": 0,
            "changes_flagged": 0,
            "state": "offline",
            "errors": [],
            "clock_skew_seconds": None,
            "clock_warning": False,
        }
        started = time.monotonic()
        self.store.set_state(last_attempt_at=self.now())
        uploads = ParallelUploads(client, self.upload_workers)
        try:
            # Server down or no network: the round ends here at once as offline; the loop
            # (UI or `desk sync`) backs off with jitter before the next one.
            ping = client.check_connectivity()
            summary["online"] = True
            skew = round(ping["clock_skew"], 1)
            summary["clock_skew_seconds"] = skew
            summary["clock_warning"] = abs(skew) > CLOCK_WARNING_SECONDS
            self.store.set_state(clock_skew_seconds=skew, last_contact_at=self.now())
            last_beat = self.store.state("last_heartbeat_unix") or 0
            if self.store.outbox_summary()["pending"] and not 0 <= time.time() - last_beat < HEARTBEAT_EVERY:
                # A long push ahead and the province has not heard from us for a while.
                self._heartbeat(client, skew)
            self._push(client, uploads, summary)
            self._pull(client, summary)
            self._heartbeat(client, skew)
        except SyncError as exc:
            summary["errors"].append(exc.as_dict(tr))
        finally:
            uploads.close()
            if own_client:
                client.close()
        outbox = self.outbox()
        summary.update(
            pending=outbox["pending"],
            quarantined=outbox["quarantined"],
            bytes_pending=outbox["bytes_pending"],
            requests=client.stats["requests"],
            retries=client.stats["retries"],
            seconds=round(time.monotonic() - started, 2),
        )
        summary["state"] = "online" if summary["online"] else "offline"
        summary["ok"] = not summary["errors"] and outbox["pending"] == 0 and outbox["quarantined"] == 0
        last_error = summary["errors"][0] if summary["errors"] else None
        values: dict[str, Any] = {"last_error": last_error}
        if summary["ok"]:
            values["last_confirmed_at"] = self.now()
        self.store.set_state(**values)
        summary["last_confirmed_sync"] = self.store.state("last_confirmed_at")
        return summary

    def _heartbeat(self, client: SyncClient, skew: float) -> None:
        outbox = self.outbox()
        client.heartbeat(
            {
                "backlog": outbox["pending"],
                "quarantined": outbox["quarantined"],
                "pending_bytes": outbox["bytes_pending"],
                "app_version": self.app_version,
                "clock_skew": skew,
            }
        )
        self.store.set_state(last_heartbeat_unix=time.time())

    @staticmethod
    def _event(row: dict[str, Any]) -> dict[str, Any]:
        return {
            "key": row["idempotency_key"],
            "kind": row["kind"],
            "dossier_code": row["dossier_code"],
            "payload": row["payload"],
            "created_at": row["created_at"],
        }

    def _push(self, client: SyncClient, uploads: ParallelUploads, summary: dict[str, Any]) -> None:
        blocked = self.store.blocked_dossiers()
        after_id = 0
        while True:
            batch = self.store.pending(limit=BATCH_RECORDS, max_bytes=BATCH_BYTES, after_id=after_id)
            if not batch:
                return
            after_id = batch[-1]["id"]
            ready = [row for row in batch if row["dossier_code"] not in blocked]
            ready = self._send_files(client, uploads, ready, blocked, summary)
            if not ready:
                continue
            try:
                results = client.push([self._event(row) for row in ready])
            except SyncError as exc:
                self.store.note_attempt([row["id"] for row in ready], f"{exc.category}/{exc.reason}")
                raise
            retry = self._record_results(ready, results, blocked, summary)
            if retry:
                # The server lacked some files after all (e.g. lost on its side): send them,
                # then the records once more.
                self._upload(uploads, {sha: 0 for _row, res in retry for sha in res.get("missing", [])}, summary)
                rows = [row for row, _res in retry]
                results = client.push([self._event(row) for row in rows])
                again = self._record_results(rows, results, blocked, summary)
                if again:
                    self.store.note_attempt([row["id"] for row, _ in again], MISSING_FILES)

    def _record_results(self, rows, results, blocked: set[str], summary) -> list[tuple[dict, dict]]:
        confirmed, retry = [], []
        for row, result in zip(rows, results):
            status = result.get("status") if isinstance(result, dict) else None
            if status in CONFIRMED:
                confirmed.append((row, result))
                summary["confirmed"] += 1
                if status == "duplicate":
                    summary["duplicates"] += 1
            elif status == MISSING_FILES:
                retry.append((row, result))
            elif row["dossier_code"] in blocked:
                # An earlier record of this dossier was refused: this one waits behind it
                # (pending, not quarantined) and goes once that one is fixed and retried.
                self.store.note_attempt([row["id"]], "waiting")
            else:
                reason = str(result.get("reason") or status) if isinstance(result, dict) else "bad_answer"
                self.store.quarantine(row, kind=RECORD, reason=reason, detail=str(result.get("detail", "")) if isinstance(result, dict) else "")
                blocked.add(row["dossier_code"])
                summary["quarantined_now"] += 1
        self.store.confirm(confirmed, self.now())
        return retry

    def _send_files(self, client: SyncClient, uploads: ParallelUploads, rows, blocked: set[str], summary) -> list[dict[str, Any]]:
        """Files first: every file of these records is on the server before they are sent.
        Records whose files are broken here are quarantined; the others go on."""
        wanted: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            for sha in record_files(row["payload"]):
                wanted.setdefault(sha, []).append(row)
        if not wanted:
            return rows
        unconfirmed = [sha for sha in wanted if sha not in self.store.confirmed_files(wanted)]
        bad: set[int] = set()

        def quarantine_records_of(sha: str, reason: str) -> None:
            for row in wanted[sha]:
                if row["id"] not in bad:
                    self.store.quarantine(row, kind=RECORD, reason=reason, detail=sha)
                    blocked.add(row["dossier_code"])
                    summary["quarantined_now"] += 1
                    bad.add(row["id"])

        for sha in unconfirmed:
            try:
                ok = self.blobs.has(sha)
            except StoreError:
                ok = False
            if not ok:
                quarantine_records_of(sha, "local_file_missing")
        unconfirmed = [sha for sha in unconfirmed if not any(r["id"] in bad for r in wanted[sha])]
        missing = client.missing(unconfirmed)
        summary["files_already_on_server"] += len(unconfirmed) - len(missing)
        self.store.mark_files_confirmed(
            {sha: self.blobs.path_for(sha).stat().st_size for sha in unconfirmed if sha not in missing}, self.now()
        )
        rejected = self._upload(uploads, missing, summary)
        for sha in rejected:
            quarantine_records_of(sha, "file_rejected")
        return [row for row in rows if row["id"] not in bad]

    def _upload(self, uploads: ParallelUploads, missing: dict[str, int], summary) -> set[str]:
        """Send the files the server lacks, several at once; each confirmed file is recorded
        here (this thread owns the database) as soon as its upload ends. A file the server
        refuses is returned (its records get quarantined); any other failure is raised once
        the other uploads have ended."""
        rejected: set[str] = set()
        failure: SyncError | None = None
        sizes = {sha: self.blobs.path_for(sha).stat().st_size for sha in missing}
        jobs = [
            (sha, sizes[sha], lambda p=self.blobs.path_for(sha): open(p, "rb"), offset or 0)
            for sha, offset in missing.items()
        ]
        for sha, sent, error in uploads.run(jobs):
            if error is not None:
                if error.category == RECORD:
                    rejected.add(sha)
                elif failure is None:
                    failure = error
                continue
            summary["file_bytes_sent"] += sent
            summary["files_uploaded"] += 1
            self.store.mark_files_confirmed({sha: sizes[sha]}, self.now())
        if failure is not None:
            raise failure
        return rejected

    def _pull(self, client: SyncClient, summary: dict[str, Any]) -> None:
        cursor = self.store.cursor()
        while True:
            page = client.changes(cursor, FEED_PAGE)
            changes = page.get("changes") or []
            new_cursor = int(page.get("cursor", cursor))
            counts = self.store.apply_changes(changes, new_cursor, self.now())
            summary["changes_applied"] += counts.get("applied", 0)
            summary["changes_flagged"] += counts.get("flagged", 0)
            if not page.get("more") or new_cursor == cursor:
                return
            cursor = new_cursor

    # --- USB bundle -----------------------------------------------------------------------
    def export_bundle(self, out: Path) -> dict[str, Any]:
        """Write every pending record and its files to a signed bundle for the province.
        Nothing is marked as sent: the records stay pending until the server confirms them
        (a later online sync gets ``duplicate`` answers and confirms them then)."""
        credential = self.require_credential()
        rows, after_id = [], 0
        while True:
            batch = self.store.pending(limit=1000, max_bytes=1 << 62, after_id=after_id)
            if not batch:
                break
            rows.extend(batch)
            after_id = batch[-1]["id"]
        files = [sha for row in rows for sha in record_files(row["payload"])]
        for sha in files:
            if not self.blobs.has(sha):
                raise NotFoundError(reason_message("local_file_missing"), detail=sha)
        result = write_bundle(
            Path(out),
            secret=credential.secret,
            desk={"desk_id": credential.desk_id, "unit_code": credential.unit_code, "desk": credential.desk},
            events=[self._event(row) for row in rows],
            files=files,
            open_file=self.blobs.open,
            created_at=self.now(),
        )
        return {"out": str(out), **result}


# Labels the status widget and CLI show (kept here so the catalogue test finds them).
STATE_LABELS = {
    "online": N_("Trực tuyến"),
    "offline": N_("Ngoại tuyến"),
    "unknown": N_("Chưa rõ kết nối"),
}

"""Sync use cases for the desk: enroll, one sync round, status, USB bundle, quarantine,
receipt tags. No Qt.

The parts live beside it: the credential in desk_app.services.sync_credentials, one round of
push and pull in desk_app.services.sync_round; ``SyncService`` ties them together.

Thread model: a ``SyncService`` uses its ``DeskStore``'s connection, so it runs on the
thread that owns that store. The CLI runs it on its main thread; the UI's sync loop builds
its own services (own connection) on an I/O worker (see desk_app.ui.sync_status), so
network waits never touch the UI thread or the UI's DB thread.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from desk_app import __version__
from desk_app.domain.calendar import VN_TZ
from desk_app.domain.errors import NotFoundError, StoreError, ValidationError
from desk_app.i18n import N_, Translator
from desk_app.services import updates
from desk_app.services.desk_clock import DeskClockService
from desk_app.services.setup import SetupService
from desk_app.services.sync_credentials import SERVER_PIN, CredentialVault, DeskCredentials
from desk_app.services.sync_round import (
    BUNDLE_KEY,
    UPLOAD_WORKERS,
    RoundSummary,
    SyncRound,
    event_of,
    note_contact,
    outbox_figures,
    remember_bundle_key,
)
from desk_app.store.blobs import BlobStore
from desk_app.store.clock_store import ClockStore
from desk_app.store.code_sequence import raise_counters
from desk_app.store.desk_store import DeskStore
from desk_app.store.sync_store import SyncStore
from sync.bundle import write_bundle
from sync.bundle_crypto import decode_public, encode_public
from sync.cancel import Cancel
from sync.client import Credential, SyncClient, check_enroll_url
from sync.errors import AUTHENTICATION, SyncError, reason_message
from sync.protocol import CLOCK_WARNING_SECONDS, receipt_tag, record_files
from sync.tlspin import normalize_pin

__all__ = ["STATE_LABELS", "CredentialVault", "SyncService"]

ENROLL_REQUEST = "enroll_request"  # sync_state key: the pending enrollment's request id


def _iso(moment: datetime) -> str:
    return moment.astimezone(VN_TZ).replace(microsecond=0).isoformat()


def seconds_since(iso: str | None, now: datetime) -> int | None:
    if not iso:
        return None
    return max(0, int((now - datetime.fromisoformat(iso)).total_seconds()))


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
        self.credentials = DeskCredentials(self.store, vault or CredentialVault(self.data_dir))
        self.upload_workers = UPLOAD_WORKERS

    @property
    def vault(self) -> CredentialVault:
        return self.credentials.vault

    def now(self) -> str:
        return _iso(self.clock())

    # --- credential -----------------------------------------------------------------------
    def enrolled(self) -> bool:
        """Whether the desk was ever enrolled (its credential's record is stored; the secret
        itself may be missing after a restore on another PC)."""
        return self.store.credential_meta() is not None

    def credential(self) -> Credential | None:
        return self.credentials.current()

    def require_credential(self) -> Credential:
        return self.credentials.require()

    def make_client(self, credential: Credential | None = None, server_url: str | None = None,
                    cancel: Cancel | None = None) -> SyncClient:
        return SyncClient(credential, server_url=server_url, cancel=cancel, **self.client_options)

    def enroll(self, server_url: str, code: str, *, pin: str | None = None, ca_file: str | None = None) -> dict[str, Any]:
        """Exchange a one-time code for this desk's credential (network: background thread).
        Over HTTPS the server's key is pinned (sync/tlspin.py): checked against the system's
        CAs (or ``ca_file``), or against ``pin`` given by the province out of band."""
        server_url = (server_url or "").strip().rstrip("/")
        if not server_url.startswith(("http://", "https://")):
            raise ValidationError("Địa chỉ máy chủ phải bắt đầu bằng http:// hoặc https://.", field="server")
        try:
            check_enroll_url(server_url)
        except SyncError as exc:
            raise ValidationError(exc.message_template(), field="server") from exc
        if pin:
            try:
                pin = normalize_pin(pin)
            except ValueError as exc:
                raise ValidationError("Dấu vân tay khóa máy chủ không hợp lệ (64 chữ số hex).", field="pin") from exc
        config = self.setup.config()
        code = code.strip()
        request_id = self._enroll_request_id(server_url, code)
        tls = {**({"pin": pin} if pin else {}), **({"verify": ca_file} if ca_file else {})}
        client = SyncClient(None, server_url=server_url, **{**self.client_options, **tls})
        try:
            credential = client.enroll(code, request_id)
        except SyncError as exc:
            # The field at fault, so the enrolment dialog can point at it.
            wrong_server = exc.category != AUTHENTICATION or exc.reason in ("server_key_changed", "tls_untrusted")
            field = "code" if exc.reason.startswith("enroll_code") else ("server" if wrong_server else None)
            raise StoreError(exc.message_template(), field=field, detail=exc.detail or exc.reason) from exc
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
        storage = self.credentials.save(meta, credential.secret, pin=credential.pin)
        self.store.set_state(**{ENROLL_REQUEST: None})
        self._fetch_province_facts(credential, tls)
        return {**meta, "storage": storage, "server_pin": credential.pin or None}

    def _fetch_province_facts(self, credential: Credential, tls: dict[str, Any]) -> None:
        """From the signed who-am-I answer: the province's key USB bundles are sealed to, and
        its last counters for this desk (a desk set up again never reuses a code before its
        first sync). Best effort: every heartbeat answer carries both too."""
        client = SyncClient(credential, **{**self.client_options, **tls, "max_attempts": 1})
        try:
            answer = client.whoami()
            remember_bundle_key(self.store, answer.get("bundle_key"))
            raise_counters(self.store.db, credential.desk, answer.get("last_sequences"))
        except SyncError:
            pass
        finally:
            client.close()

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

    def rounds_only(self) -> None:
        """This service's connection runs sync rounds and nothing else (the UI's sync loop):
        its commits need not wait for the disk (SyncStore.commit_without_disk_wait)."""
        self.store.commit_without_disk_wait()

    def tag_for(self, code: str) -> str | None:
        """Receipt authentication tag for ``code`` (None before enrollment). Offline, fast."""
        try:
            credential = self.credential()
        except NotFoundError:
            return None
        return receipt_tag(credential.secret, code) if credential else None

    # --- status ---------------------------------------------------------------------------
    def outbox(self) -> dict[str, Any]:
        return outbox_figures(self.store, self.blobs)

    def status(self, *, ping: bool = True, timeout: float = 3.0) -> dict[str, Any]:
        """Honest status: online only if the server answered just now; synced only when the
        outbox is empty and the server confirmed the last round."""
        meta = self.store.credential_meta()
        state = self.store.all_state()
        outbox = self.outbox()
        online: bool | None = None
        skew = state.get("clock_skew_seconds")
        if ping and meta is not None:
            # The pinned key applies to the unsigned ping too (a self-signed server has no CA).
            pin = self.store.state(SERVER_PIN) or None
            client = SyncClient(None, server_url=meta["server_url"], **{**self.client_options, "pin": pin})
            try:
                answer = client.ping(timeout=timeout)
                online = True
                skew = note_contact(self.store, answer, self.now())
            except SyncError:
                online = False
            finally:
                client.close()
        depth = outbox["pending"] + outbox["quarantined"]
        # A jump, a clock behind the last trusted time, a dossier saved with it ahead.
        clock = DeskClockService(ClockStore(self.store.db), self.clock).status()
        last_confirmed = state.get("last_confirmed_at")
        return {
            "enrolled": meta is not None,
            # Enrolled but the secret is not on this PC (restored from a backup, which never
            # holds it; see services/backup.py): the desk must enrol again before it syncs.
            "reenroll_needed": meta is not None and self.vault.load(meta) is None,
            "server": meta["server_url"] if meta else None,
            "desk_id": meta["desk_id"] if meta else None,
            "online": online,
            "state": "online" if online else ("offline" if online is False else "unknown"),
            "outbox_depth": depth,
            "pending": outbox["pending"],
            "quarantined": outbox["quarantined"],
            "bytes_pending": outbox["bytes_pending"],
            "last_confirmed_sync": last_confirmed,
            # How long the oldest record not yet confirmed by the province has waited (seconds).
            "oldest_unsent_at": outbox["oldest_unsent_at"],
            "oldest_unsent_seconds": seconds_since(outbox["oldest_unsent_at"], self.clock()),
            "last_attempt": state.get("last_attempt_at"),
            "last_error": state.get("last_error"),
            "synced": bool(meta is not None and depth == 0 and last_confirmed and not state.get("last_error")),
            "clock_skew_seconds": skew,
            **clock,
            "clock_warning": bool(clock["clock_problems"]) or (skew is not None and abs(skew) > CLOCK_WARNING_SECONDS),
            "conflicts": len(self.store.conflicts()),
            # The newer version the province asks for, from its last heartbeat answer.
            "update": updates.notice(state.get(updates.STATE_KEY), self.app_version),
            "cursor": self.store.cursor(),
        }

    def quarantined(self) -> list[dict[str, Any]]:
        return self.store.quarantined()

    def conflicts(self) -> list[dict[str, Any]]:
        return self.store.conflicts()

    def retry_quarantined(self, keys: list[str] | None = None) -> int:
        return self.store.retry_quarantined(keys)

    # --- one round ------------------------------------------------------------------------
    def sync_once(
        self, *, client: SyncClient | None = None, tr: Translator | None = None, cancel: Cancel | None = None
    ) -> RoundSummary:
        """Push pending records (files first), pull the province's changes, report. Returns
        the round's summary (``to_json()`` for its JSON); ``ok`` is true only when everything
        is confirmed. ``cancel`` (set from another thread) ends the round at its next wait
        (sync/cancel.py)."""
        credential = self.require_credential()
        own_client = client is None
        client = client or self.make_client(credential, cancel=cancel)
        sync_round = SyncRound(
            self.store,
            self.blobs,
            client,
            now=self.now,
            app_version=self.app_version,
            upload_workers=self.upload_workers,
            close_client=own_client,
        )
        return sync_round.run(tr)

    # --- USB bundle -----------------------------------------------------------------------
    def export_bundle(self, out: Path, province_key: Path | None = None) -> dict[str, Any]:
        """Write every pending record and its files to a signed bundle for the province,
        encrypted to the province's key (from enrollment, a heartbeat, or ``province_key``, a
        file written by the server's ``bundle-key``; remembered for later bundles).
        Nothing is marked as sent: the records stay pending until the server confirms them
        (a later online sync gets ``duplicate`` answers and confirms them then)."""
        credential = self.require_credential()
        if province_key is not None:
            try:
                text = Path(province_key).read_text(encoding="ascii", errors="replace")
                remember_bundle_key(self.store, encode_public(decode_public(text)), strict=True)
            except (OSError, ValueError) as exc:
                raise ValidationError(
                    "Tệp khóa của tỉnh {path} không dùng được: {detail}.", field="province_key",
                    path=str(province_key), detail=str(exc),
                ) from exc
        recipient = self.store.state(BUNDLE_KEY)
        if not recipient:
            raise ValidationError(
                "Chưa có khóa của tỉnh để mã hóa gói USB: hãy đồng bộ trực tuyến một lần, "
                "hoặc dùng tệp khóa do tỉnh cấp (--province-key).", field="province_key",
            )
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
            events=[event_of(row) for row in rows],
            files=files,
            open_file=self.blobs.open,
            created_at=self.now(),
            recipient=decode_public(recipient),
        )
        return {"out": str(out), **result}


# Labels the status widget and CLI show (kept here so the catalogue test finds them).
STATE_LABELS = {
    "online": N_("Trực tuyến"),
    "offline": N_("Ngoại tuyến"),
    "unknown": N_("Chưa rõ kết nối"),
}

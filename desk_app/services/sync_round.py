"""One sync round: push pending records (files first), pull the province's changes, report.
Also the outbox figures and the record-to-event shape the USB bundle shares. No Qt.

Thread model: a ``SyncRound`` uses the ``SyncStore`` it is given, so it runs on the thread
that owns that store (see desk_app.services.sync_service); file uploads run on the
``ParallelUploads`` pool, but only this thread writes their results to the database.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO

from desk_app.domain.errors import StoreError
from desk_app.i18n import Translator
from desk_app.services import updates
from desk_app.services.desk_clock import record_contact
from desk_app.store.blobs import BlobStore
from desk_app.store.clock_store import ClockStore
from desk_app.store.code_sequence import raise_counters
from desk_app.store.sync_store import SyncStore
from sync.bundle_crypto import decode_public, encode_public
from sync.client import SyncClient
from sync.errors import RECORD, SyncError
from sync.parallel import ParallelUploads
from sync.protocol import CLOCK_WARNING_SECONDS, CONFIRMED, MISSING_FILES, record_files

BATCH_RECORDS = 100
BATCH_BYTES = 256 * 1024
FEED_PAGE = 500
UPLOAD_WORKERS = 3  # files in flight at once (round trips dominate small files on 2G/EDGE)
# The heartbeat at the start of a round is skipped when one went out this recently: the one
# at the end of every round reports the backlog that is left.
HEARTBEAT_EVERY = 600.0
BUNDLE_KEY = "province_bundle_key"  # sync_state: the key USB bundles are sealed to

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoundSummary:
    """What one sync round did and left. The fields are in the order of the JSON summary
    `desk sync` prints (``to_json``); ``ok`` is true only when everything is confirmed."""

    ok: bool
    online: bool
    confirmed: int
    duplicates: int
    quarantined_now: int
    files_uploaded: int
    files_already_on_server: int
    file_bytes_sent: int
    changes_applied: int
    changes_flagged: int
    state: str
    errors: list[dict[str, Any]]
    clock_skew_seconds: float | None
    clock_warning: bool
    pending: int
    quarantined: int
    bytes_pending: int
    requests: int
    retries: int
    seconds: float
    last_confirmed_sync: str | None

    def to_json(self) -> dict[str, Any]:
        """The JSON-able summary, keys in field order."""
        return asdict(self)

    @property
    def changed_dossiers(self) -> bool:
        """The round changed what the desk holds about its dossiers: some were confirmed (or
        found already there, or held back) or changes from the province were applied or
        flagged. What pages showing a dossier reload after (ui/changes.py ``synced``)."""
        return bool(self.confirmed or self.duplicates or self.quarantined_now or self.changes_applied
                    or self.changes_flagged)

    @property
    def transport_failed(self) -> bool:
        """The round ended on a network or server failure (the loops back off after one)."""
        return any(e.get("category") == "transport" for e in self.errors)


def event_of(row: dict[str, Any]) -> dict[str, Any]:
    """An outbox row as the event the server (or a USB bundle) receives."""
    return {
        "key": row["idempotency_key"],
        "kind": row["kind"],
        "dossier_code": row["dossier_code"],
        "payload": row["payload"],
        "created_at": row["created_at"],
    }


def outbox_figures(store: SyncStore, blobs: BlobStore) -> dict[str, Any]:
    """The outbox summary plus the bytes of the files not yet on the server."""
    summary = store.outbox_summary()
    file_bytes = 0
    for sha in store.unsent_files():
        try:
            file_bytes += blobs.path_for(sha).stat().st_size
        except (OSError, StoreError):
            pass
    summary["file_bytes_pending"] = file_bytes
    summary["bytes_pending"] = summary["record_bytes_pending"] + file_bytes
    return summary


def audit_head(store: SyncStore) -> dict[str, Any]:
    """The audit chain's head and the hash this desk now holds at the seq the province last
    acknowledged: a rewritten trail no longer matches there (sync/server/audit_heads.py)."""
    from desk_app.store.audit_store import GENESIS, AuditStore

    audit = AuditStore(store.db)
    anchor = int(store.state("audit_acked_seq") or 0)
    return {**audit.head(), "anchor_seq": anchor, "anchor_hash": audit.hash_at(anchor) or GENESIS}


def _opener(path: Path) -> Callable[[], BinaryIO]:
    """Opens the page file for the uploader, which closes it."""
    return lambda: open(path, "rb")


def note_contact(store: SyncStore, answer: dict[str, Any], now: str) -> float:
    """Record that the server answered (and its clock skew); returns the skew in seconds."""
    skew = round(float(answer["clock_skew"]), 1)
    # Before the new skew is stored: a change from the previous one is a jump of the clock.
    record_contact(ClockStore(store.db), now, skew)
    store.set_state(clock_skew_seconds=skew, last_contact_at=now)
    return skew


def remember_bundle_key(store: SyncStore, key: Any, *, strict: bool = False) -> None:
    """Keep the province's bundle key (base64 X25519, sync/bundle_crypto.py) when it is one."""
    try:
        raw = decode_public(key) if isinstance(key, str) and key else None
    except ValueError:
        if strict:
            raise
        raw = None
    if raw and store.state(BUNDLE_KEY) != encode_public(raw):
        store.set_state(**{BUNDLE_KEY: encode_public(raw)})


class SyncRound:
    """One round with one client; ``run()`` once. ``close_client`` says whether the round
    owns the client (and closes it when the network part ends)."""

    def __init__(
        self,
        store: SyncStore,
        blobs: BlobStore,
        client: SyncClient,
        *,
        now: Callable[[], str],
        app_version: str,
        upload_workers: int = UPLOAD_WORKERS,
        close_client: bool = False,
    ):
        self.store = store
        self.blobs = blobs
        self.client = client
        self.now = now
        self.app_version = app_version
        self.upload_workers = upload_workers
        self.close_client = close_client
        # The figures as the round gathers them; ``run`` returns them as a RoundSummary.
        self.summary: dict[str, Any] = {
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
        # Dossiers with a refused record: their later records wait behind it this round.
        self.blocked: set[str] = set()

    def run(self, tr: Translator | None = None) -> RoundSummary:
        """Returns the round's summary; ``ok`` is true only when everything is confirmed."""
        client, summary = self.client, self.summary
        started = time.monotonic()
        self.store.set_state(last_attempt_at=self.now())
        uploads = ParallelUploads(client, self.upload_workers)
        try:
            # Server down or no network: the round ends here at once as offline; the loop
            # (UI or `desk sync`) backs off with jitter before the next one.
            ping = client.check_connectivity()
            summary["online"] = True
            skew = note_contact(self.store, ping, self.now())
            summary["clock_skew_seconds"] = skew
            summary["clock_warning"] = abs(skew) > CLOCK_WARNING_SECONDS
            last_beat = self.store.state("last_heartbeat_unix") or 0
            if self.store.outbox_summary()["pending"] and not 0 <= time.time() - last_beat < HEARTBEAT_EVERY:
                # A long push ahead and the province has not heard from us for a while.
                self._heartbeat(skew)
            self._push(uploads)
            self._pull()
            self._heartbeat(skew)
        except SyncError as exc:
            summary["errors"].append(exc.as_dict(tr))
        finally:
            uploads.close()
            if self.close_client:
                client.close()
        outbox = outbox_figures(self.store, self.blobs)
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
        result = RoundSummary(**summary)
        # Figures and refusal codes only: no dossier content, no credential.
        log.info(
            "sync round: ok=%s online=%s pushed=%s uploaded=%s pending=%s quarantined=%s errors=%s %.1fs",
            result.ok, result.online, result.confirmed, result.files_uploaded,
            result.pending, result.quarantined, [e.get("reason") for e in result.errors], result.seconds,
        )
        return result

    def _heartbeat(self, skew: float) -> None:
        outbox = outbox_figures(self.store, self.blobs)
        answer = self.client.heartbeat(
            {
                "backlog": outbox["pending"],
                "quarantined": outbox["quarantined"],
                "pending_bytes": outbox["bytes_pending"],
                "app_version": self.app_version,
                "clock_skew": skew,
                "audit_head": audit_head(self.store),
            }
        )
        remember_bundle_key(self.store, answer.get("bundle_key"))
        meta = self.store.credential_meta()
        if meta and answer.get("last_sequences"):  # a lost or older database never reuses a code
            raise_counters(self.store.db, int(meta["desk"]), answer["last_sequences"])
        if answer.get("audit_head_seq") is not None:  # the province keeps the head
            self.store.set_state(audit_acked_seq=int(answer["audit_head_seq"]))
        # The version the province wants its desks to run (services/updates.py).
        self.store.set_state(last_heartbeat_unix=time.time(), **{updates.STATE_KEY: updates.from_answer(answer)})

    def _quarantine(self, row: dict[str, Any], reason: str, detail: str) -> None:
        self.store.quarantine(row, kind=RECORD, reason=reason, detail=detail)
        self.blocked.add(row["dossier_code"])
        self.summary["quarantined_now"] += 1

    def _push(self, uploads: ParallelUploads) -> None:
        client = self.client
        self.blocked = self.store.blocked_dossiers()
        after_id = 0
        while True:
            batch = self.store.pending(limit=BATCH_RECORDS, max_bytes=BATCH_BYTES, after_id=after_id)
            if not batch:
                return
            after_id = batch[-1]["id"]
            ready = [row for row in batch if row["dossier_code"] not in self.blocked]
            ready = self._send_files(uploads, ready)
            if not ready:
                continue
            try:
                results = client.push([event_of(row) for row in ready])
            except SyncError as exc:
                self.store.note_attempt([row["id"] for row in ready], f"{exc.category}/{exc.reason}")
                raise
            retry = self._record_results(ready, results)
            if retry:
                # The server lacked some files after all (e.g. lost on its side): send them,
                # then the records once more.
                self._upload(uploads, {sha: 0 for _row, res in retry for sha in res.get("missing", [])})
                rows = [row for row, _res in retry]
                results = client.push([event_of(row) for row in rows])
                again = self._record_results(rows, results)
                if again:
                    self.store.note_attempt([row["id"] for row, _ in again], MISSING_FILES)

    def _record_results(
        self, rows: list[dict[str, Any]], results: list[dict[str, Any]]
    ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        confirmed, retry = [], []
        for row, result in zip(rows, results):
            status = result.get("status") if isinstance(result, dict) else None
            if status in CONFIRMED:
                confirmed.append((row, result))
                self.summary["confirmed"] += 1
                if status == "duplicate":
                    self.summary["duplicates"] += 1
            elif status == MISSING_FILES:
                retry.append((row, result))
            elif row["dossier_code"] in self.blocked:
                # An earlier record of this dossier was refused: this one waits behind it
                # (pending, not quarantined) and goes once that one is fixed and retried.
                self.store.note_attempt([row["id"]], "waiting")
            else:
                reason = str(result.get("reason") or status) if isinstance(result, dict) else "bad_answer"
                self._quarantine(row, reason, str(result.get("detail", "")) if isinstance(result, dict) else "")
        self.store.confirm(confirmed, self.now())
        return retry

    def _send_files(self, uploads: ParallelUploads, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Files first: every file of these records is on the server before they are sent.
        Records whose files are broken here are quarantined; the others go on."""
        wanted: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            for sha in record_files(row["payload"]):
                wanted.setdefault(sha, []).append(row)
        if not wanted:
            return rows
        already = self.store.confirmed_files(wanted)  # one query per batch, not one per file
        unconfirmed = [sha for sha in wanted if sha not in already]
        bad: set[int] = set()

        def quarantine_records_of(sha: str, reason: str) -> None:
            for row in wanted[sha]:
                if row["id"] not in bad:
                    self._quarantine(row, reason, sha)
                    bad.add(row["id"])

        for sha in unconfirmed:
            try:
                ok = self.blobs.has(sha)
            except StoreError:
                ok = False
            if not ok:
                quarantine_records_of(sha, "local_file_missing")
        unconfirmed = [sha for sha in unconfirmed if not any(r["id"] in bad for r in wanted[sha])]
        missing = self.client.missing(unconfirmed)
        self.summary["files_already_on_server"] += len(unconfirmed) - len(missing)
        self.store.mark_files_confirmed(
            {sha: self.blobs.path_for(sha).stat().st_size for sha in unconfirmed if sha not in missing}, self.now()
        )
        rejected = self._upload(uploads, missing)
        for sha in rejected:
            quarantine_records_of(sha, "file_rejected")
        return [row for row in rows if row["id"] not in bad]

    def _upload(self, uploads: ParallelUploads, missing: dict[str, int]) -> set[str]:
        """Send the files the server lacks, several at once; each confirmed file is recorded
        here (this thread owns the database) as soon as its upload ends. A file the server
        refuses is returned (its records get quarantined); any other failure is raised once
        the other uploads have ended."""
        rejected: set[str] = set()
        failure: SyncError | None = None
        sizes = {sha: self.blobs.path_for(sha).stat().st_size for sha in missing}
        jobs = [
            (sha, sizes[sha], _opener(self.blobs.path_for(sha)), offset or 0)
            for sha, offset in missing.items()
        ]
        for sha, sent, error in uploads.run(jobs):
            if error is not None:
                if error.category == RECORD:
                    rejected.add(sha)
                elif failure is None:
                    failure = error
                continue
            self.summary["file_bytes_sent"] += sent
            self.summary["files_uploaded"] += 1
            self.store.mark_files_confirmed({sha: sizes[sha]}, self.now())
        if failure is not None:
            raise failure
        return rejected

    def _pull(self) -> None:
        cursor = self.store.cursor()
        while True:
            try:
                page = self.client.changes(cursor, FEED_PAGE)
            except SyncError as exc:
                if exc.reason != "cursor_ahead" or cursor == 0:
                    raise
                # Our cursor is beyond the server's feed (set by an attacker before the feed
                # was signed, or the server was restored): read again from the start; status
                # changes are keyed by uuid, so what was applied stays applied once.
                cursor = 0
                continue
            changes = page.get("changes") or []
            new_cursor = int(page.get("cursor", cursor))
            counts = self.store.apply_changes(changes, new_cursor, self.now())
            self.summary["changes_applied"] += counts.get("applied", 0)
            self.summary["changes_flagged"] += counts.get("flagged", 0)
            if not page.get("more") or new_cursor == cursor:
                return
            cursor = new_cursor

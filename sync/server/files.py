"""Files on the server: content-addressed finished files plus resumable (tus) uploads.

Bytes live in an object store (sync/server/objectstore.py: local disk by default, or an
S3-compatible bucket shared by every server process); everything else about an upload —
owner, length, offset, expiry and which piece objects hold which bytes — is in the server
database, so consecutive requests of one upload may reach different server processes.

* A finished file is the object ``files/ab/cd/<sha256>`` and is never rewritten.
* An upload in progress has a random id; each tus request stores what it received as piece
  objects ``uploads/<id>/<start>-<random>`` (at most ``PIECE_BYTES`` each), then moves the
  offset in one transaction that succeeds only if the offset is still where the request
  started (two processes racing on one upload: one wins, the other answers 409). The offset
  therefore never covers a byte that is not stored.
* When the last byte arrives the pieces are read in order and hashed: a match becomes the
  finished file, a mismatch discards the upload (``460 file_hash_mismatch``). The file's
  SHA-256 is the upload's identity, so bytes kept from a cut request can never make a wrong
  file (docs/sync-protocol.md section 3).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from sync.protocol import is_sha256
from sync.server.objectstore import ObjectStore

if TYPE_CHECKING:
    from sync.server.storage import ServerDB


class UploadError(Exception):
    def __init__(self, status: int, code: str, detail: str = ""):
        super().__init__(code)
        self.status = status
        self.code = code
        self.detail = detail


@dataclass
class UploadState:
    sha256: str
    length: int
    offset: int
    expires_at: float = 0.0  # Unix time after which an unfinished upload is dropped

    @property
    def complete(self) -> bool:
        return self.offset >= self.length


# Upload state in the server database (appended to the schema in storage.py). ``received``
# is the tus offset: bytes stored in committed pieces.
SCHEMA = """
CREATE TABLE IF NOT EXISTS uploads (
    desk_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    id TEXT NOT NULL UNIQUE,
    length BIGINT NOT NULL,
    received BIGINT NOT NULL,
    touched DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (desk_id, sha256)
);
CREATE INDEX IF NOT EXISTS uploads_touched ON uploads (touched);
CREATE TABLE IF NOT EXISTS upload_pieces (
    upload_id TEXT NOT NULL,
    start BIGINT NOT NULL,
    size BIGINT NOT NULL,
    object_key TEXT NOT NULL,
    PRIMARY KEY (upload_id, start)
);
"""

OWNER_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
UPLOAD_TTL = 24 * 3600             # an unfinished upload untouched this long expires
UPLOAD_QUOTA = 1024 * 1024 * 1024  # declared bytes of one desk's unfinished uploads
SWEEP_EVERY = 60.0
PIECE_BYTES = 4 * 1024 * 1024      # one piece object: the most a request holds in memory
KNOWN_CACHE = 100_000              # finished files remembered per process (never deleted)


def file_key(sha: str) -> str:
    return f"files/{sha[:2]}/{sha[2:4]}/{sha}"


class _Concatenation:
    """A read-only stream over pieces in order, hashing what it yields (for put_stream)."""

    def __init__(self, blocks: Iterator[bytes]):
        self.blocks = blocks
        self.buffer = b""
        self.digest = hashlib.sha256()
        self.total = 0

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.buffer) < size:
            block = next(self.blocks, None)
            if block is None:
                break
            self.digest.update(block)
            self.total += len(block)
            self.buffer += block
        if size < 0:
            size = len(self.buffer)
        out, self.buffer = self.buffer[:size], self.buffer[size:]
        return out


@dataclass
class Receiver:
    """One tus request's bytes for one upload: stored as piece objects as they come, made
    part of the upload by ``commit`` (or removed by ``abort``)."""

    store: FileStore
    sha256: str
    owner: str
    upload_id: str
    start: int
    length: int
    pieces: list[tuple[int, int, str]] = field(default_factory=list)
    written: int = 0
    # SHA-256 (hex) of everything this request wrote, when the caller hashed it on the way:
    # a request from offset 0 to the end then needs no read-back at the finish.
    digest: str | None = None

    @property
    def room(self) -> int:
        """Bytes this request may still add before the declared length."""
        return self.length - self.start - self.written

    def write(self, data: bytes) -> None:
        if not data:
            return
        if len(data) > self.room:
            raise UploadError(413, "beyond_length")
        at = self.start + self.written
        key = f"uploads/{self.upload_id}/{at:020d}-{secrets.token_hex(8)}"
        self.store.objects.put(key, data)
        self.pieces.append((at, len(data), key))
        self.written += len(data)

    def abort(self) -> None:
        self.store.objects.delete([key for _, _, key in self.pieces])
        self.pieces.clear()

    def commit(self) -> UploadState:
        return self.store.commit(self)


class FileStore:
    """Finished files (shared, content-addressed) and uploads in progress, which belong to
    the desk that created them. Another desk never sees them (HEAD answers 404; it makes its
    own), each desk has a quota of declared bytes in unfinished uploads, and an upload not
    touched for ``ttl`` seconds expires (tus ``expiration``). Thread- and process-safe: the
    database decides every offset move."""

    def __init__(self, db: ServerDB, objects: ObjectStore, *, ttl: float = UPLOAD_TTL, quota: int = UPLOAD_QUOTA):
        self.db = db
        self.objects = objects
        self.ttl = ttl
        self.quota = quota
        self._known: set[str] = set()
        self._known_guard = threading.Lock()
        self._last_sweep = 0.0

    # --- finished files -------------------------------------------------------------------
    def _check(self, sha: str) -> str:
        if not is_sha256(sha):
            raise UploadError(400, "bad_sha256")
        return sha

    def has(self, sha: str) -> bool:
        if not is_sha256(sha):
            return False
        if sha in self._known:
            return True
        if self.objects.size(file_key(sha)) is None:
            return False
        self._remember(sha)
        return True

    def _remember(self, sha: str) -> None:
        with self._known_guard:
            if len(self._known) >= KNOWN_CACHE:
                self._known.clear()
            self._known.add(sha)

    def size(self, sha: str) -> int:
        size = self.objects.size(file_key(self._check(sha)))
        if size is None:
            raise FileNotFoundError(sha)
        return size

    def read(self, sha: str) -> bytes:
        return b"".join(self.objects.read(file_key(self._check(sha))))

    def put_bytes(self, sha: str, data: bytes) -> bool:
        """Store whole bytes (USB bundles); refuses bytes that do not hash to ``sha``.
        Returns True when the file was new."""
        if hashlib.sha256(data).hexdigest() != sha:
            raise UploadError(460, "checksum_mismatch")
        if self.has(sha):
            return False
        self.objects.put(file_key(sha), data)
        self._remember(sha)
        return True

    def missing(self, shas: list[str], owner: str) -> dict[str, Any]:
        """Of ``shas``, those not stored, with the offset ``owner``'s unfinished upload holds."""
        missing = [sha for sha in dict.fromkeys(shas) if not self.has(sha)]
        offsets = {}
        if missing:
            wanted = set(missing)
            alive = time.time() - self.ttl
            for row in self.db.read("SELECT sha256, received FROM uploads WHERE desk_id = ? AND touched >= ?", (owner, alive)):
                if row["sha256"] in wanted and row["received"]:
                    offsets[row["sha256"]] = int(row["received"])
        return {"missing": missing, "offsets": offsets}

    # --- uploads in progress --------------------------------------------------------------
    def _row(self, sha: str, owner: str) -> dict[str, Any] | None:
        rows = self.db.read("SELECT id, length, received, touched FROM uploads WHERE desk_id = ? AND sha256 = ?", (owner, sha))
        return rows[0] if rows else None

    def _drop(self, upload_id: str) -> None:
        """Forget an upload and remove its pieces (also ones a dead process left uncommitted)."""
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM upload_pieces WHERE upload_id = ?", (upload_id,))
            tx.execute("DELETE FROM uploads WHERE id = ?", (upload_id,))
        self.objects.delete(self.objects.keys(f"uploads/{upload_id}/"))

    def state(self, sha: str, owner: str) -> UploadState | None:
        row = self._row(sha, owner) if OWNER_RE.match(owner) else None
        if self.has(sha):
            if row is not None:
                self._drop(row["id"])  # this desk's own partial copy of a file another desk finished
            size = self.size(sha)
            return UploadState(sha, size, size)
        if row is None:
            return None
        expires = float(row["touched"]) + self.ttl
        if expires < time.time():
            self._drop(row["id"])
            return None
        state = UploadState(sha, int(row["length"]), int(row["received"]), expires)
        if state.complete:  # a process stopped between the last commit and the finish
            return self._finish(sha, owner, row["id"], state.length)
        return state

    def in_flight_bytes(self, owner: str) -> int:
        """Declared length of ``owner``'s unfinished, unexpired uploads."""
        rows = self.db.read(
            "SELECT COALESCE(SUM(length), 0) AS total FROM uploads WHERE desk_id = ? AND touched >= ?", (owner, time.time() - self.ttl)
        )
        return int(rows[0]["total"])

    def sweep(self, *, force: bool = False) -> int:
        """Drop expired uploads of every desk (at most once a minute unless ``force``)."""
        now = time.time()
        if not force and now - self._last_sweep < SWEEP_EVERY:
            return 0
        self._last_sweep = now
        expired = self.db.read("SELECT id FROM uploads WHERE touched < ?", (now - self.ttl,))
        for row in expired:
            self._drop(row["id"])
        return len(expired)

    def create(self, sha: str, length: int, max_bytes: int, owner: str) -> UploadState:
        self._check(sha)
        if not OWNER_RE.match(owner):
            raise UploadError(400, "bad_owner")
        if length < 0:
            raise UploadError(400, "bad_length")
        if length > max_bytes:
            raise UploadError(413, "file_too_large")
        self.sweep()
        existing = self.state(sha, owner)
        if existing is not None and existing.length == length:
            return existing
        if self.has(sha):  # same hash, other length: the client is confused
            raise UploadError(409, "length_mismatch")
        held = self.in_flight_bytes(owner) - (existing.length if existing else 0)
        if held + length > self.quota:
            raise UploadError(413, "upload_quota", f"{held} bytes already in unfinished uploads, quota {self.quota}")
        if existing is not None:  # same file announced with another length: start again
            row = self._row(sha, owner)
            if row is not None:
                self._drop(row["id"])
        now = time.time()
        with self.db.transaction() as tx:
            # Two processes creating the same upload at once: the first row stays.
            tx.execute(
                "INSERT INTO uploads (desk_id, sha256, id, length, received, touched) VALUES (?, ?, ?, ?, 0, ?) "
                "ON CONFLICT (desk_id, sha256) DO NOTHING",
                (owner, sha, secrets.token_hex(16), length, now),
            )
        state = self.state(sha, owner)
        if state is None:
            raise UploadError(409, "offset_mismatch", "0")
        return state

    def receive(self, sha: str, offset: int, owner: str) -> Receiver | UploadState:
        """Start taking one request's bytes at ``offset`` (which must be the stored offset).
        A finished upload asked for nothing more answers its state instead."""
        state = self.state(sha, owner) if is_sha256(sha) else None
        if state is None:
            raise UploadError(404, "no_upload")
        if state.complete:
            if offset == state.length:
                return state
            raise UploadError(409, "offset_mismatch", str(state.offset))
        if offset != state.offset:
            raise UploadError(409, "offset_mismatch", str(state.offset))
        row = self._row(sha, owner)
        if row is None:
            raise UploadError(404, "no_upload")
        return Receiver(self, sha, owner, row["id"], offset, state.length)

    def append(self, sha: str, offset: int, data: bytes, checksum: tuple[str, bytes] | None, owner: str) -> UploadState:
        """Append one whole chunk at ``offset`` (creation-with-upload bodies, tests)."""
        if checksum is not None:
            algorithm, expected = checksum
            if hashlib.new(algorithm, data).digest() != expected:
                raise UploadError(460, "checksum_mismatch")
        receiver = self.receive(sha, offset, owner)
        if isinstance(receiver, UploadState):
            if data:
                raise UploadError(409, "offset_mismatch", str(receiver.offset))
            return receiver
        receiver.digest = hashlib.sha256(data).hexdigest()
        try:
            for start in range(0, len(data), PIECE_BYTES):
                receiver.write(data[start:start + PIECE_BYTES])
        except BaseException:
            receiver.abort()
            raise
        return receiver.commit()

    def commit(self, receiver: Receiver) -> UploadState:
        """Make the receiver's pieces part of the upload: the offset moves from where the
        request started to after its last stored byte, or nothing changes (409)."""
        if not receiver.pieces:
            state = self.state(receiver.sha256, receiver.owner)
            if state is None:
                raise UploadError(404, "no_upload")
            return state
        moved_to = receiver.start + receiver.written
        now = time.time()
        with self.db.transaction() as tx:
            moved = tx.execute(
                "UPDATE uploads SET received = ?, touched = ? WHERE id = ? AND received = ? RETURNING received",
                (moved_to, now, receiver.upload_id, receiver.start),
            )
            if moved:
                for start, size, key in receiver.pieces:
                    tx.execute(
                        "INSERT INTO upload_pieces (upload_id, start, size, object_key) VALUES (?, ?, ?, ?)",
                        (receiver.upload_id, start, size, key),
                    )
        if not moved:  # another request (maybe on another process) moved the offset first
            receiver.abort()
            row = self._row(receiver.sha256, receiver.owner)
            raise UploadError(409, "offset_mismatch", str(row["received"]) if row else "")
        receiver.pieces.clear()
        if moved_to >= receiver.length:
            known = receiver.digest if receiver.start == 0 else None
            return self._finish(receiver.sha256, receiver.owner, receiver.upload_id, receiver.length, known)
        return UploadState(receiver.sha256, receiver.length, moved_to, now + self.ttl)

    def _finish(self, sha: str, owner: str, upload_id: str, length: int, known: str | None = None) -> UploadState:
        """Assemble and check a complete upload. ``known``: the SHA-256 (hex) of the whole file
        when one request carried all of it and hashed it on the way (nothing is read back)."""
        pieces = self.db.read("SELECT start, size, object_key FROM upload_pieces WHERE upload_id = ? ORDER BY start", (upload_id,))
        at = 0
        for piece in pieces:
            if int(piece["start"]) != at:
                break
            at += int(piece["size"])
        if at != length:
            self._drop(upload_id)
            raise UploadError(460, "file_hash_mismatch", "the stored pieces do not make the declared length")
        keys = [piece["object_key"] for piece in pieces]
        try:
            digest = self._assemble(sha, upload_id, keys, known)
        except FileNotFoundError:
            if self.has(sha):  # another process finished this upload at the same moment
                return UploadState(sha, length, length)
            raise
        matched = digest == sha
        self._drop(upload_id)
        if not matched:
            raise UploadError(460, "file_hash_mismatch")
        self._remember(sha)
        return UploadState(sha, length, length)

    def _assemble(self, sha: str, upload_id: str, keys: list[str], known: str | None) -> str:
        """Hash the pieces in order (unless ``known``); when they hash to ``sha`` they become
        the finished file. Returns the hex digest."""
        if known is not None and known != sha:
            return known
        if len(keys) == 1:  # one piece (a page sent whole): renamed in place
            digest = known
            if digest is None:
                hashing = hashlib.sha256()
                for block in self.objects.read(keys[0]):
                    hashing.update(block)
                digest = hashing.hexdigest()
            if digest == sha:
                self.objects.rename(keys[0], file_key(sha))
            return digest
        stream = _Concatenation(block for key in keys for block in self.objects.read(key))
        staging = f"uploads/{upload_id}/whole"
        self.objects.put_stream(staging, _as_reader(stream))
        digest = stream.digest.hexdigest()
        if digest == sha:
            self.objects.rename(staging, file_key(sha))
        return digest


def _as_reader(stream: _Concatenation) -> IO[bytes]:
    return stream  # type: ignore[return-value]  # read() is all put_stream uses

"""Files on the server: a content-addressed folder plus resumable (tus) uploads.

A finished file lives at ``files/ab/cd/<sha256>`` and is never rewritten. An upload in
progress is ``uploads/<desk id>/<sha256>.part`` with ``<sha256>.json`` holding its length and the
offset that is known good: a chunk is appended and fsynced *before* the offset moves, and
a chunk that did not arrive whole (cut connection, bad checksum) is dropped, so after any
cut or server restart the offset answered to HEAD is exactly what is safely on disk.

Thread-safe: one lock per (desk, upload).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desk_common.fsutil import fsync_dir, sha256_file, write_atomic
from sync.protocol import is_sha256


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


OWNER_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
UPLOAD_TTL = 24 * 3600             # an unfinished upload untouched this long expires
UPLOAD_QUOTA = 1024 * 1024 * 1024  # declared bytes of one desk's unfinished uploads
SWEEP_EVERY = 60.0


class FileStore:
    """Finished files (shared, content-addressed) and uploads in progress, which belong to
    the desk that created them: ``uploads/<desk id>/<sha256>.part`` + ``.json``. Another
    desk never sees them (HEAD answers 404; it makes its own), each desk has a quota of
    declared bytes in unfinished uploads, and an upload not touched for ``ttl`` seconds
    expires (tus ``expiration``)."""

    def __init__(self, data_dir: Path, *, ttl: float = UPLOAD_TTL, quota: int = UPLOAD_QUOTA):
        self.root = Path(data_dir) / "files"
        self.uploads = Path(data_dir) / "uploads"
        self.root.mkdir(parents=True, exist_ok=True)
        self.uploads.mkdir(parents=True, exist_ok=True)
        self.ttl = ttl
        self.quota = quota
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._last_sweep = 0.0

    # --- finished files -------------------------------------------------------------------
    def path_for(self, sha: str) -> Path:
        if not is_sha256(sha):
            raise UploadError(400, "bad_sha256")
        return self.root / sha[:2] / sha[2:4] / sha

    def has(self, sha: str) -> bool:
        return is_sha256(sha) and self.path_for(sha).exists()

    def size(self, sha: str) -> int:
        return self.path_for(sha).stat().st_size

    def put_bytes(self, sha: str, data: bytes) -> bool:
        """Store whole bytes (USB bundles); refuses bytes that do not hash to ``sha``.
        Returns True when the file was new."""
        if hashlib.sha256(data).hexdigest() != sha:
            raise UploadError(460, "checksum_mismatch")
        target = self.path_for(sha)
        if target.exists():
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, data)
        return True

    def missing(self, shas: list[str], owner: str) -> dict[str, Any]:
        """Of ``shas``, those not stored, with the offset ``owner``'s unfinished upload holds."""
        missing = [sha for sha in dict.fromkeys(shas) if not self.has(sha)]
        offsets = {}
        for sha in missing:
            state = self._read_state(sha, owner)
            if state is not None and state.offset:
                offsets[sha] = state.offset
        return {"missing": missing, "offsets": offsets}

    # --- uploads in progress --------------------------------------------------------------
    def _lock(self, sha: str, owner: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault((owner, sha), threading.Lock())

    def _folder(self, owner: str) -> Path:
        if not OWNER_RE.match(owner):
            raise UploadError(400, "bad_owner")
        return self.uploads / owner

    def _meta(self, sha: str, owner: str) -> Path:
        return self._folder(owner) / f"{sha}.json"

    def _part(self, sha: str, owner: str) -> Path:
        return self._folder(owner) / f"{sha}.part"

    def _read_state(self, sha: str, owner: str) -> UploadState | None:
        try:
            meta = json.loads(self._meta(sha, owner).read_text())
        except (FileNotFoundError, ValueError):
            return None
        expires = float(meta.get("touched", 0)) + self.ttl
        if expires < time.time():
            self._drop(sha, owner)
            return None
        return UploadState(sha, int(meta["length"]), int(meta["offset"]), expires)

    def _write_state(self, state: UploadState, owner: str) -> UploadState:
        now = time.time()
        meta = {"length": state.length, "offset": state.offset, "touched": now}
        write_atomic(self._meta(state.sha256, owner), json.dumps(meta).encode())
        return UploadState(state.sha256, state.length, state.offset, now + self.ttl)

    def _drop(self, sha: str, owner: str) -> None:
        self._part(sha, owner).unlink(missing_ok=True)
        self._meta(sha, owner).unlink(missing_ok=True)

    def state(self, sha: str, owner: str) -> UploadState | None:
        if self.has(sha):
            self._drop(sha, owner)  # this desk's own partial copy of a file another desk finished
            size = self.size(sha)
            return UploadState(sha, size, size)
        return self._read_state(sha, owner)

    def in_flight_bytes(self, owner: str) -> int:
        """Declared length of ``owner``'s unfinished, unexpired uploads."""
        total = 0
        for meta in self._folder(owner).glob("*.json"):
            state = self._read_state(meta.stem, owner)
            total += state.length if state is not None else 0
        return total

    def sweep(self, *, force: bool = False) -> int:
        """Drop expired uploads of every desk (at most once a minute unless ``force``)."""
        now = time.time()
        if not force and now - self._last_sweep < SWEEP_EVERY:
            return 0
        self._last_sweep = now
        dropped = 0
        for meta in self.uploads.glob("*/*.json"):
            owner, sha = meta.parent.name, meta.stem
            with self._lock(sha, owner):
                if OWNER_RE.match(owner) and meta.exists() and self._read_state(sha, owner) is None:
                    dropped += 1
        for stray in self.uploads.glob("*/*.part"):  # a .part whose .json is gone
            if not stray.with_suffix(".json").exists() and stray.stat().st_mtime + self.ttl < now:
                stray.unlink(missing_ok=True)
                dropped += 1
        return dropped

    def create(self, sha: str, length: int, max_bytes: int, owner: str) -> UploadState:
        if not is_sha256(sha):
            raise UploadError(400, "bad_sha256")
        if length < 0:
            raise UploadError(400, "bad_length")
        if length > max_bytes:
            raise UploadError(413, "file_too_large")
        self.sweep()
        self._folder(owner).mkdir(exist_ok=True)
        with self._lock(sha, owner):
            existing = self.state(sha, owner)
            if existing is not None and existing.length == length:
                return existing
            if self.has(sha):  # same hash, other length: the client is confused
                raise UploadError(409, "length_mismatch")
            held = self.in_flight_bytes(owner) - (existing.length if existing else 0)
            if held + length > self.quota:
                raise UploadError(413, "upload_quota", f"{held} bytes already in unfinished uploads, quota {self.quota}")
            self._part(sha, owner).write_bytes(b"")
            state = self._write_state(UploadState(sha, length, 0), owner)
            if length == 0:
                return self._finish(state, owner)
            return state

    def append(self, sha: str, offset: int, data: bytes, checksum: tuple[str, bytes] | None, owner: str) -> UploadState:
        """Append one whole chunk at ``offset`` (which must equal the stored offset)."""
        with self._lock(sha, owner):
            state = self.state(sha, owner)
            if state is None:
                raise UploadError(404, "no_upload")
            if state.complete:
                if offset == state.length and not data:
                    return state
                raise UploadError(409, "offset_mismatch", str(state.offset))
            if offset != state.offset:
                raise UploadError(409, "offset_mismatch", str(state.offset))
            if offset + len(data) > state.length:
                raise UploadError(413, "beyond_length")
            if checksum is not None:
                algorithm, expected = checksum
                if hashlib.new(algorithm, data).digest() != expected:
                    raise UploadError(460, "checksum_mismatch")
            part = self._part(sha, owner)
            with open(part, "r+b" if part.exists() else "w+b") as handle:
                handle.truncate(offset)  # drop bytes of a chunk that never got confirmed
                handle.seek(offset)
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            state = self._write_state(UploadState(sha, state.length, offset + len(data)), owner)
            if state.complete:
                return self._finish(state, owner)
            return state

    def _finish(self, state: UploadState, owner: str) -> UploadState:
        part = self._part(state.sha256, owner)
        if sha256_file(part) != state.sha256:
            self._drop(state.sha256, owner)
            raise UploadError(460, "file_hash_mismatch")
        target = self.path_for(state.sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(part, target)  # another desk may have finished the same bytes: same content
        fsync_dir(target.parent)
        self._meta(state.sha256, owner).unlink(missing_ok=True)
        return UploadState(state.sha256, state.length, state.offset)

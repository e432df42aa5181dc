"""Files on the server: a content-addressed folder plus resumable (tus) uploads.

A finished file lives at ``files/ab/cd/<sha256>`` and is never rewritten. An upload in
progress is ``uploads/<sha256>.part`` with ``<sha256>.json`` holding its length and the
offset that is known good: a chunk is appended and fsynced *before* the offset moves, and
a chunk that did not arrive whole (cut connection, bad checksum) is dropped, so after any
cut or server restart the offset answered to HEAD is exactly what is safely on disk.

Thread-safe: one lock per upload.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from sync.fsutil import fsync_dir, sha256_file, write_atomic
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

    @property
    def complete(self) -> bool:
        return self.offset >= self.length


class FileStore:
    def __init__(self, data_dir: Path):
        self.root = Path(data_dir) / "files"
        self.uploads = Path(data_dir) / "uploads"
        self.root.mkdir(parents=True, exist_ok=True)
        self.uploads.mkdir(parents=True, exist_ok=True)
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

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

    # --- uploads in progress --------------------------------------------------------------
    def _lock(self, sha: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(sha, threading.Lock())

    def _meta(self, sha: str) -> Path:
        return self.uploads / f"{sha}.json"

    def _part(self, sha: str) -> Path:
        return self.uploads / f"{sha}.part"

    def _read_state(self, sha: str) -> UploadState | None:
        try:
            meta = json.loads(self._meta(sha).read_text())
        except (FileNotFoundError, ValueError):
            return None
        return UploadState(sha, int(meta["length"]), int(meta["offset"]))

    def _write_state(self, state: UploadState) -> None:
        write_atomic(self._meta(state.sha256), json.dumps({"length": state.length, "offset": state.offset}).encode())

    def state(self, sha: str) -> UploadState | None:
        if self.has(sha):
            size = self.size(sha)
            return UploadState(sha, size, size)
        return self._read_state(sha)

    def create(self, sha: str, length: int, max_bytes: int) -> UploadState:
        if not is_sha256(sha):
            raise UploadError(400, "bad_sha256")
        if length < 0:
            raise UploadError(400, "bad_length")
        if length > max_bytes:
            raise UploadError(413, "file_too_large")
        with self._lock(sha):
            existing = self.state(sha)
            if existing is not None and existing.length == length:
                return existing
            if self.has(sha):  # same hash, other length: the client is confused
                raise UploadError(409, "length_mismatch")
            state = UploadState(sha, length, 0)
            self._part(sha).write_bytes(b"")
            self._write_state(state)
            if length == 0:
                return self._finish(state)
            return state

    def append(self, sha: str, offset: int, data: bytes, checksum: tuple[str, bytes] | None) -> UploadState:
        """Append one whole chunk at ``offset`` (which must equal the stored offset)."""
        with self._lock(sha):
            state = self.state(sha)
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
            part = self._part(sha)
            with open(part, "r+b" if part.exists() else "w+b") as handle:
                handle.truncate(offset)  # drop bytes of a chunk that never got confirmed
                handle.seek(offset)
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            state = UploadState(sha, state.length, offset + len(data))
            self._write_state(state)
            if state.complete:
                return self._finish(state)
            return state

    def _finish(self, state: UploadState) -> UploadState:
        part = self._part(state.sha256)
        if sha256_file(part) != state.sha256:
            part.unlink(missing_ok=True)
            self._meta(state.sha256).unlink(missing_ok=True)
            raise UploadError(460, "file_hash_mismatch")
        target = self.path_for(state.sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(part, target)
        fsync_dir(target.parent)
        self._meta(state.sha256).unlink(missing_ok=True)
        return state

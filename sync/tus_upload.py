"""Sending page files to the server over tus (creation-with-upload, then PATCH chunks),
resuming from the server's offset after any cut, with the chunk size following the measured
link. ``TusUploads`` is a part of ``SyncClient`` (sync/client.py) and runs on its thread (a
background thread, never the UI thread).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, BinaryIO

import requests

from sync.errors import RECORD, SyncError
from sync.protocol import (
    API_PREFIX,
    MAX_CLIENT_CHUNK,
    MIN_CLIENT_CHUNK,
    TUS_VERSION,
    encode_metadata,
    tus_checksum,
)
from sync.transport import Backoff, _header_int

# A file up to this size goes whole in one creation-with-upload request even while the chunk
# is at its 32 KB floor: two floor chunks, ~8 s at 64 kbit/s. A typical 40 KB page then costs
# one round trip and one set of headers instead of two; a cut re-sends at most these bytes.
SMALL_FILE_BYTES = 2 * MIN_CLIENT_CHUNK
# Clean chunks needed after a lost one before small files go whole again.
SMALL_FILE_RECOVERY = 4


class ChunkSizer:
    """Chunk size for a few seconds of transfer at the measured throughput, 32 KB - 4 MB.
    Starts small (an unknown link may be 2G) and follows an exponential moving average."""

    def __init__(self, target_seconds: float = 3.0, initial: int = MIN_CLIENT_CHUNK):
        self.target = target_seconds
        self.size = initial
        self.throughput: float | None = None  # bytes per second
        self.clean = SMALL_FILE_RECOVERY  # chunks through since the last one lost in flight

    def whole_file_limit(self) -> int:
        """The largest file sent whole in one request: one chunk, or ``SMALL_FILE_BYTES``
        when that is larger, unless a chunk was lost recently (a link that drops after a
        few dozen KB then gets whole chunks through instead)."""
        if self.clean < SMALL_FILE_RECOVERY:
            return self.size
        return max(self.size, SMALL_FILE_BYTES)

    def shrink(self) -> None:
        """A chunk was lost in flight: halve the size, so a link that keeps dropping after a
        few seconds or bytes still gets whole chunks through."""
        self.size = max(MIN_CLIENT_CHUNK, self.size // 2)
        self.clean = 0
        if self.throughput is not None:
            self.throughput /= 2

    def observe(self, nbytes: int, seconds: float) -> None:
        """A chunk of ``nbytes`` went through in ``seconds``."""
        self.clean += 1
        if nbytes < 4096 or seconds <= 0:
            return
        rate = nbytes / seconds
        self.throughput = rate if self.throughput is None else 0.6 * self.throughput + 0.4 * rate
        wanted = int(self.throughput * self.target)
        # Grow at most 4x per chunk so one lucky measurement cannot make a huge chunk.
        self.size = max(MIN_CLIENT_CHUNK, min(MAX_CLIENT_CHUNK, wanted, self.size * 4))


class TusUploads:
    """The file-upload endpoints of ``SyncClient``, kept apart from the signed JSON ones. Uses
    the client's ``_request`` (signing, transport errors) and the attributes below."""

    chunks: ChunkSizer
    stats: dict[str, int]
    timeout: float
    backoff_base: float
    backoff_cap: float
    max_attempts: int
    sleep: Callable[[float], None]
    _pause: Callable[[float], None]

    if TYPE_CHECKING:  # SyncClient's, which this mixin is part of

        def _request(
            self,
            method: str,
            path: str,
            *,
            body: bytes = b"",
            headers: dict[str, str] | None = None,
            signed: bool = True,
            timeout: float | None = None,
            connect_timeout: float | None = None,
            ok: tuple[int, ...] = (200,),
        ) -> requests.Response: ...

    def _tus(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Tus-Resumable": TUS_VERSION, **(extra or {})}

    def _offset(self, sha: str) -> int | None:
        response = self._request("HEAD", f"{API_PREFIX}/files/{sha}", headers=self._tus(), ok=(200, 404))
        if response.status_code == 404:
            return None
        return _header_int(response, "Upload-Offset")

    def upload(self, sha: str, size: int, open_file: Callable[[], BinaryIO], *, offset: int | None = 0) -> int:
        """Make sure the server holds file ``sha``; returns the bytes sent. ``offset`` is what
        the server said it holds (0: nothing, so create with the first chunk at once; None:
        unknown, ask). Resumes from the server's offset after any cut; never sends a file
        the server already has."""
        sent = 0
        backoff = Backoff(self.backoff_base, self.backoff_cap)
        known = offset is not None
        with open_file() as handle:
            while True:
                try:
                    if not known:
                        offset = self._offset(sha)
                        known = True
                    if offset is None or (offset == 0 and sent == 0):
                        offset, nbytes = self._create(sha, size, handle)
                        sent += nbytes
                    if offset >= size:
                        break
                    nbytes = self._patch(sha, offset, handle)
                    sent += nbytes
                    offset += nbytes
                    backoff.reset()
                except SyncError as exc:
                    if exc.reason in ("offset_mismatch", "no_upload") or exc.retryable:
                        known = False  # ask the server where it stands
                        if exc.retryable:
                            self.chunks.shrink()
                            if backoff.attempts + 1 >= self.max_attempts:
                                raise
                            self.stats["retries"] += 1
                            self._pause(backoff.next_delay())
                        continue
                    if exc.reason in ("checksum_mismatch", "file_hash_mismatch", "file_too_large", "length_mismatch"):
                        raise SyncError(RECORD, "file_rejected", f"{sha[:12]}: {exc.reason}") from exc
                    raise
        if sent:
            self.stats["files_uploaded"] += 1
        else:
            self.stats["files_skipped"] += 1
        self.stats["file_bytes_sent"] += sent
        return sent

    def _create(self, sha: str, size: int, handle: BinaryIO) -> tuple[int, int]:
        """tus creation-with-upload: the first chunk travels with the creation request; a
        file no larger than ``ChunkSizer.whole_file_limit`` travels whole in it (one round
        trip). The server drops a body that did not arrive whole, so a cut costs at most
        these bytes again."""
        handle.seek(0)
        first = size if size <= self.chunks.whole_file_limit() else self.chunks.size
        chunk = handle.read(first)
        self.stats["max_chunk"] = max(self.stats["max_chunk"], len(chunk))
        headers = self._tus({"Upload-Length": str(size), "Upload-Metadata": encode_metadata({"sha256": sha})})
        if chunk:
            headers["Content-Type"] = "application/offset+octet-stream"
            headers["Upload-Checksum"] = tus_checksum(chunk)
        started = time.monotonic()
        response = self._request(
            "POST", f"{API_PREFIX}/files", body=chunk, headers=headers, ok=(201,), timeout=self._chunk_timeout(len(chunk))
        )
        offset = _header_int(response, "Upload-Offset")
        if offset == len(chunk) and chunk:
            self.chunks.observe(len(chunk), time.monotonic() - started)
        return offset, len(chunk) if offset >= len(chunk) else 0

    def _patch(self, sha: str, offset: int, handle: BinaryIO) -> int:
        handle.seek(offset)
        chunk = handle.read(self.chunks.size)
        self.stats["max_chunk"] = max(self.stats["max_chunk"], len(chunk))
        headers = self._tus({
            "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream",
            "Upload-Checksum": tus_checksum(chunk),
        })
        started = time.monotonic()
        response = self._request(
            "PATCH", f"{API_PREFIX}/files/{sha}", body=chunk, headers=headers, ok=(204,), timeout=self._chunk_timeout(len(chunk))
        )
        self.chunks.observe(len(chunk), time.monotonic() - started)
        new_offset = _header_int(response, "Upload-Offset")
        return new_offset - offset

    def _chunk_timeout(self, nbytes: int) -> float:
        if self.chunks.throughput:
            return max(self.timeout, 4 * nbytes / self.chunks.throughput)
        return self.timeout

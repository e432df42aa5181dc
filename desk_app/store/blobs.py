"""Content-addressed file store for page images and other attachments.

Each file is stored once, named by its SHA-256, under ``<data>/files/ab/cd/<sha256>``.
Writes are atomic (temporary file in the same folder, fsync, rename, fsync of the folder)
and happen *before* the database row that references the file commits, so a crash can leave
an orphan file (found by ``verify``) but never a row pointing at nothing.

Thread-safe: no shared state beyond the file system.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from desk_app.domain.errors import StoreError
from desk_common.fsutil import CHUNK, sha256_file, write_atomic


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class BlobReport:
    missing: list[str]
    altered: list[str]
    orphans: list[str]

    @property
    def ok(self) -> bool:
        return not (self.missing or self.altered)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "missing": self.missing, "altered": self.altered, "orphans": self.orphans}


class BlobStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise StoreError("Mã SHA-256 không hợp lệ: {value}.", value=sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    def put(self, data: bytes) -> str:
        """Store ``data`` durably; returns its SHA-256. Storing the same bytes twice is a no-op."""
        sha = sha256_bytes(data)
        target = self.path_for(sha)
        if target.exists() and target.stat().st_size == len(data):
            return sha
        self._write_atomic(target, [data])
        return sha

    def put_file(self, source: Path) -> str:
        sha = sha256_file(source)
        target = self.path_for(sha)
        if target.exists():
            return sha
        with open(source, "rb") as handle:
            self._write_atomic(target, iter(lambda: handle.read(CHUNK), b""))
        return sha

    def _write_atomic(self, target: Path, chunks: Iterable[bytes]) -> None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, chunks)
        except OSError as exc:
            if getattr(exc, "errno", None) == 28:
                raise StoreError("Ổ đĩa đã đầy: không lưu được tệp. Dữ liệu đã lưu trước đó vẫn an toàn.") from exc
            raise StoreError("Không ghi được tệp: {detail}.", detail=str(exc)) from exc

    def open(self, sha256: str) -> BinaryIO:
        return open(self.path_for(sha256), "rb")

    def read(self, sha256: str) -> bytes:
        try:
            return self.path_for(sha256).read_bytes()
        except FileNotFoundError as exc:
            raise StoreError("Thiếu tệp {sha} trong kho dữ liệu.", sha=sha256) from exc

    def iter_all(self) -> Iterator[str]:
        if not self.root.exists():
            return
        for path in self.root.glob("*/*/*"):
            if path.is_file() and not path.name.startswith(".tmp-"):
                yield path.name

    def verify(self, referenced: Iterable[str]) -> BlobReport:
        """Check every referenced file exists and still hashes to its name; list orphans."""
        referenced = set(referenced)
        missing, altered = [], []
        for sha in sorted(referenced):
            path = self.path_for(sha)
            if not path.exists():
                missing.append(sha)
            elif sha256_file(path) != sha:
                altered.append(sha)
        orphans = sorted(set(self.iter_all()) - referenced)
        return BlobReport(missing, altered, orphans)

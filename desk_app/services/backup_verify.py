"""Reading and checking a finished backup (services/backup.py): its manifest, the snapshot
opened read-only, and every page file in the shared pool hashed. Never changes a backup.

No Qt; runs on the thread of the backup or restore that asks (a UI I/O worker or the CLI's
main thread): after a backup is written, and before a restore writes anything.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desk_app.domain.errors import StoreError, ValidationError
from desk_app.i18n import N_
from desk_app.store.blobs import BlobStore
from desk_app.store.database import DB_FILENAME
from desk_common.fsutil import sha256_file

FORMAT = 1
MANIFEST = "manifest.json"
POOL = "files"
MAX_MANIFEST_BYTES = 256 * 1024 * 1024


class _open_copy:
    """A backup's database opened read-only, never changed (immutable: no journal, no -shm)."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.conn = sqlite3.connect(sqlite_uri(self.path, "mode=ro&immutable=1"), uri=True)
            self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as exc:
            raise _corrupt(self.path, N_("cơ sở dữ liệu không đọc được"), str(exc)) from exc
        return self.conn

    def __exit__(self, *exc: object) -> None:
        self.conn.close()


def sqlite_uri(path: Path, query: str) -> str:
    """A ``file:`` URI for SQLite with the path percent-encoded: a folder named "Sao lưu #1"
    or "a?b" must not end the path early (a bare f"file:{path}" would)."""
    return f"{Path(path).resolve().as_uri()}?{query}"


def _counts(conn: sqlite3.Connection) -> tuple[int, int]:
    try:
        dossiers = conn.execute("SELECT count(*) FROM dossiers").fetchone()[0]
        pages = conn.execute("SELECT count(*) FROM dossier_pages").fetchone()[0]
    except sqlite3.Error as exc:
        raise StoreError("Bản sao lưu không phải dữ liệu của bàn tiếp nhận: {detail}.", detail=str(exc)) from exc
    return int(dossiers), int(pages)


def _referenced(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute(
        "SELECT sha256 FROM dossier_pages UNION SELECT overlay_sha256 FROM dossier_pages WHERE overlay_sha256 IS NOT NULL"
    ).fetchall()
    return {r[0] for r in rows}


def _corrupt(path: Path, detail: str, item: str = "") -> StoreError:
    """``detail`` is one of the N_-marked reasons (translated where shown), ``item`` the file or
    SQLite's own words."""
    return StoreError(
        "Bản sao lưu {path} bị hỏng hoặc không đầy đủ: {detail}{item}.", path=str(path), detail=detail,
        item=f" ({item})" if item else "",
    )



def read_manifest(path: Path) -> tuple[Path, dict[str, Any]]:
    """The backup folder and its manifest, from the folder or the manifest file itself."""
    path = Path(path)
    folder = path.parent if path.name == MANIFEST else path
    manifest_path = folder / MANIFEST
    if not folder.is_dir():
        raise ValidationError("Không tìm thấy bản sao lưu: {path}.", field="from", path=str(path))
    try:
        if manifest_path.stat().st_size > MAX_MANIFEST_BYTES:
            raise _corrupt(folder, N_("manifest.json quá lớn"))
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise _corrupt(folder, N_("thiếu manifest.json: bản sao lưu chưa ghi xong")) from exc
    except (OSError, ValueError) as exc:
        raise _corrupt(folder, N_("manifest.json không đọc được"), str(exc)) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _corrupt(folder, N_("manifest.json không đúng định dạng"))
    try:
        files = [str(s) for s in manifest["files"]]
        for sha in files:
            BlobStore(folder).path_for(sha)  # refuses names that are not a SHA-256
        manifest["database"]["sha256"], int(manifest["dossiers"]), int(manifest["pages"])
    except (KeyError, TypeError, ValueError, StoreError) as exc:
        raise _corrupt(folder, N_("manifest.json không đúng định dạng")) from exc
    return folder, manifest


def pool_of(folder: Path) -> Path:
    return folder.parent / POOL


def verify_backup(path: Path) -> dict[str, Any]:
    """Check a backup completely without changing it; its manifest, or a clear StoreError."""
    folder, manifest = read_manifest(path)
    _verify_folder(folder, pool_of(folder), manifest)
    return manifest


def _verify_folder(
    folder: Path, pool_root: Path, manifest: dict[str, Any], repair: Callable[[str], None] | None = None
) -> None:
    """Everything a restore needs, checked; ``repair(sha)`` (while backing up) may copy a bad
    pool file again once before it counts as damage."""
    copy = folder / DB_FILENAME
    if not copy.is_file():
        raise _corrupt(folder, N_("thiếu tệp cơ sở dữ liệu"), DB_FILENAME)
    if sha256_file(copy) != manifest["database"]["sha256"]:
        raise _corrupt(folder, N_("cơ sở dữ liệu đã bị thay đổi (mã băm không khớp)"), DB_FILENAME)
    with _open_copy(copy) as conn:
        try:
            result = conn.execute("PRAGMA integrity_check").fetchall()
        except sqlite3.Error as exc:
            raise _corrupt(folder, N_("cơ sở dữ liệu không đọc được"), str(exc)) from exc
        if [r[0] for r in result] != ["ok"]:
            raise _corrupt(folder, N_("kiểm tra toàn vẹn cơ sở dữ liệu không đạt"), "; ".join(str(r[0]) for r in result[:5]))
        counts = _counts(conn)
        referenced = _referenced(conn)
    if counts != (int(manifest["dossiers"]), int(manifest["pages"])):
        raise _corrupt(folder, N_("số hồ sơ/trang không khớp với manifest.json"))
    if not referenced <= set(manifest["files"]):
        raise _corrupt(folder, N_("manifest.json thiếu tệp trang"))
    pool = BlobStore(pool_root)
    for sha in manifest["files"]:
        path = pool.path_for(sha)
        sound = path.is_file() and sha256_file(path) == sha
        if not sound and repair is not None:
            repair(sha)
            sound = path.is_file() and sha256_file(path) == sha
        if not sound:
            raise _corrupt(folder, N_("tệp trang đã bị thay đổi") if path.is_file() else N_("thiếu tệp trang"), sha)

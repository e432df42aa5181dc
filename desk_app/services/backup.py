"""Backups of a desk's data folder and restoring them. No Qt; safe on any thread.

A backup is a folder ``<out>/desk-backup-YYYYMMDD-HHMMSS/`` holding:

- ``desk.sqlite3``: a consistent snapshot taken with SQLite's online backup API from its own
  read connection, so the desk keeps saving while it runs (WAL: readers never block writers);
- ``manifest.json``: counts (dossiers, pages), the snapshot's SHA-256 and size, and the SHA-256
  of every page file the snapshot refers to. Written last: a folder without it is not a backup.

Page files are content-addressed (store/blobs.py), so they go once into a pool shared by all
backups in ``<out>/files/ab/cd/<sha256>``: a daily backup copies only the pages scanned since
the last one. Each backup is written under a ``.partial-`` name, verified (the copy opened,
``PRAGMA integrity_check``, counts, every file hashed) and only then renamed into place.

The desk's sync secret (keyring or ``sync-credential.json``) is never copied: a desk restored
on another PC has to enrol again (its sync status says so), and two PCs never sign as one desk.
Logs and the diagnostics are not copied either; only the databases and the page files.

Retention keeps the newest backup of each of the last 7 days with a backup and of each of the
last 4 ISO weeks, then removes pool files no kept backup refers to.

This module writes backups and restores them; checking a backup is in backup_verify.py and
retention in backup_retention.py. Their public names are importable from here too.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desk_app import __version__
from desk_app.domain.errors import StoreError, ValidationError
from desk_app.domain.formats import file_stamp

# Re-exported: callers and tests import these from services.backup, where they used to live.
from desk_app.services.backup_retention import (  # noqa: F401
    KEEP_DAILY,
    KEEP_WEEKLY,
    POOL_GRACE_SECONDS,
    PREFIX,
    keep_set,
    list_backups,
    prune,
)
from desk_app.services.backup_verify import (  # noqa: F401
    FORMAT,
    MANIFEST,
    MAX_MANIFEST_BYTES,
    POOL,
    _counts,
    _open_copy,
    _referenced,
    _verify_folder,
    pool_of,
    read_manifest,
    sqlite_uri,
    verify_backup,
)
from desk_app.store.blobs import BlobStore
from desk_app.store.database import DB_FILENAME, open_database
from desk_common.fsutil import CHUNK, fsync_dir, sha256_file, write_atomic

if TYPE_CHECKING:
    from desk_app.store.sqlite_db import Database

PARTIAL = ".partial-"
LOCK = ".backup.lock"
APP_LOCK = ".desk-app.lock"  # held by the running app (ui/single_instance.py LOCK_NAME, a QLockFile)
LOCK_STALE_SECONDS = 6 * 3600


def backup(
    data_dir: Path,
    out_dir: Path,
    *,
    now: Callable[[], datetime] = datetime.now,
    keep_daily: int = KEEP_DAILY,
    keep_weekly: int = KEEP_WEEKLY,
) -> dict[str, Any]:
    """Back up ``data_dir`` into ``out_dir`` (created if needed), verify it, apply retention.
    Returns {path, dossiers, pages, bytes, files, bytes_copied, created_at, pruned}."""
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    source = data_dir / DB_FILENAME
    if not source.is_file():
        raise ValidationError("Không có dữ liệu để sao lưu tại {path}.", field="data", path=str(data_dir))
    if not out_dir.parent.is_dir():
        # Only the last folder is made: an unplugged USB drive's mount point must not turn
        # into a folder on the local disk that looks like a backup on the drive.
        raise ValidationError(
            "Không tìm thấy {path}: ổ USB hoặc ổ đĩa sao lưu đã được cắm chưa?", field="out", path=str(out_dir.parent)
        )
    if _inside(out_dir, data_dir):
        raise ValidationError("Thư mục sao lưu không được nằm trong thư mục dữ liệu.", field="out")
    try:
        out_dir.mkdir(exist_ok=True)
    except OSError as exc:
        raise StoreError("Không tạo được thư mục sao lưu {path}: {detail}.", path=str(out_dir), detail=exc.strerror or str(exc)) from exc
    with _Lock(out_dir):
        created = now().replace(microsecond=0)
        name = PREFIX + file_stamp(created)
        final = _free_name(out_dir, name)
        partial = out_dir / (PARTIAL + final.name)
        shutil.rmtree(partial, ignore_errors=True)
        try:
            partial.mkdir()
            manifest = _write_backup(data_dir, out_dir, partial, created)
            # A pool file that went bad on the drive since an earlier backup is copied again.
            _verify_folder(partial, out_dir / POOL, manifest, repair=lambda sha: _copy_page(data_dir, out_dir, sha))
            os.replace(partial, final)
            fsync_dir(out_dir)
        except OSError as exc:
            shutil.rmtree(partial, ignore_errors=True)
            raise StoreError(
                "Không ghi được bản sao lưu vào {path}: {detail}.",
                path=str(out_dir),
                detail=exc.strerror or str(exc),
            ) from exc
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        pruned = prune(out_dir, keep_daily=keep_daily, keep_weekly=keep_weekly)
    return {
        "path": str(final),
        "dossiers": manifest["dossiers"],
        "pages": manifest["pages"],
        "bytes": manifest["bytes"],
        "files": len(manifest["files"]),
        "bytes_copied": manifest.pop("_copied"),
        "created_at": manifest["created_at"],
        "pruned": [str(p) for p in pruned],
    }


def _write_backup(data_dir: Path, out_dir: Path, folder: Path, created: datetime) -> dict[str, Any]:
    copy = folder / DB_FILENAME
    _snapshot(data_dir / DB_FILENAME, copy)
    with _open_copy(copy) as conn:
        dossiers, pages = _counts(conn)
        files = _referenced(conn)
    source_blobs = BlobStore(data_dir / "files")
    pool = BlobStore(out_dir / POOL)
    copied = 0
    file_bytes = 0
    for sha in sorted(files):
        src = source_blobs.path_for(sha)
        dst = pool.path_for(sha)
        try:
            size = src.stat().st_size
        except FileNotFoundError as exc:
            raise StoreError(
                "Thiếu tệp trang {sha} trong thư mục dữ liệu: chạy 'desk verify-files' để kiểm tra.", sha=sha
            ) from exc
        file_bytes += size
        if dst.exists() and dst.stat().st_size == size:
            continue  # content-addressed: same name, same bytes (verified below)
        _copy_page(data_dir, out_dir, sha)
        copied += size
    db_bytes = copy.stat().st_size
    manifest = {
        "format": FORMAT,
        "app_version": __version__,
        "created_at": created.isoformat(),
        "dossiers": dossiers,
        "pages": pages,
        "database": {"name": DB_FILENAME, "sha256": sha256_file(copy), "bytes": db_bytes},
        "files": sorted(files),
        "bytes": db_bytes + file_bytes,
        "secret_included": False,
    }
    write_atomic(folder / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
    return {**manifest, "_copied": copied + db_bytes}


def _copy_page(data_dir: Path, out_dir: Path, sha: str) -> None:
    dst = BlobStore(out_dir / POOL).path_for(sha)
    dst.parent.mkdir(parents=True, exist_ok=True)
    with open(BlobStore(data_dir / "files").path_for(sha), "rb") as handle:
        write_atomic(dst, iter(lambda: handle.read(CHUNK), b""), sync_dir=False)


def _snapshot(source: Path, target: Path) -> None:
    """SQLite's online backup, all pages in one step: one read transaction, so the copy is
    one consistent moment even while the desk commits (WAL lets it write meanwhile)."""
    src = sqlite3.connect(sqlite_uri(source, "mode=ro"), uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.execute("PRAGMA busy_timeout=30000")
        src.backup(dst)
        # The copy is one self-contained file (no -wal beside it), fit for a USB stick.
        dst.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise StoreError("Không sao chép được cơ sở dữ liệu: {detail}.", detail=str(exc)) from exc
    finally:
        dst.close()
        src.close()
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())


# --- restore --------------------------------------------------------------------------------
def restore(source: Path, data_dir: Path, *, force: bool = False, now: Callable[[], datetime] = datetime.now) -> dict[str, Any]:
    """Restore the backup at ``source`` into ``data_dir``. The backup is verified completely
    first; nothing is written unless it is sound. ``data_dir`` must be empty or absent; with
    ``force`` a non-empty one has its databases moved aside to ``replaced-<time>/`` (never
    deleted). Returns {data, dossiers, pages, files, verify_files, reenroll_needed}."""
    data_dir = Path(data_dir)
    folder, manifest = read_manifest(source)
    if data_dir.exists() and not data_dir.is_dir():
        raise ValidationError("{path} không phải là thư mục.", field="data", path=str(data_dir))
    if data_dir.is_dir() and any(data_dir.iterdir()) and not force:
        raise ValidationError(
            "Thư mục {path} không trống: chọn một thư mục trống (hoặc dùng --force để thay dữ liệu hiện có; "
            "dữ liệu cũ được chuyển sang thư mục replaced-...).",
            field="data",
            path=str(data_dir),
        )
    if _inside(data_dir, folder.parent):
        raise ValidationError("Không khôi phục vào trong thư mục sao lưu.", field="data")
    if _app_running(data_dir):
        raise ValidationError(
            "Ứng dụng đang mở thư mục {path}: hãy đóng ứng dụng trước khi khôi phục (hoặc khôi phục từ trong ứng dụng).",
            field="data", path=str(data_dir),
        )
    _verify_folder(folder, pool_of(folder), manifest)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        moved = _move_aside(data_dir, now)
        blobs = BlobStore(data_dir / "files")
        pool = BlobStore(pool_of(folder))
        for sha in manifest["files"]:  # files first: a row never points at nothing
            blobs.put_file(pool.path_for(sha))
        with open(folder / DB_FILENAME, "rb") as handle:
            write_atomic(data_dir / DB_FILENAME, iter(lambda: handle.read(CHUNK), b""), prefix=".restore-")
    except OSError as exc:
        raise StoreError("Không ghi được vào {path}: {detail}.", path=str(data_dir), detail=exc.strerror or str(exc)) from exc
    db = open_database(data_dir, create=False)  # the app's own open: migrations of an older backup
    try:
        dossiers = db.conn.execute("SELECT count(*) FROM dossiers").fetchone()[0]
        pages = db.conn.execute("SELECT count(*) FROM dossier_pages").fetchone()[0]
        reenroll = _secret_missing(db, data_dir)
        referenced = {
            r[0]
            for r in db.conn.execute(
                "SELECT sha256 FROM dossier_pages UNION SELECT overlay_sha256 FROM dossier_pages WHERE overlay_sha256 IS NOT NULL"
            )
        }
    finally:
        db.conn.close()
    report = BlobStore(data_dir / "files").verify(referenced)
    return {
        "data": str(data_dir),
        "from": str(folder),
        "dossiers": dossiers,
        "pages": pages,
        "files": len(manifest["files"]),
        "verify_files": report.as_dict(),
        # The secret never travels in a backup: an enrolled desk must enrol again.
        "reenroll_needed": reenroll,
        "moved_aside": str(moved) if moved else None,
    }


def _app_running(data_dir: Path) -> bool:
    """Another process holds the app's lock on ``data_dir`` (QLockFile: the first line is the
    owner's pid). This process holding it is the app carrying out a restore at start-up."""
    try:
        pid = int((data_dir / APP_LOCK).read_text(encoding="utf-8", errors="replace").split()[0])
    except (OSError, ValueError, IndexError):
        return False
    if pid == os.getpid() or pid <= 0:
        return False
    if os.name == "nt":  # no cheap liveness probe without pywin32: trust the lock file
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False  # a crashed run's stale lock
    except PermissionError:
        return True
    return True


def _secret_missing(db: Database, data_dir: Path) -> bool:
    """Enrolled, but this PC does not hold the desk's secret (never in a backup)."""
    from desk_app.services.sync_credentials import CredentialVault
    from desk_app.store.sync_store import SyncStore

    meta = SyncStore(db).credential_meta()
    return meta is not None and CredentialVault(data_dir).load(meta) is None


def _move_aside(data_dir: Path, now: Callable[[], datetime]) -> Path | None:
    """Move the databases of a non-empty data folder into ``replaced-<time>/``. Page files
    stay (content-addressed, harmless); so does this PC's sync secret: it only works for the
    desk it was issued to (checked by desk id), so a restore of the same desk syncs on."""
    present = [p for p in data_dir.iterdir() if p.name.startswith(DB_FILENAME)]
    if not present:
        return None
    target = data_dir / f"replaced-{file_stamp(now())}"
    target.mkdir(exist_ok=True)
    for path in present:
        os.replace(path, target / path.name)
    return target


# --- helpers --------------------------------------------------------------------------------
def _inside(path: Path, folder: Path) -> bool:
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
        return True
    except ValueError:
        return False


def _free_name(out_dir: Path, name: str) -> Path:
    candidate, n = out_dir / name, 1
    while candidate.exists():
        n += 1
        candidate = out_dir / f"{name}-{n}"
    return candidate


class _Lock:
    """One backup at a time per backup folder (the app's daily run and a CLI run)."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / LOCK

    def __enter__(self) -> _Lock:
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError as exc:
                try:
                    stale = time.time() - self.path.stat().st_mtime > LOCK_STALE_SECONDS
                except FileNotFoundError:
                    continue
                if stale:
                    self.path.unlink(missing_ok=True)
                    continue
                raise StoreError("Một bản sao lưu khác đang được ghi vào thư mục này; hãy thử lại sau.") from exc
            with os.fdopen(fd, "w") as handle:
                handle.write(str(os.getpid()))
            return self
        raise StoreError("Một bản sao lưu khác đang được ghi vào thư mục này; hãy thử lại sau.")

    def __exit__(self, *exc: object) -> None:
        self.path.unlink(missing_ok=True)

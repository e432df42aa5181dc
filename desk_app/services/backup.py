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
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable

from desk_app import __version__
from desk_app.domain.errors import StoreError, ValidationError
from desk_app.i18n import N_
from desk_app.store.blobs import BlobStore
from desk_app.store.database import DB_FILENAME, open_database
from desk_common.fsutil import CHUNK, fsync_dir, sha256_file, write_atomic

FORMAT = 1
MANIFEST = "manifest.json"
POOL = "files"
PREFIX = "desk-backup-"
PARTIAL = ".partial-"
LOCK = ".backup.lock"
APP_LOCK = ".desk-app.lock"  # held by the running app (ui/single_instance.py LOCK_NAME, a QLockFile)
KEEP_DAILY = 7
KEEP_WEEKLY = 4
MAX_MANIFEST_BYTES = 256 * 1024 * 1024
LOCK_STALE_SECONDS = 6 * 3600
# A pool file younger than this is never collected: a backup running in another process
# may have just copied it and not yet written its manifest.
POOL_GRACE_SECONDS = 3600


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
        raise StoreError("Không tạo được thư mục sao lưu {path}: {detail}.", path=str(out_dir), detail=exc.strerror or str(exc)) from None
    with _Lock(out_dir):
        created = now().replace(microsecond=0)
        name = PREFIX + created.strftime("%Y%m%d-%H%M%S")
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
            raise StoreError("Không ghi được bản sao lưu vào {path}: {detail}.", path=str(out_dir), detail=exc.strerror or str(exc)) from None
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
        except FileNotFoundError:
            raise StoreError(
                "Thiếu tệp trang {sha} trong thư mục dữ liệu: chạy 'desk verify-files' để kiểm tra.", sha=sha
            ) from None
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
        raise StoreError("Không sao chép được cơ sở dữ liệu: {detail}.", detail=str(exc)) from None
    finally:
        dst.close()
        src.close()
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())


class _open_copy:
    """A backup's database opened read-only, never changed (immutable: no journal, no -shm)."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.conn = sqlite3.connect(sqlite_uri(self.path, "mode=ro&immutable=1"), uri=True)
            self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as exc:
            raise _corrupt(self.path, N_("cơ sở dữ liệu không đọc được"), str(exc)) from None
        return self.conn

    def __exit__(self, *exc) -> None:
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
        raise StoreError("Bản sao lưu không phải dữ liệu của bàn tiếp nhận: {detail}.", detail=str(exc)) from None
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


# --- verification ---------------------------------------------------------------------------
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
    except FileNotFoundError:
        raise _corrupt(folder, N_("thiếu manifest.json: bản sao lưu chưa ghi xong")) from None
    except (OSError, ValueError) as exc:
        raise _corrupt(folder, N_("manifest.json không đọc được"), str(exc)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _corrupt(folder, N_("manifest.json không đúng định dạng"))
    try:
        files = [str(s) for s in manifest["files"]]
        for sha in files:
            BlobStore(folder).path_for(sha)  # refuses names that are not a SHA-256
        manifest["database"]["sha256"], int(manifest["dossiers"]), int(manifest["pages"])
    except (KeyError, TypeError, ValueError, StoreError):
        raise _corrupt(folder, N_("manifest.json không đúng định dạng")) from None
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
            raise _corrupt(folder, N_("cơ sở dữ liệu không đọc được"), str(exc)) from None
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
        raise StoreError("Không ghi được vào {path}: {detail}.", path=str(data_dir), detail=exc.strerror or str(exc)) from None
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


def _secret_missing(db, data_dir: Path) -> bool:
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
    target = data_dir / f"replaced-{now().strftime('%Y%m%d-%H%M%S')}"
    target.mkdir(exist_ok=True)
    for path in present:
        os.replace(path, target / path.name)
    return target


# --- listing and retention ------------------------------------------------------------------
def list_backups(out_dir: Path) -> list[dict[str, Any]]:
    """Finished backups in ``out_dir``, newest first: {path, created_at, dossiers, pages, bytes}.
    Only the manifest is read (a full check is ``verify_backup``)."""
    out_dir = Path(out_dir)
    found = []
    if not out_dir.is_dir():
        return found
    for folder in out_dir.glob(PREFIX + "*"):
        try:
            _, manifest = read_manifest(folder)
            created = datetime.fromisoformat(manifest["created_at"])
        except (StoreError, ValidationError, ValueError, KeyError):
            continue
        found.append({
            "path": str(folder),
            "created_at": created.isoformat(),
            "dossiers": manifest["dossiers"],
            "pages": manifest["pages"],
            "bytes": manifest.get("bytes"),
            "_files": manifest["files"],
        })
    found.sort(key=lambda b: b["created_at"], reverse=True)
    return found


def keep_set(created: Iterable[datetime], *, keep_daily: int, keep_weekly: int) -> set[datetime]:
    """Which backup times retention keeps: the newest of each of the last ``keep_daily`` days
    that have a backup, and the newest of each of the last ``keep_weekly`` ISO weeks."""
    ordered = sorted(set(created), reverse=True)
    keep: set[datetime] = set()
    for key, limit in ((lambda d: d.date(), keep_daily), (lambda d: d.isocalendar()[:2], keep_weekly)):
        seen: list = []
        for moment in ordered:
            bucket = key(moment)
            if bucket in seen:
                continue
            if len(seen) >= limit:
                break
            seen.append(bucket)
            keep.add(moment)
    return keep


def prune(out_dir: Path, *, keep_daily: int = KEEP_DAILY, keep_weekly: int = KEEP_WEEKLY) -> list[Path]:
    """Apply retention in ``out_dir``; returns the backup folders removed."""
    backups = list_backups(out_dir)
    kept_times = keep_set(
        [datetime.fromisoformat(b["created_at"]) for b in backups], keep_daily=max(1, keep_daily), keep_weekly=max(0, keep_weekly)
    )
    removed, needed = [], set()
    for item in backups:
        if datetime.fromisoformat(item["created_at"]) in kept_times:
            needed.update(item["_files"])
        else:
            shutil.rmtree(item["path"], ignore_errors=True)
            removed.append(Path(item["path"]))
    pool = BlobStore(Path(out_dir) / POOL)
    cutoff = time.time() - POOL_GRACE_SECONDS
    for sha in list(pool.iter_all()):
        path = pool.path_for(sha)
        if sha not in needed and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
    return removed


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

    def __enter__(self) -> "_Lock":
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                try:
                    stale = time.time() - self.path.stat().st_mtime > LOCK_STALE_SECONDS
                except FileNotFoundError:
                    continue
                if stale:
                    self.path.unlink(missing_ok=True)
                    continue
                raise StoreError("Một bản sao lưu khác đang được ghi vào thư mục này; hãy thử lại sau.") from None
            with os.fdopen(fd, "w") as handle:
                handle.write(str(os.getpid()))
            return self
        raise StoreError("Một bản sao lưu khác đang được ghi vào thư mục này; hãy thử lại sau.")

    def __exit__(self, *exc) -> None:
        self.path.unlink(missing_ok=True)

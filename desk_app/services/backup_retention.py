"""Which backups in a backup folder are kept, and removing the rest: the backups (listed
from their manifests only) and then the pool's page files no kept backup refers to.

No Qt; runs at the end of each backup on the backup's I/O worker (or the CLI's main thread),
inside the backup folder's lock (services/backup.py ``_Lock``).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from desk_app.domain.errors import StoreError, ValidationError
from desk_app.services.backup_verify import POOL, read_manifest
from desk_app.store.blobs import BlobStore

PREFIX = "desk-backup-"
KEEP_DAILY = 7
KEEP_WEEKLY = 4
# A pool file younger than this is never collected: a backup running in another process
# may have just copied it and not yet written its manifest.
POOL_GRACE_SECONDS = 3600


def list_backups(out_dir: Path) -> list[dict[str, Any]]:
    """Finished backups in ``out_dir``, newest first: {path, created_at, dossiers, pages, bytes}.
    Only the manifest is read (a full check is ``verify_backup``)."""
    out_dir = Path(out_dir)
    found: list[dict[str, Any]] = []
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
    def day(moment: datetime) -> object:
        return moment.date()

    def week(moment: datetime) -> object:
        return moment.isocalendar()[:2]

    rules: tuple[tuple[Callable[[datetime], object], int], ...] = ((day, keep_daily), (week, keep_weekly))
    for key, limit in rules:
        seen: list[object] = []
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

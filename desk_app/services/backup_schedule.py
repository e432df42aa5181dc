"""The desk's backup settings and record, kept in the settings table, and the rules the app
follows: when the daily backup is due, when the status bar warns. No Qt.

Thread model: ``BackupSettingsService`` uses the store, so it runs on the DB thread; the
backup itself (services/backup.py) runs on an I/O worker with its own connections.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desk_app.domain import permissions
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.services import backup as backups
from desk_app.services.backup_retention import KEEP_DAILY, KEEP_WEEKLY
from desk_app.services.backup_verify import verify_backup
from desk_app.services.logs import describe_error

if TYPE_CHECKING:  # the composition root (and the store under it) loads with the services
    from desk_app.services.context import DeskServices

PREFIX = "backup."
DUE_AFTER = timedelta(hours=24)
WARN_AFTER = timedelta(days=2)
RESTORE_MARKER = "restore-pending.json"


def default_folder(data_dir: Path) -> Path:
    """Beside the data folder, never inside it; the settings dialog asks for a USB drive."""
    data_dir = Path(data_dir)
    return data_dir.parent / f"{data_dir.name}-backups"


@dataclass(frozen=True)
class BackupSettings:
    folder: str
    automatic: bool = True
    keep_daily: int = KEEP_DAILY
    keep_weekly: int = KEEP_WEEKLY

    def validated(self) -> BackupSettings:
        if not self.folder.strip():
            raise ValidationError("Hãy chọn thư mục sao lưu.", field="folder")
        if not 1 <= int(self.keep_daily) <= 60:
            raise ValidationError("Số bản hằng ngày phải từ 1 đến 60.", field="keep_daily")
        if not 0 <= int(self.keep_weekly) <= 52:
            raise ValidationError("Số bản hằng tuần phải từ 0 đến 52.", field="keep_weekly")
        return BackupSettings(self.folder.strip(), bool(self.automatic), int(self.keep_daily), int(self.keep_weekly))


class BackupSettingsService:
    def __init__(self, services: DeskServices):
        self.services = services
        self.store = services.store
        self.data_dir = Path(services.data_dir)

    def settings(self) -> BackupSettings:
        saved = self.store.get_setting(PREFIX + "settings") or {}
        fields = {k: saved[k] for k in ("folder", "automatic", "keep_daily", "keep_weekly") if k in saved}
        fields.setdefault("folder", str(default_folder(self.data_dir)))
        return BackupSettings(**fields)

    def save(self, settings: BackupSettings) -> BackupSettings:
        self.services.require(permissions.BACKUP)
        settings = settings.validated()
        folder = Path(settings.folder)
        if backups._inside(folder, self.data_dir):
            raise ValidationError("Thư mục sao lưu không được nằm trong thư mục dữ liệu.", field="folder")
        self.store.set_settings({PREFIX + "settings": asdict(settings)})
        return settings

    def state(self, now: datetime) -> dict[str, Any]:
        """Settings, last result and what the app should do: {settings, last, last_ok_at, due,
        warn, may_manage} (may_manage: the signed-in account may change settings and restore)."""
        settings = self.settings()
        last = self.store.get_setting(PREFIX + "last") or None
        last_ok = self.store.get_setting(PREFIX + "last_ok_at")
        return {"settings": asdict(settings), "last": last, "last_ok_at": last_ok,
                "may_manage": self.services.guard.can(permissions.BACKUP), **judge(last_ok, now, settings.automatic)}

    def record(self, now: datetime, result: dict[str, Any] | None = None, error: BaseException | None = None) -> dict[str, Any]:
        """Keep the outcome of a backup (the error as its message, for the dialog)."""
        entry: dict[str, Any] = {"at": now.isoformat(timespec="seconds"), "ok": error is None}
        values: dict[str, Any] = {}
        if error is None and result is not None:
            entry.update({k: result[k] for k in ("path", "dossiers", "pages", "bytes", "bytes_copied")})
            values[PREFIX + "last_ok_at"] = entry["at"]
        elif error is not None:
            entry["error"] = describe_error(error)
            if isinstance(error, DeskError):
                entry["message"] = error.message
                entry["params"] = {k: str(v) for k, v in error.params.items()}
        values[PREFIX + "last"] = entry
        self.store.set_settings(values)
        return entry

    def check_restore_allowed(self) -> None:
        self.services.require(permissions.BACKUP)


def judge(last_ok_at: str | None, now: datetime, automatic: bool = True) -> dict[str, bool]:
    """due: an automatic backup should run now; warn: the last good one is older than 2 days
    (or there is none)."""
    if not last_ok_at:
        return {"due": automatic, "warn": True}
    try:
        age = now - datetime.fromisoformat(last_ok_at)
    except (TypeError, ValueError):
        return {"due": automatic, "warn": True}
    return {"due": automatic and age >= DUE_AFTER, "warn": age > WARN_AFTER}


# --- restore at the next start ----------------------------------------------------------------
def request_restore(data_dir: Path, source: Path) -> dict[str, Any]:
    """Check the backup completely, then ask for it to replace this desk's data at the next
    start (the running app holds the database open). Returns the backup's manifest figures."""
    manifest = verify_backup(source)
    marker = Path(data_dir) / RESTORE_MARKER
    marker.write_text(json.dumps({"from": str(Path(source))}), encoding="utf-8")
    return {"from": str(source), "dossiers": manifest["dossiers"], "pages": manifest["pages"], "created_at": manifest["created_at"]}


def apply_pending_restore(data_dir: Path) -> dict[str, Any] | None:
    """At start-up, before the database opens: carry out a restore asked for by
    ``request_restore``. The current databases go to ``replaced-<time>/`` (never deleted).
    The marker is removed first, so a failing restore is not retried at every start."""
    marker = Path(data_dir) / RESTORE_MARKER
    if not marker.is_file():
        return None
    try:
        source = Path(json.loads(marker.read_text(encoding="utf-8"))["from"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        marker.unlink(missing_ok=True)
        raise ValidationError("Yêu cầu khôi phục không đọc được; dữ liệu hiện tại được giữ nguyên.") from exc
    marker.unlink(missing_ok=True)
    return backups.restore(source, data_dir, force=True)

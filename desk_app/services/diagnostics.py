"""A support zip without personal data: ``desk diagnostics`` and the app's "Export diagnostics".

What goes in: the log files (already masked, services/logs.py), versions of the app, Python,
SQLite and the main libraries, the settings without officer names, phones and secrets, counts
(dossiers by status, pages, outbox, accounts), the applied migrations, the database's quick
check, ``verify-files`` and the local sync status. What never goes in: dossiers, names, ID
numbers, page files, the database itself, the sync secret. No Qt; runs on any thread with its
own read connection.
"""

from __future__ import annotations

import io
import json
import platform
import re
import sqlite3
import sys
import zipfile
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from desk_app import __version__
from desk_app.domain.errors import StoreError, ValidationError
from desk_app.services.backup_verify import sqlite_uri
from desk_app.services.logs import LOG_DIR, mask
from desk_app.store.blobs import BlobStore
from desk_app.store.database import DB_FILENAME
from desk_common.fsutil import user_file_mode, write_atomic

PACKAGES = (
    "PySide6", "PySide6-Essentials", "sqlite-utils", "reportlab", "pypdfium2", "Pillow", "numpy", "requests",
    "keyring", "zxing-cpp",
)
# Settings that name or reach a person, or could unlock something, stay out.
PRIVATE_SETTING = re.compile(r"officer|phone|email|secret|password|token|credential|pin", re.IGNORECASE)
MAX_LOG_BYTES = 20 * 1024 * 1024


def write_diagnostics(data_dir: Path, out: Path) -> dict[str, Any]:
    """Write the support zip to ``out``; returns {out, bytes, entries}."""
    data_dir, out = Path(data_dir), Path(out)
    if out.suffix.lower() != ".zip":
        raise ValidationError("Tệp chẩn đoán phải có đuôi .zip: {path}.", field="out", path=str(out))
    if not (data_dir / DB_FILENAME).is_file():
        raise ValidationError("Chưa khởi tạo dữ liệu tại {path}: hãy chạy 'desk init' trước.", field="data", path=str(data_dir))
    report = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": versions(),
        **database_report(data_dir),
    }
    buffer = io.BytesIO()
    entries = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # Masked like the logs: a server's error text in the sync state may quote a number.
        archive.writestr("report.json", mask(json.dumps(report, ensure_ascii=False, indent=1, default=str)))
        entries.append("report.json")
        total = 0
        logs = sorted((data_dir / LOG_DIR).glob("desk.log*")) if (data_dir / LOG_DIR).is_dir() else []
        for path in logs:
            text = path.read_text(encoding="utf-8", errors="replace")
            total += len(text)
            if total > MAX_LOG_BYTES:
                break
            # Masked again: a log written by an older version may not have been.
            archive.writestr(f"logs/{path.name}", mask(text))
            entries.append(f"logs/{path.name}")
    data = buffer.getvalue()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, data, mode=user_file_mode())
    except OSError as exc:
        raise StoreError("Không ghi được tệp: {detail}.", detail=str(exc)) from exc
    return {"out": str(out), "bytes": len(data), "entries": entries}


def versions() -> dict[str, Any]:
    found: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return {
        "app": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "frozen": bool(getattr(sys, "frozen", False)),
        "packages": found,
    }


def database_report(data_dir: Path) -> dict[str, Any]:
    """Figures from the desk database, read through its own read-only connection."""
    conn = sqlite3.connect(sqlite_uri(data_dir / DB_FILENAME, "mode=ro"), uri=True, timeout=10)
    try:
        def rows(sql: str) -> list[tuple[Any, ...]]:
            try:
                return conn.execute(sql).fetchall()
            except sqlite3.Error:  # a table of a newer/older version: that figure is left out
                return []

        settings = {}
        for key, value in rows("SELECT key, value FROM settings"):
            if not PRIVATE_SETTING.search(key):
                settings[key] = value
        counts = {
            "dossiers_by_status": dict(rows("SELECT status, count(*) FROM dossiers GROUP BY status")),
            "pages": _one(rows("SELECT count(*) FROM dossier_pages")),
            "outbox_by_state": dict(rows("SELECT state, count(*) FROM outbox GROUP BY state")),
            "accounts": _one(rows("SELECT count(*) FROM accounts")),
        }
        sync = {
            "enrolled": bool(_one(rows("SELECT count(*) FROM sync_credential"))),
            "server": _one(rows("SELECT server_url FROM sync_credential")),
            "state": {k: v for k, v in rows("SELECT key, value FROM sync_state") if not PRIVATE_SETTING.search(k)},
        }
        referenced = {r[0] for r in rows(
            "SELECT sha256 FROM dossier_pages UNION SELECT overlay_sha256 FROM dossier_pages WHERE overlay_sha256 IS NOT NULL"
        )}
        return {
            "data_dir": mask(str(data_dir)),  # before the JSON escapes a Windows path
            "database_bytes": (data_dir / DB_FILENAME).stat().st_size,
            "quick_check": [r[0] for r in rows("PRAGMA quick_check")],
            "migrations": [r[0] for r in rows("SELECT name FROM _sqlite_migrations ORDER BY rowid")],
            "settings": settings,
            "counts": counts,
            "sync": sync,
            "verify_files": BlobStore(data_dir / "files").verify(referenced).as_dict(),
            "schema": schema_report(conn),
        }
    finally:
        conn.close()


def schema_report(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every table's columns, indexes, triggers and row count: what support compares with the
    migrations to explain a desk whose schema drifted (names and numbers only, no values).

    sqlite-utils' introspection reads this; it is imported here, off the start path, because it
    loads numpy, click and pluggy (about 0.3-0.8 s) and the counter needs none of it
    (docs/backups-and-support.md).
    """
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    fts = {table.name for table in db.tables if (table.virtual_table_using or "").upper().startswith("FTS")}
    report = []
    for table in db.tables:
        if table.name in fts or any(table.name.startswith(f + "_") for f in fts):
            # An FTS index's shadow tables hold applicants' words; their count says enough.
            report.append({"table": table.name, "fts": True, "rows": table.count})
            continue
        report.append({
            "table": table.name,
            "rows": table.count,
            "columns": {name: str(kind) for name, kind in table.columns_dict.items()},
            "indexes": sorted(index.name for index in table.indexes),
            "triggers": sorted(trigger.name for trigger in table.triggers),
        })
    return report


def _one(found: list[tuple[Any, ...]]) -> Any:
    return found[0][0] if found else None

"""Reads and writes of scanned pages (table ``dossier_pages``), on the same
Database as ``DeskStore``: the page rows and their outbox entry commit in one transaction.

Thread model: the DB thread only (see ``database``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from desk_app.domain.ids import new_uuid
from desk_app.domain.pages import PageEntry
from desk_app.store.database import Params, read_rows, write_transaction
from desk_app.store.sqlite_db import Database

PAGE_KIND = "dossier.pages"
PAGE_FIELDS = ("sha256", "bytes", "mode", "width", "height", "dpi")
# A mixed page's second file (see migration 0002b_page_overlay); None on a one-file page.
OVERLAY_FIELDS = ("overlay_sha256", "overlay_bytes", "overlay_box", "overlay_dpi")


class PagesStore:
    def __init__(self, db: Database):
        self.db = db

    def _read(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        return read_rows(self.db, sql, params)

    def add_pages(
        self, *, dossier: dict[str, Any], document: str, pages: list[dict[str, Any]], created_at: str
    ) -> tuple[list[dict[str, Any]], str]:
        """Append ``pages`` (dicts with sha256, bytes, mode, width, height, dpi and, for a mixed
        page, overlay_sha256, overlay_bytes, overlay_box [x, y, w, h], overlay_dpi) after the
        document's existing pages, with one ``dossier.pages`` outbox row, in one transaction.
        The files (both of a mixed page) must already be in the BlobStore. Returns the rows (as
        described, overlay_box a list) and the outbox key."""
        key = new_uuid()
        with write_transaction(self.db):
            conn = self.db.conn
            last = conn.execute(
                "SELECT coalesce(max(page_no), 0) FROM dossier_pages WHERE dossier_id = ? AND document = ?",
                (dossier["id"], document),
            ).fetchone()[0]
            rows = []
            for offset, page in enumerate(pages, 1):
                row = {
                    "dossier_id": dossier["id"],
                    "document": document,
                    "page_no": last + offset,
                    **{k: page[k] for k in PAGE_FIELDS},
                    **{k: page.get(k) for k in OVERLAY_FIELDS},
                    "batch": key,
                    "created_at": created_at,
                }
                stored = {**row, "overlay_box": _box_text(row["overlay_box"])}
                conn.execute(
                    f"INSERT INTO dossier_pages ({', '.join(stored)}) VALUES ({', '.join('?' for _ in stored)})",
                    list(stored.values()),
                )
                rows.append(row)
            described = [{k: r[k] for k in (*PAGE_FIELDS, *OVERLAY_FIELDS, "page_no")} for r in rows]
            payload = {
                "dossier_code": dossier["code"],
                "dossier_uuid": dossier["uuid"],
                "document": document,
                "pages": described,
                # What the sync client uploads (by SHA-256, resumable) before pushing this record:
                # every page file and every overlay file.
                "files": sorted({r["sha256"] for r in rows} | {r["overlay_sha256"] for r in rows if r["overlay_sha256"]}),
                "created_at": created_at,
            }
            conn.execute(
                "INSERT INTO outbox (idempotency_key, kind, dossier_code, payload, created_at) VALUES (?, ?, ?, ?, ?)",
                (key, PAGE_KIND, dossier["code"], json.dumps(payload, ensure_ascii=False), created_at),
            )
        return rows, key

    def pages(self, dossier_id: int, document: str | None = None) -> list[PageEntry]:
        sql = (
            f"SELECT document, page_no, {', '.join(PAGE_FIELDS + OVERLAY_FIELDS)}, created_at "
            "FROM dossier_pages WHERE dossier_id = ?"
        )
        params: tuple[Any, ...] = (dossier_id,)
        if document is not None:
            sql += " AND document = ?"
            params += (document,)
        rows = self._read(sql + " ORDER BY document, page_no", params)
        return [PageEntry(**{**row, "overlay_box": _box(row["overlay_box"])}) for row in rows]

    def page_counts(self, dossier_id: int) -> dict[str, int]:
        rows = self._read(
            "SELECT document, count(*) AS n FROM dossier_pages WHERE dossier_id = ? GROUP BY document", (dossier_id,)
        )
        return {r["document"]: r["n"] for r in rows}

    def referenced_files(self) -> set[str]:
        """Every file a page row refers to: pages and overlays."""
        rows = self._read(
            "SELECT sha256 AS sha FROM dossier_pages "
            "UNION SELECT overlay_sha256 FROM dossier_pages WHERE overlay_sha256 IS NOT NULL"
        )
        return {r["sha"] for r in rows}


def _box(text: str | None) -> tuple[int, int, int, int] | None:
    """The stored JSON [x, y, w, h] (page pixels, whole numbers) back as a tuple."""
    if not text:
        return None
    x, y, w, h = (int(v) for v in json.loads(text))
    return (x, y, w, h)


def _box_text(box: Sequence[float] | None) -> str | None:
    return json.dumps([int(v) for v in box]) if box else None

"""Recognised page text (table ``page_text``) and the pages' search index (``page_fts``), on the
desk's Database (store/sqlite_db.py) (migration 0009_page_text).

Text is kept per page FILE (SHA-256): a page scanned into two dossiers is recognised once.
Each dossier's ``page_fts`` row holds the folded text of all its recognised pages, and its
``dossier_fts`` row (what searches walk) is rewritten with it, in the same transaction that
stores a page's text, so a search never sees half an update; ``page_fts`` alone tells which
results matched in their pages.
No outbox entry: recognised text is derived data the province can compute itself.

Thread model: whichever thread owns the Database (the OCR worker has its own connection).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from desk_app.domain.text import fold
from desk_app.store.database import Params, read_rows, write_transaction
from desk_app.store.search_index import refresh_dossier_fts
from desk_app.store.sqlite_db import Database


class OcrStore:
    def __init__(self, db: Database):
        self.db = db

    def _read(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        return read_rows(self.db, sql, params)

    def pending(self, *, dossier_id: int | None = None, limit: int = 1) -> list[dict[str, Any]]:
        """Page rows not yet in the index, oldest first: id, dossier_id, document, sha256, mode,
        and ``known`` (1 when the file's text exists already: only the index needs it)."""
        where = "p.ocr_indexed = 0" + (" AND p.dossier_id = ?" if dossier_id is not None else "")
        params: list[Any] = [dossier_id] if dossier_id is not None else []
        return self._read(
            "SELECT p.id, p.dossier_id, p.document, p.sha256, p.mode, p.dpi, "
            "(t.sha256 IS NOT NULL) AS known FROM dossier_pages p LEFT JOIN page_text t ON t.sha256 = p.sha256 "
            f"WHERE {where} ORDER BY p.id LIMIT ?",
            params + [limit],
        )

    def pending_count(self, *, dossier_id: int | None = None) -> int:
        where = "ocr_indexed = 0" + (" AND dossier_id = ?" if dossier_id is not None else "")
        params = (dossier_id,) if dossier_id is not None else ()
        return int(self._read(f"SELECT count(*) AS n FROM dossier_pages WHERE {where}", params)[0]["n"])

    def save(self, sha256: str, *, status: str, text: str = "", words: list[list[Any]] | None = None,
             width: int = 0, height: int = 0, engine: str = "", seconds: float = 0.0, error: str = "",
             at: str) -> None:
        """Store one file's text (first result wins: same file, same text) and index it into
        every dossier that holds the file, in one transaction."""
        with write_transaction(self.db):
            conn = self.db.conn
            conn.execute(
                "INSERT INTO page_text (sha256, status, text, words, width, height, engine, seconds, error, recognised_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(sha256) DO NOTHING",
                (sha256, status, text, json.dumps(words or [], ensure_ascii=False), width, height, engine, seconds, error, at),
            )
            self._index_file(conn, sha256)

    def index_known(self, sha256: str) -> None:
        """Index the page rows of a file whose text is already stored."""
        with write_transaction(self.db):
            self._index_file(self.db.conn, sha256)

    def _index_file(self, conn: sqlite3.Connection, sha256: str) -> None:
        dossiers = [r[0] for r in conn.execute("SELECT DISTINCT dossier_id FROM dossier_pages WHERE sha256 = ?", (sha256,))]
        conn.execute("UPDATE dossier_pages SET ocr_indexed = 1 WHERE sha256 = ? AND ocr_indexed = 0", (sha256,))
        for dossier_id in dossiers:
            texts = conn.execute(
                "SELECT t.text FROM dossier_pages p JOIN page_text t ON t.sha256 = p.sha256 "
                "WHERE p.dossier_id = ? AND t.status = 'done' ORDER BY p.document, p.page_no",
                (dossier_id,),
            ).fetchall()
            conn.execute("DELETE FROM page_fts WHERE rowid = ?", (dossier_id,))
            folded = fold(" ".join(t[0] for t in texts))
            if folded.strip():
                conn.execute("INSERT INTO page_fts (rowid, text) VALUES (?, ?)", (dossier_id, folded))
            refresh_dossier_fts(conn, dossier_id)

    def page_text(self, sha256: str) -> dict[str, Any] | None:
        rows = self._read("SELECT * FROM page_text WHERE sha256 = ?", (sha256,))
        if not rows:
            return None
        row = rows[0]
        row["words"] = json.loads(row["words"])
        return row

    def progress(self, dossier_id: int) -> list[dict[str, Any]]:
        """Per document: pages, recognised (text stored), failed."""
        return self._read(
            "SELECT p.document, count(*) AS pages, "
            "sum(CASE WHEN t.status = 'done' THEN 1 ELSE 0 END) AS recognised, "
            "sum(CASE WHEN t.status = 'failed' THEN 1 ELSE 0 END) AS failed "
            "FROM dossier_pages p LEFT JOIN page_text t ON t.sha256 = p.sha256 "
            "WHERE p.dossier_id = ? GROUP BY p.document ORDER BY p.document",
            (dossier_id,),
        )

    def retry_failed(self) -> int:
        """Forget failed recognitions so they run again (after installing the language data)."""
        with write_transaction(self.db):
            conn = self.db.conn
            shas = [r[0] for r in conn.execute("SELECT sha256 FROM page_text WHERE status = 'failed'")]
            for sha in shas:
                conn.execute("DELETE FROM page_text WHERE sha256 = ?", (sha,))
                conn.execute("UPDATE dossier_pages SET ocr_indexed = 0 WHERE sha256 = ?", (sha,))
        return len(shas)

    def matched_in_pages(self, dossier_ids: list[int], query: str) -> set[int]:
        """Which of ``dossier_ids`` match ``query`` (an FTS5 query) in their pages' text."""
        if not dossier_ids:
            return set()
        marks = ",".join("?" for _ in dossier_ids)
        rows = self._read(
            f"SELECT rowid AS id FROM page_fts WHERE page_fts MATCH ? AND rowid IN ({marks})", [query, *dossier_ids]
        )
        return {r["id"] for r in rows}

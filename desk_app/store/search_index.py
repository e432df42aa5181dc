"""The dossiers' search index (FTS5 table ``dossier_fts``, rowid = dossiers.id): how a row's text
is made (folded: no diacritics, đ→d) and how user text becomes an FTS5 query. A dossier's row
also holds the words recognised on its pages (store/ocr_store.py). No Qt; any thread that owns
the connection."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from desk_app.domain.text import fold

_QUERY_TOKEN = re.compile(r"[0-9a-z]+")


def fts_query(text: str) -> str | None:
    """User text -> FTS5 query: each folded token a required term.

    Tokens of two or more characters are prefix terms ("nguy" finds "Nguyễn"); a single
    character is an exact term, because a one-letter prefix would merge the doclists of every
    word starting with it. Digits typed in groups ("0912 345 678") may be one number split for
    readability, so the query also tries them joined.
    """
    terms = _QUERY_TOKEN.findall(fold(text))
    if not terms:
        return None
    query = " ".join(f'"{t}"*' if len(t) > 1 else f'"{t}"' for t in terms)
    if len(terms) > 1 and all(t.isdigit() for t in terms):
        query = f'("{"".join(terms)}"*) OR ({query})'
    return query


FTS_FIELDS = ("code", "applicant_name", "applicant_id_number", "phone", "procedure_name", "procedure_code")


def fts_document(row: dict[str, Any]) -> str:
    return fold(" ".join(str(row.get(k) or "") for k in FTS_FIELDS))


def refresh_dossier_fts(conn: sqlite3.Connection, dossier_id: int) -> None:
    """Rewrite one dossier's search row from its current fields plus the recognised text of its
    pages (``page_fts``, see store/ocr_store.py), inside the caller's write transaction. One row
    per dossier keeps every text search a single FTS5 walk in rowid order."""
    cursor = conn.execute(f"SELECT {', '.join(FTS_FIELDS)} FROM dossiers WHERE id = ?", (dossier_id,))
    values = cursor.fetchone()
    if values is None:
        return
    text = fts_document(dict(zip(FTS_FIELDS, values)))
    pages = conn.execute("SELECT text FROM page_fts WHERE rowid = ?", (dossier_id,)).fetchone()
    if pages and pages[0]:
        text = f"{text}\n{pages[0]}"
    conn.execute("DELETE FROM dossier_fts WHERE rowid = ?", (dossier_id,))
    conn.execute("INSERT INTO dossier_fts (rowid, text) VALUES (?, ?)", (dossier_id, text))

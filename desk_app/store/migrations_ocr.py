"""Migrations for recognised page text. Names start with 0009_; never edit one once released."""

from __future__ import annotations

from desk_app.store.migration_steps import Steps
from desk_app.store.sqlite_db import Database

# Registered after the earlier areas by store/migrations.py (AREAS).
migrations = Steps()


@migrations(name="0009_page_text")
def m0009_page_text(db: Database) -> None:
    # One row per page FILE (content-addressed): the same SHA-256 is recognised once, whatever
    # dossier it is in. status: 'done' or 'failed' (error kept, not retried until asked).
    db.execute(
        """
        CREATE TABLE page_text (
            sha256 TEXT PRIMARY KEY,
            status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
            text TEXT NOT NULL DEFAULT '',
            words TEXT NOT NULL DEFAULT '[]',
            width INTEGER NOT NULL DEFAULT 0,
            height INTEGER NOT NULL DEFAULT 0,
            engine TEXT NOT NULL DEFAULT '',
            seconds REAL NOT NULL DEFAULT 0,
            error TEXT NOT NULL DEFAULT '',
            recognised_at TEXT NOT NULL
        ) WITHOUT ROWID"""
    )
    # Which page rows are in the search index yet: a page row whose file was recognised for
    # another dossier still needs its own dossier's index row refreshed.
    db.execute("ALTER TABLE dossier_pages ADD COLUMN ocr_indexed INTEGER NOT NULL DEFAULT 0")
    db.execute("CREATE INDEX dossier_pages_ocr_pending ON dossier_pages (id) WHERE ocr_indexed = 0")
    # Folded words of a dossier's pages, rowid = dossiers.id (as dossier_fts), searched beside it.
    db.execute(
        """CREATE VIRTUAL TABLE page_fts USING fts5(
               text, tokenize = "unicode61 remove_diacritics 2", prefix = '2 3')"""
    )

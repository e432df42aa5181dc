"""Migrations for scanned pages (issue: scanning). Names start with 0002_; never edit one once released."""

from __future__ import annotations

from sqlite_utils import Database

from desk_app.store.migrations import migrations


@migrations(name="0002_dossier_pages")
def m0002_dossier_pages(db: Database) -> None:
    # One row per stored page; the image itself is a content-addressed file (BlobStore) named
    # by sha256, written before this row commits. Pages are append-only, like the history.
    db.execute(
        """
        CREATE TABLE dossier_pages (
            id INTEGER PRIMARY KEY,
            dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
            document TEXT NOT NULL,
            page_no INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            mode TEXT NOT NULL CHECK (mode IN ('text', 'grey', 'color')),
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            dpi INTEGER NOT NULL,
            batch TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (dossier_id, document, page_no)
        )"""
    )
    db.execute("CREATE INDEX dossier_pages_sha ON dossier_pages (sha256)")

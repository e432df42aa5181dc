"""Migrations for scanned pages. Names start with 0002; never edit one once
released: add a new one (0002b_, 0002c_ ...), registered after the earlier ones."""

from __future__ import annotations

from desk_app.store.migration_steps import Steps
from desk_app.store.sqlite_db import Database

# Registered after the earlier areas by store/migrations.py (AREAS).
migrations = Steps()


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


@migrations(name="0002b_page_overlay")
def m0002b_page_overlay(db: Database) -> None:
    # Mixed pages: the row's file is the whole page as G4 and an overlay file (a 150 dpi JPEG of
    # the area with colour or a grey photo) is drawn over it at overlay_box (JSON [x, y, w, h] in
    # page pixels). All NULL on a one-file page; ``bytes`` counts both files.
    for column in (
        "overlay_sha256 TEXT",
        "overlay_bytes INTEGER",
        "overlay_box TEXT",
        "overlay_dpi INTEGER",
    ):
        db.execute(f"ALTER TABLE dossier_pages ADD COLUMN {column}")
    db.execute("CREATE INDEX dossier_pages_overlay_sha ON dossier_pages (overlay_sha256) WHERE overlay_sha256 IS NOT NULL")

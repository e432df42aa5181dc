"""Migrations for printed forms: receipts, tracking book. Names start with 0003_;
never edit one once released."""

from __future__ import annotations

from desk_app.store.migration_steps import Steps
from desk_app.store.sqlite_db import Database

# Registered after the earlier areas by store/migrations.py (AREAS).
migrations = Steps()


@migrations(name="0003_forms_print_log_and_tracking_book")
def m0003_forms(db: Database) -> None:
    # The desk's own tracking book (Mẫu 06): one volume per desk and year, numbers in the order
    # dossiers are first entered (first slip printed, or the book exported). Stable once given:
    # the number is printed on the citizen's slip.
    db.execute(
        """
        CREATE TABLE tracking_book (
            dossier_id INTEGER PRIMARY KEY REFERENCES dossiers(id),
            volume TEXT NOT NULL,
            number INTEGER NOT NULL,
            entered_at TEXT NOT NULL,
            UNIQUE (volume, number)
        )"""
    )
    # Every form handed out (printer or PDF file): its count makes a reprint "Bản sao lần N".
    db.execute(
        """
        CREATE TABLE form_prints (
            id INTEGER PRIMARY KEY,
            dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
            form TEXT NOT NULL,
            copy_number INTEGER NOT NULL,
            layout TEXT NOT NULL,
            target TEXT NOT NULL DEFAULT '',
            printed_at TEXT NOT NULL,
            actor TEXT NOT NULL DEFAULT ''
        )"""
    )
    db.execute("CREATE INDEX form_prints_dossier ON form_prints (dossier_id, form)")

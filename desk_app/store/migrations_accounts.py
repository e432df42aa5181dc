"""Migrations for accounts, roles and the audit trail (issue 11). Names start with 0006;
never edit one once released: add 0006c_, 0006d_ ..."""

from __future__ import annotations

from sqlite_utils import Database

from desk_app.store.migrations import migrations


@migrations(name="0006_accounts_audit")
def m0006_accounts_audit(db: Database) -> None:
    # Accounts of this desk's staff. ``password_hash`` is "scrypt$n$r$p$salt$hash" (hex);
    # ``failed`` and ``locked_until`` make the growing lockout (services/accounts.py).
    db.execute(
        """
        CREATE TABLE accounts (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            full_name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('receptionist', 'supervisor', 'admin')),
            password_hash TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            failed INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    # The audit trail: every change, and every opening, printing or export of personal data.
    # Each entry holds the SHA-256 of the previous one (``prev_hash``) and its own ``hash``
    # over its content and ``prev_hash``, so an edited, deleted or reordered entry breaks the
    # chain (store/audit_store.py). Append-only, like the dossier history.
    db.execute(
        """
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            account TEXT NOT NULL DEFAULT '',
            action TEXT NOT NULL,
            code TEXT NOT NULL DEFAULT '',
            before TEXT,
            after TEXT,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX audit_log_code ON audit_log (code, id) WHERE code != ''")
    db.execute("CREATE INDEX audit_log_account ON audit_log (account, id)")
    db.execute("CREATE INDEX audit_log_at ON audit_log (at)")
    db.execute(
        """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
           BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"""
    )
    db.execute(
        """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
           BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"""
    )


@migrations(name="0006b_event_status_index")
def m0006b_event_status_index(db: Database) -> None:
    # The period report counts status events (result ready, returned, refused) by their date.
    db.execute("CREATE INDEX IF NOT EXISTS dossier_events_status_at ON dossier_events (status, at)")


@migrations(name="0006c_report_covering_indexes")
def m0006c_report_covering_indexes(db: Database) -> None:
    # The period report reads only these columns of the period's dossiers and status events:
    # covering indexes spare it a table lookup per row (bench/bench_report.py).
    db.execute(
        "CREATE INDEX dossiers_report ON dossiers (received_ts, procedure_code, received_by, status, synced_at)"
    )
    db.execute("DROP INDEX IF EXISTS dossier_events_status_at")
    db.execute("CREATE INDEX dossier_events_report ON dossier_events (status, at, dossier_id, actor)")
    # Joining an event to its dossier's appointment and procedure reads this small index, not
    # the wide dossier row (half the time at 30,000 events).
    db.execute("CREATE INDEX dossiers_due ON dossiers (id, appointment_ts, procedure_code)")

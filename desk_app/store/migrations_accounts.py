"""Migrations for accounts, roles and the audit trail. Names start with 0006;
never edit one once released: add 0006c_, 0006d_ ..."""

from __future__ import annotations

from desk_app.store.migration_steps import Steps
from desk_app.store.sqlite_db import Database

# Registered after the earlier areas by store/migrations.py (AREAS).
migrations = Steps()


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


# Figures kept per (local day, procedure, person) by triggers, so the period report reads a
# few thousand small rows instead of every dossier and event of the period: at 1M dossiers
# the direct read took ~1 s (bench/bench_report.py). Day = the Vietnam local date (UTC+7, no
# daylight saving) of the event a figure counts; person = who received the dossier (received,
# digitised, unsynced, status:*) or who set the status (processed_*, returned_to_citizen, refused).
_DAY_OF_RECEIPT = "date({row}.received_ts + 25200, 'unixepoch')"
_BUMP = (
    "INSERT INTO report_daily (day, procedure_code, person, figure, n) VALUES ({day}, {procedure}, {person}, {figure}, {delta}) "
    "ON CONFLICT (day, procedure_code, person, figure) DO UPDATE SET n = n + {delta};"
)


def _bump(row: str, figure: str, delta: int = 1) -> str:
    return _BUMP.format(day=_DAY_OF_RECEIPT.format(row=row), procedure=f"{row}.procedure_code",
                        person=f"{row}.received_by", figure=figure, delta=delta)


@migrations(name="0006d_report_daily")
def m0006d_report_daily(db: Database) -> None:
    for index in ("dossiers_report", "dossiers_due", "dossier_events_report"):
        db.execute(f"DROP INDEX IF EXISTS {index}")
    db.execute(
        """CREATE TABLE report_daily (
               day TEXT NOT NULL,
               procedure_code TEXT NOT NULL,
               person TEXT NOT NULL,
               figure TEXT NOT NULL,
               n INTEGER NOT NULL,
               PRIMARY KEY (day, procedure_code, person, figure)
           ) WITHOUT ROWID"""
    )
    db.execute(
        f"""CREATE TRIGGER report_daily_received AFTER INSERT ON dossiers BEGIN
              {_bump("new", "'received'")}
              {_bump("new", "'status:' || new.status")}
              INSERT INTO report_daily (day, procedure_code, person, figure, n)
                  SELECT {_DAY_OF_RECEIPT.format(row="new")}, new.procedure_code, new.received_by, 'unsynced', 1
                  WHERE new.synced_at IS NULL
                  ON CONFLICT (day, procedure_code, person, figure) DO UPDATE SET n = n + 1;
            END"""
    )
    db.execute(
        f"""CREATE TRIGGER report_daily_status AFTER UPDATE OF status ON dossiers
            WHEN old.status != new.status BEGIN
              {_bump("old", "'status:' || old.status", -1)}
              {_bump("new", "'status:' || new.status")}
            END"""
    )
    db.execute(
        f"""CREATE TRIGGER report_daily_synced AFTER UPDATE OF synced_at ON dossiers
            WHEN (old.synced_at IS NULL) != (new.synced_at IS NULL) BEGIN
              INSERT INTO report_daily (day, procedure_code, person, figure, n)
                  VALUES ({_DAY_OF_RECEIPT.format(row="new")}, new.procedure_code, new.received_by, 'unsynced',
                          CASE WHEN new.synced_at IS NULL THEN 1 ELSE -1 END)
                  ON CONFLICT (day, procedure_code, person, figure) DO UPDATE SET n = n + excluded.n;
            END"""
    )
    db.execute(
        f"""CREATE TRIGGER report_daily_digitised AFTER INSERT ON dossier_pages
            WHEN NOT EXISTS (SELECT 1 FROM dossier_pages p WHERE p.dossier_id = new.dossier_id AND p.id != new.id) BEGIN
              INSERT INTO report_daily (day, procedure_code, person, figure, n)
                  SELECT {_DAY_OF_RECEIPT.format(row="d")}, d.procedure_code, d.received_by, 'digitised', 1
                  FROM dossiers d WHERE d.id = new.dossier_id
                  ON CONFLICT (day, procedure_code, person, figure) DO UPDATE SET n = n + 1;
            END"""
    )
    figure = (
        "CASE {e}.status WHEN 'result_ready' THEN CASE WHEN unixepoch({e}.at) <= d.appointment_ts "
        "THEN 'processed_on_time' ELSE 'processed_late' END WHEN 'returned' THEN 'returned_to_citizen' "
        "ELSE {e}.status END"
    )
    event_day = "date(unixepoch({e}.at) + 25200, 'unixepoch')"
    db.execute(
        f"""CREATE TRIGGER report_daily_event AFTER INSERT ON dossier_events
            WHEN new.status IN ('result_ready', 'returned', 'refused') BEGIN
              INSERT INTO report_daily (day, procedure_code, person, figure, n)
                  SELECT {event_day.format(e="new")}, d.procedure_code, new.actor, {figure.format(e="new")}, 1
                  FROM dossiers d WHERE d.id = new.dossier_id
                  ON CONFLICT (day, procedure_code, person, figure) DO UPDATE SET n = n + 1;
            END"""
    )
    # What the desk already holds.
    receipt_day = _DAY_OF_RECEIPT.format(row="d")
    db.execute(
        f"""INSERT INTO report_daily (day, procedure_code, person, figure, n)
            SELECT {receipt_day}, procedure_code, received_by, 'received', count(*) FROM dossiers d GROUP BY 1, 2, 3
            UNION ALL
            SELECT {receipt_day}, procedure_code, received_by, 'status:' || status, count(*) FROM dossiers d GROUP BY 1, 2, 3, 4
            UNION ALL
            SELECT {receipt_day}, procedure_code, received_by, 'unsynced', count(*) FROM dossiers d
                WHERE synced_at IS NULL GROUP BY 1, 2, 3
            UNION ALL
            SELECT {receipt_day}, procedure_code, received_by, 'digitised', count(*) FROM dossiers d
                WHERE EXISTS (SELECT 1 FROM dossier_pages p WHERE p.dossier_id = d.id) GROUP BY 1, 2, 3
            UNION ALL
            SELECT {event_day.format(e="e")}, d.procedure_code, e.actor, {figure.format(e="e")}, count(DISTINCT e.dossier_id)
                FROM dossier_events e JOIN dossiers d ON d.id = e.dossier_id
                WHERE e.status IN ('result_ready', 'returned', 'refused') GROUP BY 1, 2, 3, 4"""
    )

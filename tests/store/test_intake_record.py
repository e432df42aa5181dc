"""The typed row an intake hands the store: every field is a ``dossiers`` column, every column
without a default is filled, and the province receives the row minus the desk's own columns."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import fields

from desk_app.domain.intake_record import LOCAL_COLUMNS, IntakeRecord
from desk_app.store.database import DB_FILENAME


def test_record_fields_match_the_dossiers_table(desk):
    columns = {row[1]: row for row in desk.store.db.conn.execute("PRAGMA table_info(dossiers)")}
    names = [f.name for f in fields(IntakeRecord)]
    assert set(names) <= set(columns)
    # NOT NULL without a default and not the rowid: the record must carry it
    required = {name for name, (_cid, _n, _t, notnull, default, pk) in columns.items() if notnull and default is None and not pk}
    assert required <= set(names)


def test_intake_stores_the_record_and_pushes_its_wire_shape(desk, intake_json):
    view = desk.intake.intake(intake_json)
    conn = sqlite3.connect(desk.data_dir / DB_FILENAME)  # plain tuples, the desk's own connection untouched
    names = [f.name for f in fields(IntakeRecord)]
    row = dict(zip(names, conn.execute(f"SELECT {', '.join(names)} FROM dossiers WHERE code = ?", (view.code,)).fetchone(), strict=True))
    record = IntakeRecord(**row)
    [payload] = [json.loads(p) for (p,) in conn.execute("SELECT payload FROM outbox WHERE kind = 'dossier.received'")]
    assert payload["dossier"] == record.wire()
    assert list(payload["dossier"]) == [n for n in names if n not in LOCAL_COLUMNS]  # uuid last, as before
    assert record.uuid == view.uuid and record.synced_at is None and record.received_ts > 0
    conn.close()

"""The last counter of each recent day the province holds for one desk: a desk whose
database was lost or restored from an older backup raises its own counters to these, so its
next intake never reuses a code already on the server (docs/dossier-codes.md, "A wrong clock"
and "A lost database")."""

from __future__ import annotations

from datetime import datetime, timedelta

from sync.server.storage import VN_TZ, ServerDB

# Intake may backdate 60 days (desk_app/services/intake.py); older days take no new codes.
WINDOW_DAYS = 62


def last_sequences(db: ServerDB, unit_code: str, desk: int) -> dict[str, int]:
    """{yymmdd: last counter} over the dossiers of ``unit_code`` desk ``desk`` that reached the
    server in the last ``WINDOW_DAYS`` days (the counter is the sequence without its desk digit)."""
    since = (datetime.now(VN_TZ) - timedelta(days=WINDOW_DAYS)).replace(microsecond=0).isoformat()
    rows = db.read("SELECT code FROM dossiers WHERE unit_code = ? AND desk = ? AND created_at >= ?", (unit_code, desk, since))
    last: dict[str, int] = {}
    for row in rows:
        parts = str(row["code"]).rsplit("-", 2)
        if len(parts) != 3 or not (parts[1].isdigit() and len(parts[1]) == 6 and parts[2].isdigit()):
            continue
        counter = int(parts[2][1:] or 0)
        last[parts[1]] = max(last.get(parts[1], 0), counter)
    return last

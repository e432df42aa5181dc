"""What the desk knows about its own clock: the province's time at the last contact,
the last wall time an intake saw, a detected jump, the supervised "the clock was wrong" mark.

Kept in ``sync_state`` (a key/value table of migration 0004), so no migration is needed.
Why this exists and how it is used: docs/dossier-codes.md, "A wrong clock".
"""

from __future__ import annotations

from typing import Any

from desk_app.store.database import read_rows
from desk_app.store.sync_store import SyncStore

SERVER_TIME = "clock_server_time"  # the province's time at the last answer (ISO 8601)
CONTACT_LOCAL = "last_contact_at"  # this PC's time at that answer (sync_round.note_contact)
CONTACT_DOSSIER = "clock_contact_dossier_id"  # newest dossier id at that answer
SKEW = "clock_skew_seconds"
LAST_SEEN = "clock_last_seen"  # newest wall time an intake or a contact saw on this PC
JUMP = "clock_jump"  # the last jump noticed: {"at", "seconds", "seen"}
RECOVERY = "clock_recovery"  # {"after_dossier_id", "at", "note", "by"}


class ClockStore(SyncStore):
    """The sync state's clock keys and the two reads of dossiers the checks need."""

    def get(self, key: str) -> Any:
        return self.state(key)

    def put(self, **values: Any) -> None:
        self.set_state(**values)

    def newest_dossier(self, after_id: int = 0) -> dict[str, Any] | None:
        """The newest dossier (by id) above ``after_id``: its id and ``created_at``."""
        rows = read_rows(
            self.db, "SELECT id, created_at FROM dossiers WHERE id > ? ORDER BY id DESC LIMIT 1", (after_id,)
        )
        return rows[0] if rows else None

    def max_dossier_id(self) -> int:
        return int(read_rows(self.db, "SELECT coalesce(max(id), 0) AS n FROM dossiers")[0]["n"])

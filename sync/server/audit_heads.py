"""The desks' audit-chain heads: a desk that rewrote its whole audit trail is caught
here.

Each heartbeat may carry ``audit_head`` = {seq, hash, anchor_seq, anchor_hash}: the desk's
newest entry and the hash the desk *now* holds at the seq this server last acknowledged. The
server keeps every head it was told (one row per new seq) and flags a head that does not
extend them: an anchor whose hash differs from what was reported for that seq (entries up to
it were rewritten), or a chain shorter than one already reported (entries were cut off).
A desk's first head is taken as it is, and so is the head that raised a flag (one flag per
rewrite). The answer carries ``audit_head_seq`` for the desk's next anchor.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.server.storage import Tx

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_heads (
    desk_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    reported_at TEXT NOT NULL,
    PRIMARY KEY (desk_id, seq)
);
"""


def problem(tx: Tx, desk_id: str, head: dict[str, Any]) -> str | None:
    """Why ``head`` does not extend what ``desk_id`` reported before (None when it does)."""
    latest = tx.one("SELECT max(seq) AS seq FROM audit_heads WHERE desk_id = ?", (desk_id,))
    if latest is None or latest["seq"] is None:
        return None
    if head["seq"] < latest["seq"]:
        return "audit_chain_shortened"
    known = tx.one("SELECT hash FROM audit_heads WHERE desk_id = ? AND seq = ?", (desk_id, head["anchor_seq"]))
    if known is None or known["hash"] != head["anchor_hash"]:
        return "audit_chain_rewritten"
    return None


def note_head(tx: Tx, desk_id: str, unit_code: str, head: dict[str, Any] | None, now: str) -> int | None:
    """Check and keep ``head`` inside the heartbeat's transaction; returns the seq to
    acknowledge (None without a head). A bad head is flagged for the province's supervisors."""
    if not head:
        return None
    reason = problem(tx, desk_id, head)
    if reason:
        detail = {"desk_id": desk_id, "unit_code": unit_code, **head}
        tx.execute(
            "INSERT INTO flags (dossier_code, reason, detail, created_at) VALUES ('', ?, ?, ?)",
            (reason, json.dumps(detail), now),
        )
        # Flagged once: the new chain is what later heads must extend.
        tx.execute("DELETE FROM audit_heads WHERE desk_id = ?", (desk_id,))
    if tx.one("SELECT 1 AS x FROM audit_heads WHERE desk_id = ? AND seq = ?", (desk_id, head["seq"])) is None:
        tx.execute(
            "INSERT INTO audit_heads (desk_id, seq, hash, reported_at) VALUES (?, ?, ?, ?)",
            (desk_id, head["seq"], head["hash"], now),
        )
    return int(head["seq"])

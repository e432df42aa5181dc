"""The audit chain head travels with each sync: a desk whose whole audit trail was
rewritten consistently (so `desk verify` on the desk passes) is flagged by the real server."""

from __future__ import annotations

from desk_app.services.verify import verify_desk
from desk_app.store.audit_store import GENESIS, entry_hash
from tests.sync.conftest import add_intake


def rewrite_chain(ctx, change_sql: str) -> None:
    """Edit entries, then recompute every hash in order: locally the chain is sound again."""
    conn = ctx.store.db.conn
    conn.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    conn.execute(change_sql)
    prev = GENESIS
    rows = conn.execute("SELECT id, at, account, action, code, before, after FROM audit_log ORDER BY id").fetchall()
    for row in rows:
        entry = dict(zip(("id", "at", "account", "action", "code", "before", "after"), row))
        digest = entry_hash(prev, entry)
        conn.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, entry["id"]))
        prev = digest


def audit_flags(province) -> list[str]:
    return [f["reason"] for f in province.flags() if f["reason"].startswith("audit_chain")]


def test_the_province_keeps_the_head_and_flags_a_rewritten_trail(enrolled, province, intake_json):
    [code] = add_intake(enrolled, intake_json)
    assert enrolled.sync.sync_once().ok
    head = enrolled.audit.head()
    assert enrolled.sync.store.state("audit_acked_seq") == head["seq"] > 0

    enrolled.queue.set_status(code, "processing")
    assert enrolled.sync.sync_once().ok
    assert audit_flags(province) == []  # a chain that grew extends the last head

    rewrite_chain(enrolled, f"UPDATE audit_log SET account = 'nguoi-khac' WHERE code = '{code}'")
    assert verify_desk(enrolled)["ok"]  # the desk alone cannot tell
    enrolled.sync.sync_once()
    assert audit_flags(province) == ["audit_chain_rewritten"]

    enrolled.queue.set_status(code, "result_ready")
    enrolled.sync.sync_once()
    assert audit_flags(province) == ["audit_chain_rewritten"]  # flagged once, then followed again


def test_a_cut_off_trail_is_flagged(enrolled, province, intake_json):
    add_intake(enrolled, intake_json, n=2)
    assert enrolled.sync.sync_once().ok
    rewrite_chain(enrolled, "DELETE FROM audit_log WHERE id > 1")
    enrolled.sync.sync_once()
    assert audit_flags(province) == ["audit_chain_shortened"]

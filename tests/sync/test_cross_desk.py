"""Within one unit only the receiving desk changes a dossier: desk 4 setting
withdrawn on desk 3's dossier is refused with a reason the desk quarantines, and nothing of
it is stored. Raw signed requests to a real server process."""

from __future__ import annotations

import pytest

from sync.client import SyncClient
from sync.errors import reason_message
from tests.sync.conftest import UNIT
from tests.sync.test_server_api import count, received_event

CODE = f"{UNIT}-261118-3001"


def client_for(server, province, desk: int) -> SyncClient:
    code = province.enroll_code(UNIT, desk)["code"]
    client = SyncClient(SyncClient(None, server_url=server.url).enroll(code), max_attempts=1, timeout=5)
    client.ping()
    return client


def status_event(key: str, status: str) -> dict:
    return {
        "key": key,
        "kind": "dossier.status",
        "dossier_code": CODE,
        "payload": {"event": {"uuid": key, "status": status, "at": "2026-11-18T10:00:00+07:00", "actor": "x", "note": ""}},
        "created_at": "2026-11-18T10:00:00+07:00",
    }


@pytest.fixture
def desks(server, province):
    own, other = client_for(server, province, 3), client_for(server, province, 4)
    yield own, other
    own.close()
    other.close()


def test_another_desk_of_the_unit_cannot_change_the_dossier(desks, province):
    own, other = desks
    assert own.push([received_event(CODE)])[0]["status"] == "accepted"
    for status in ("withdrawn", "result_ready"):
        [answer] = other.push([status_event(f"5e1f0000-0000-4000-8000-00000000000{len(status) % 10}", status)])
        assert answer["status"] == "rejected" and answer["reason"] == "not_receiving_desk", answer
    edit = {
        "key": "5e1f0000-0000-4000-8000-0000000000e1",
        "kind": "dossier.edited",
        "dossier_code": CODE,
        "payload": {"edit": {"uuid": "5e1f0000-0000-4000-8000-0000000000e1", "at": "2026-11-18T10:00:00+07:00",
                             "changes": {"phone": {"before": "", "after": "0912345678"}}}},
        "created_at": "2026-11-18T10:00:00+07:00",
    }
    assert other.push([edit])[0]["reason"] == "not_receiving_desk"
    assert province.db.read("SELECT status FROM dossiers WHERE code = ?", (CODE,))[0]["status"] == "received"
    assert count(province, "events") == 1
    assert "bàn khác tiếp nhận" in reason_message("not_receiving_desk")
    # The receiving desk still may.
    [answer] = own.push([status_event("5e1f0000-0000-4000-8000-0000000000a1", "withdrawn")])
    assert answer["status"] == "accepted"

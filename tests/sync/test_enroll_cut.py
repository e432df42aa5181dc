"""Enrollment survives a lost answer: the desk saves a request id before sending, the
server answers the same credential to the same request id, and refuses any other one."""

from __future__ import annotations

import pytest
import requests

from desk_app.domain.errors import StoreError
from sync.protocol import API_PREFIX, PROTOCOL_VERSION
from tests.sync.conftest import FAST_CLIENT, UNIT


@pytest.fixture
def plain_desk(desk):
    desk.sync.vault.use_keyring = False
    desk.sync.client_options.update(FAST_CLIENT)
    return desk


def desks_on_server(server) -> list[dict]:
    return server.admin("desks")


def test_answer_cut_once_is_asked_again_and_gives_the_same_credential(plain_desk, server, province, proxy):
    code = province.enroll_code(UNIT, 3)["code"]
    proxy.plan.cut_next_down_at = 40  # inside the status line / headers of the answer
    result = plain_desk.sync.enroll(proxy.url, code)
    assert proxy.stats.cuts_down == 1
    (on_server,) = desks_on_server(server)
    assert on_server["desk_id"] == result["desk_id"]
    # The secret the desk kept is the one the server made: a signed request passes.
    client = plain_desk.sync.make_client(plain_desk.sync.credential())
    try:
        assert client.whoami()["desk_id"] == result["desk_id"]
    finally:
        client.close()
    assert plain_desk.sync.store.state("enroll_request") is None  # done: nothing pending


def test_gave_up_after_cuts_then_retried_later_with_the_same_code(plain_desk, server, province, proxy):
    code = province.enroll_code(UNIT, 3)["code"]
    # Every answer is cut: the desk gives up, but the server did enroll it on the first try.
    proxy.plan.cut_probability = 1.0
    proxy.plan.cut_up_share = 0.0
    proxy.plan.cut_down_max = 100
    with pytest.raises(StoreError):
        plain_desk.sync.enroll(proxy.url, code)
    assert proxy.stats.cuts_down >= 2
    assert plain_desk.sync.credential() is None
    (first,) = desks_on_server(server)
    # The link comes back (the app may have been restarted meanwhile: the id is in the DB).
    proxy.plan.cut_probability = 0.0
    result = plain_desk.sync.enroll(proxy.url, code)
    assert result["desk_id"] == first["desk_id"]
    assert len(desks_on_server(server)) == 1  # the code made one desk, not two
    assert plain_desk.sync.sync_once().ok


def test_a_used_code_is_refused_to_another_request_id_or_without_one(plain_desk, server, province):
    code = province.enroll_code(UNIT, 3)["code"]
    plain_desk.sync.enroll(server.url, code)
    headers = {"X-Sync-Protocol": PROTOCOL_VERSION}
    for body in ({"code": code, "request_id": "someone-else"}, {"code": code}):
        answer = requests.post(server.url + f"{API_PREFIX}/enroll", json=body, headers=headers, timeout=5)
        assert answer.status_code == 403 and answer.json()["error"] == "enroll_code_invalid", body
    answer = requests.post(server.url + f"{API_PREFIX}/enroll", json={"code": code, "request_id": 7}, headers=headers, timeout=5)
    assert answer.status_code == 400
    assert len(desks_on_server(server)) == 1


def test_replay_of_a_revoked_desk_is_refused(plain_desk, server, province):
    code = province.enroll_code(UNIT, 3)["code"]
    request_id = plain_desk.sync._enroll_request_id(server.url, code)
    result = plain_desk.sync.enroll(server.url, code)
    server.admin("revoke", "--desk-id", result["desk_id"])
    answer = requests.post(
        server.url + f"{API_PREFIX}/enroll", json={"code": code, "request_id": request_id},
        headers={"X-Sync-Protocol": PROTOCOL_VERSION}, timeout=5,
    )
    assert answer.status_code == 403 and answer.json()["error"] == "enroll_code_invalid"

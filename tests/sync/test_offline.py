"""A server that cannot be reached at all (closed port, unknown host) ends a round at once
as offline, without in-round retries; a link that cuts after connecting is still retried."""

from __future__ import annotations

import json

import pytest

from tests.conftest import desk_cli
from tests.sync.conftest import add_intake, enroll, free_port

# Slow retries on purpose: if a closed port were retried in the round, the counters (and
# the test's run time) would show it.
SLOW_RETRIES = {"timeout": 5.0, "connect_timeout": 3.0, "backoff_base": 0.5, "backoff_cap": 5.0, "max_attempts": 6}


@pytest.fixture
def offline_desk(desk, server, province, intake_json):
    """An enrolled desk with one pending record whose server has gone away (closed port)."""
    desk.sync.vault.use_keyring = False
    desk.sync.client_options.update(SLOW_RETRIES)
    enroll(desk, server.url, province)
    add_intake(desk, intake_json)
    server.stop()
    return desk


def test_closed_port_ends_the_round_at_once_as_offline(offline_desk):
    summary = offline_desk.sync.sync_once()
    assert summary.online is False and summary.state == "offline" and not summary.ok
    assert summary.requests == 1 and summary.retries == 0, summary
    (error,) = summary.errors
    assert error["category"] == "transport" and error["reason"] == "unreachable"
    assert summary.pending == 1  # nothing lost, nothing marked sent
    status = offline_desk.sync.status(ping=True, timeout=1.0)
    assert status["state"] == "offline" and status["outbox_depth"] == 1
    assert status["last_error"]["reason"] == "unreachable"


def test_unknown_host_is_unreachable_too(desk):
    from sync.client import SyncClient
    from sync.errors import SyncError

    client = SyncClient(None, server_url="http://desk-sync-test.invalid", **SLOW_RETRIES)
    with pytest.raises(SyncError) as caught:
        client.check_connectivity(timeout=2.0)
    assert caught.value.reason == "unreachable"
    assert client.stats["requests"] == 1 and client.stats["retries"] == 0


def test_cli_sync_once_offline_exits_nonzero_with_an_offline_summary(offline_desk):
    data = str(offline_desk.data_dir)
    offline_desk.close()
    done = desk_cli("--lang", "en", "sync", "--data", data, "--once", env={"DESK_SYNC_KEYRING": "off"})
    assert done.returncode == 1, done.stderr
    summary = json.loads(done.stdout)
    assert summary["state"] == "offline" and summary["online"] is False
    assert summary["retries"] == 0 and summary["requests"] == 1
    assert summary["errors"][0]["message"].startswith("Cannot reach the provincial server")
    # The JSON keeps the keys, in the order it had before the summary became a RoundSummary.
    assert list(summary) == SUMMARY_KEYS


SUMMARY_KEYS = [
    "ok", "online", "confirmed", "duplicates", "quarantined_now", "files_uploaded", "files_already_on_server",
    "file_bytes_sent", "changes_applied", "changes_flagged", "state", "errors", "clock_skew_seconds",
    "clock_warning", "pending", "quarantined", "bytes_pending", "requests", "retries", "seconds",
    "last_confirmed_sync",
]


def test_the_round_summary_json_is_its_fields_in_order(offline_desk):
    summary = offline_desk.sync.sync_once()
    assert list(summary.to_json()) == SUMMARY_KEYS
    assert summary.to_json()["errors"] == summary.errors and summary.transport_failed


def test_a_ping_cut_after_connecting_is_still_retried(enrolled, server, proxy):
    """The proxy accepts the connection and cuts the answer: a flaky link, not a dead
    server, so the round retries and goes on."""
    proxy.plan.cut_next_down_at = 10
    client = enrolled.sync.make_client(enrolled.sync.credential())
    client.base_url = proxy.url
    summary = enrolled.sync.sync_once(client=client)
    assert summary.ok and summary.online and summary.retries >= 1, summary
    assert proxy.stats.cuts >= 1


def test_enroll_to_a_closed_port_says_so_at_once(desk):
    from desk_app.domain.errors import StoreError
    from desk_app.i18n import Translator

    desk.sync.vault.use_keyring = False
    desk.sync.client_options.update(SLOW_RETRIES)
    with pytest.raises(StoreError) as caught:
        desk.sync.enroll(f"http://127.0.0.1:{free_port()}", "ABCD-EFGH-JKLM-NPQR")
    assert caught.value.field == "server"
    assert "address is wrong" in caught.value.translated(Translator("en"))
    assert desk.sync.status(ping=False)["enrolled"] is False

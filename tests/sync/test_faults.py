"""Cut, stalled and throttled connections; a server killed mid-upload. Every dossier must
arrive exactly once, with all its files intact."""

from __future__ import annotations

import contextlib
import hashlib
import random
import sqlite3
import threading
import time

import pytest

from sync.client import SyncClient
from tests.sync.conftest import FAST_CLIENT, add_intake, add_pages, enroll, server_dossiers


@pytest.fixture
def via_proxy(desk, server, province, proxy):
    desk.sync.vault.use_keyring = False
    desk.sync.client_options.update(FAST_CLIENT)
    enroll(desk, proxy.url, province)  # clean link while enrolling
    return desk


def make_workload(ctx, intake_json, rng: random.Random, dossiers: int) -> dict[str, list[bytes]]:
    files: dict[str, list[bytes]] = {}
    for code in add_intake(ctx, intake_json, dossiers):
        pages = [rng.randbytes(rng.randint(2_000, 120_000)) for _ in range(rng.randint(1, 3))]
        add_pages(ctx, code, pages)
        files[code] = pages
        if rng.random() < 0.5:
            ctx.queue.set_status(code, "withdrawn")
    return files


def check_server_has_everything_once(server, ctx, files: dict[str, list[bytes]]) -> None:
    on_server = server_dossiers(server)
    codes = [d["code"] for d in on_server]
    assert sorted(codes) == sorted(files) and len(set(codes)) == len(codes)
    for dossier in on_server:
        expected = {hashlib.sha256(p).hexdigest(): p for p in files[dossier["code"]]}
        assert sorted(dossier["files"]) == sorted(expected)
        for sha in expected:
            stored = server.data / "files" / sha[:2] / sha[2:4] / sha
            assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha
    province = server.province()
    try:
        events = province.db.read("SELECT count(*) AS n FROM events")[0]["n"]
    finally:
        province.close()
    outbox = ctx.store.db.conn.execute("SELECT count(*), sum(state = 'done') FROM outbox").fetchone()
    assert outbox[0] == outbox[1] == events  # every record confirmed, each applied once
    assert ctx.store.db.conn.execute("SELECT count(*) FROM dossiers WHERE synced_at IS NULL").fetchone()[0] == 0


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_every_dossier_arrives_exactly_once_across_random_cuts(via_proxy, server, proxy, intake_json, seed):
    rng = random.Random(seed)
    # 30 dossiers: since small files go whole in one request a round makes fewer connections,
    # and 20 dossiers left some seeds only a few cuts above the 40 asserted below.
    files = make_workload(via_proxy, intake_json, rng, dossiers=30)
    # Nearly every connection is cut somewhere in its request bytes or its response bytes.
    proxy.plan.cut_probability = 1.0
    proxy.plan.cut_up_max = 50_000
    proxy.plan.cut_down_max = 800
    proxy.plan.cut_up_share = 0.6
    via_proxy.sync.client_options["max_attempts"] = 6
    proxy.plan.stall_probability = 0.01
    proxy.plan.stall_seconds = 2.5  # longer than the client's 2 s read timeout
    proxy.rng.seed(seed)
    rounds = 0
    while rounds < 300:
        rounds += 1
        summary = via_proxy.sync.sync_once()
        if summary.ok:
            break
        assert all(e["category"] == "transport" for e in summary.errors), summary.errors
        assert summary.quarantined == 0
    assert summary.ok, summary
    assert proxy.stats.cuts >= 40, proxy.stats  # hundreds over the five seeds
    check_server_has_everything_once(server, via_proxy, files)
    status = via_proxy.sync.status()
    assert status["synced"] and status["outbox_depth"] == 0


def test_cut_at_90_percent_resends_at_most_one_chunk(server, province, proxy):
    from sync.client import Credential

    code = province.enroll_code("000.31.14.H14", 3)["code"]
    credential = SyncClient(None, server_url=proxy.url).enroll(code)
    client = SyncClient(credential, chunk_target_seconds=0.05, backoff_base=0.01, max_attempts=5)
    data = random.Random(5).randbytes(2 * 1024 * 1024)
    sha = hashlib.sha256(data).hexdigest()
    proxy.plan.throttle_bytes_per_second = 8 * 1024 * 1024
    client.ping()
    proxy.plan.cut_next_up_at = int(len(data) * 0.9)
    client.session.close()  # next request opens the connection that will be cut
    import io

    before = proxy.stats.bytes_up
    client.upload(sha, len(data), lambda: io.BytesIO(data))
    wire_up = proxy.stats.bytes_up - before
    resent = wire_up - len(data)
    assert proxy.stats.cuts_up == 1
    assert client.stats["max_chunk"] < len(data) / 4  # it really worked in chunks
    assert resent <= client.stats["max_chunk"] + 25_000, (resent, client.stats)  # + request headers (~370 B each, nonce included)
    stored = server.data / "files" / sha[:2] / sha[2:4] / sha
    assert stored.read_bytes() == data
    assert isinstance(credential, Credential)


def test_a_small_file_goes_whole_in_one_request(server, province, proxy):
    import io

    from sync.client import SMALL_FILE_BYTES
    from sync.protocol import MIN_CLIENT_CHUNK

    code = province.enroll_code("000.31.14.H14", 3)["code"]
    # A tiny chunk target keeps the chunk at its 32 KB floor, as on a 64 kbit/s link.
    client = SyncClient(SyncClient(None, server_url=proxy.url).enroll(code), chunk_target_seconds=1e-9)
    data = random.Random(6).randbytes(SMALL_FILE_BYTES)  # two floor chunks' worth
    sha = hashlib.sha256(data).hexdigest()
    before = client.stats["requests"]
    assert client.upload(sha, len(data), lambda: io.BytesIO(data)) == len(data)
    assert client.stats["requests"] - before == 1
    assert (server.data / "files" / sha[:2] / sha[2:4] / sha).read_bytes() == data
    bigger = random.Random(7).randbytes(SMALL_FILE_BYTES + 1)  # above the bound: chunks again
    before = client.stats["requests"]
    client.upload(hashlib.sha256(bigger).hexdigest(), len(bigger), lambda: io.BytesIO(bigger))
    assert client.stats["requests"] - before == 3  # 32 KB with the creation, 32 KB, 1 B
    assert client.chunks.size == MIN_CLIENT_CHUNK


def test_a_cut_whole_file_request_restarts_and_resends_at_most_its_bytes(server, province, proxy):
    import io

    from sync.client import SMALL_FILE_BYTES

    code = province.enroll_code("000.31.14.H14", 3)["code"]
    client = SyncClient(SyncClient(None, server_url=proxy.url).enroll(code), backoff_base=0.01, max_attempts=5)
    data = random.Random(8).randbytes(60_000)
    sha = hashlib.sha256(data).hexdigest()
    client.ping()
    proxy.plan.cut_next_up_at = 50_000  # inside the one whole-file request
    client.session.close()  # next request opens the connection that will be cut
    before = proxy.stats.bytes_up
    assert client.upload(sha, len(data), lambda: io.BytesIO(data)) == len(data)
    assert proxy.stats.cuts_up == 1
    resent = proxy.stats.bytes_up - before - len(data)
    assert resent <= SMALL_FILE_BYTES + 10_000, (resent, client.stats)  # + request headers
    assert client.stats["max_chunk"] == len(data)
    assert (server.data / "files" / sha[:2] / sha[2:4] / sha).read_bytes() == data


def test_server_restart_mid_upload(via_proxy, server, proxy, intake_json):
    code = add_intake(via_proxy, intake_json)[0]
    data = random.Random(9).randbytes(3 * 1024 * 1024)
    add_pages(via_proxy, code, [data])
    sha = hashlib.sha256(data).hexdigest()
    proxy.plan.throttle_bytes_per_second = 1_000_000
    client = via_proxy.sync.make_client(via_proxy.sync.credential())
    client.backoff_base, client.backoff_cap, client.max_attempts = 0.2, 1.0, 15
    client.chunks.target = 0.2
    rounds: list = []
    worker = threading.Thread(target=lambda: rounds.append(via_proxy.sync.sync_once(client=client)))
    # The sync service and this thread share the desk connection; only the worker uses it.
    worker.start()
    def upload_started() -> bool:  # the desk's own upload holds some bytes (state in the server database)
        with contextlib.closing(sqlite3.connect(server.data / "server.sqlite3", timeout=5)) as db:
            return db.execute("SELECT 1 FROM uploads WHERE sha256 = ? AND received > 0", (sha,)).fetchone() is not None

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if upload_started():
            break
        time.sleep(0.02)
    else:
        pytest.fail("upload never started")
    server.kill()
    time.sleep(0.5)
    server.start()
    worker.join(60)
    assert not worker.is_alive()
    result = rounds[0] if rounds else None
    if result is None or not result.ok:
        result = via_proxy.sync.sync_once()
    assert result.ok, result
    stored = server.data / "files" / sha[:2] / sha[2:4] / sha
    assert stored.read_bytes() == data
    sent = client.stats["file_bytes_sent"]
    assert sent <= len(data), "acknowledged bytes are never sent twice"
    assert proxy.stats.bytes_up - len(data) <= 2 * client.stats["max_chunk"] + 50_000
    check_server_has_everything_once(server, via_proxy, {code: [data]})

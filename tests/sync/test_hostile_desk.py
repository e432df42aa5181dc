"""A hostile enrolled desk against the real server process: every odd request gets a 4xx
(never 500, never a stored row), costly bodies are refused early, uploads are owned,
bounded and expire, replays and re-used signatures are refused (docs/security.md)."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import threading
import time

import pytest
import requests

from sync.client import Credential, SyncClient
from sync.errors import SyncError
from sync.protocol import (
    H_DESK,
    H_NONCE,
    H_PROTOCOL,
    H_SIGNATURE,
    H_TIME,
    PROTOCOL_VERSION,
    TUS_VERSION,
    encode_metadata,
    sign,
)
from tests.sync.conftest import UNIT, ServerProcess


def enrolled_client(server_url: str, province, desk: int = 3) -> SyncClient:
    code = province.enroll_code(UNIT, desk)["code"]
    client = SyncClient(SyncClient(None, server_url=server_url).enroll(code), max_attempts=1, timeout=30)
    client.ping()
    return client


@pytest.fixture
def client(server, province):
    c = enrolled_client(server.url, province)
    yield c
    c.close()


def refused(client: SyncClient, method: str, path: str, **kwargs) -> tuple[int | None, str]:
    with pytest.raises(SyncError) as error:
        client._request(method, path, **kwargs)
    return error.value.extra.get("status"), error.value.reason


def signed_headers(
    credential: Credential,
    method: str,
    path: str,
    body: bytes,
    *,
    stamp: str | None = None,
    nonce: str = "n" * 16,
    **extra: str,
) -> dict:
    stamp = stamp or f"{time.time():.3f}"
    headers = {H_PROTOCOL: PROTOCOL_VERSION, H_DESK: credential.desk_id, H_TIME: stamp, H_NONCE: nonce, **extra}
    covered = {k: v for k, v in extra.items() if k.startswith("Upload-")}
    headers[H_SIGNATURE] = sign(credential.secret, method, path, stamp, body, nonce, covered)
    return headers


def count(province, table: str) -> int:
    return province.db.read(f"SELECT count(*) AS n FROM {table}")[0]["n"]


def received(code: str, key: str = "7f0c6a8e-0000-4000-8000-000000000001", received_at: str = "2026-11-18T09:30:00+07:00") -> dict:
    return {
        "key": key,
        "kind": "dossier.received",
        "dossier_code": code,
        "payload": {"dossier": {"uuid": key, "code": code, "received_at": received_at}, "documents": []},
    }


def test_costly_and_odd_json_is_refused_with_4xx(client, province):
    # 24 MB of {} from a ~24 KB body: the old server unpacked and parsed all of it (~850 MB
    # for 32 MB) before counting events; now unpacking stops at the limit.
    bomb = gzip.compress(b'{"events": [' + b"{}," * (8 * 1024 * 1024) + b"{}]}")
    assert len(bomb) < 64 * 1024
    started = time.monotonic()
    assert refused(client, "POST", "/v1/events", body=bomb, headers={"Content-Encoding": "gzip"}) == (413, "too_large")
    assert time.monotonic() - started < 3
    deep = gzip.compress(b'{"events": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    assert refused(client, "POST", "/v1/events", body=deep, headers={"Content-Encoding": "gzip"}) == (400, "malformed_json")
    many = json.dumps({"events": [[0] * 1000] * 400}).encode()  # 400,000 values in 2.4 MB
    assert refused(client, "POST", "/v1/events", body=many) == (413, "too_large")
    surrogate = json.dumps({"events": [received(f"{UNIT}-261118-3001")]}).replace("09:30", "\\ud800").encode()
    assert refused(client, "POST", "/v1/events", body=surrogate) == (400, "malformed_json")
    for number in (b"NaN", b"Infinity", b"1e400", b"1" + b"0" * 30):
        body = b'{"backlog": ' + number + b"}"
        assert refused(client, "POST", "/v1/heartbeat", body=body) == (400, "malformed_json"), number
    assert refused(client, "POST", "/v1/heartbeat", body=b'{"backlog": -5}') == (400, "malformed")
    assert refused(client, "GET", f"/v1/changes?after={10**23}") == (400, "malformed")
    assert count(province, "events") == 0 and count(province, "dossiers") == 0


def raw_tus(client: SyncClient, method: str, path: str, name: str, value: str, body: bytes = b"", **extra: str) -> requests.Response:
    """A signed tus request whose ``name`` header holds non-ASCII text (sent as UTF-8 bytes,
    signed as the server reads them: latin-1)."""
    wire = value.encode("utf-8")
    assert client.credential is not None  # an enrolled client
    headers = signed_headers(client.credential, method, path, body, nonce=os.urandom(12).hex(), **{**extra, name: wire.decode("latin-1")})
    headers[name] = wire
    headers["Tus-Resumable"] = TUS_VERSION
    return requests.request(method, client.base_url + path, data=body or None, headers=headers, timeout=5)


def test_numbers_in_tus_headers_are_ascii_only(client):
    sha = hashlib.sha256(b"x").hexdigest()
    tus = {"Tus-Resumable": TUS_VERSION, "Upload-Metadata": encode_metadata({"sha256": sha})}
    for length in ("1e3", "-1", "9" * 30):
        assert refused(client, "POST", "/v1/files", headers={**tus, "Upload-Length": length}) == (400, "upload_length"), length
    meta = {"Upload-Metadata": encode_metadata({"sha256": sha})}
    for length in ("١٢", "²"):
        answer = raw_tus(client, "POST", "/v1/files", "Upload-Length", length, **meta)
        assert (answer.status_code, answer.json()["error"]) == (400, "upload_length"), length
    client._request("POST", "/v1/files", headers={**tus, "Upload-Length": "1"}, ok=(201,))
    for offset in ("٠", "²"):
        answer = raw_tus(
            client, "PATCH", f"/v1/files/{sha}", "Upload-Offset", offset, b"x", **{"Content-Type": "application/offset+octet-stream"}
        )
        assert (answer.status_code, answer.json()["error"]) == (400, "upload_offset"), offset
    verify = requests.get(client.base_url + "/v1/receipts/verify", params={"code": f"{UNIT}-261118-²001", "tag": "AAAA"}, timeout=5)
    assert verify.status_code == 200 and verify.json()["genuine"] is False


def test_signed_time_must_be_finite_and_a_request_is_answered_once(server, client):
    credential = client.credential
    body = b'{"backlog": 1}'
    for stamp in ("nan", "inf", "-inf", "1e10", "0x10"):
        headers = signed_headers(credential, "POST", "/v1/heartbeat", body, stamp=stamp)
        answer = requests.post(server.url + "/v1/heartbeat", data=body, headers=headers, timeout=5)
        assert answer.status_code == 401 and answer.json()["error"] == "unauthenticated", stamp
    headers = signed_headers(credential, "POST", "/v1/heartbeat", body, nonce="replay-me-0123456789")
    first = requests.post(server.url + "/v1/heartbeat", data=body, headers=headers, timeout=5)
    again = requests.post(server.url + "/v1/heartbeat", data=body, headers=headers, timeout=5)
    assert first.status_code == 200
    assert again.status_code == 401 and again.json()["error"] == "replayed"


def test_tus_headers_are_covered_by_the_signature(server, client):
    credential = client.credential
    sha = hashlib.sha256(b"abc").hexdigest()
    path = "/v1/files"
    extra = {"Upload-Length": "3", "Upload-Metadata": encode_metadata({"sha256": sha})}
    headers = signed_headers(credential, "POST", path, b"", **extra)
    headers["Tus-Resumable"] = TUS_VERSION
    headers["Upload-Length"] = "300000000"  # a captured creation replayed with another length
    answer = requests.post(server.url + path, headers=headers, timeout=5)
    assert answer.status_code == 401 and answer.json()["error"] == "bad_signature"
    headers = signed_headers(credential, "POST", path, b"", nonce="other-nonce-0123456", **extra)
    headers["Tus-Resumable"] = TUS_VERSION
    assert requests.post(server.url + path, headers=headers, timeout=5).status_code == 201


def test_uploads_belong_to_the_desk_that_created_them(server, province, client):
    other = enrolled_client(server.url, province, desk=4)
    data = os.urandom(100_000)
    sha = hashlib.sha256(data).hexdigest()
    tus = {"Tus-Resumable": TUS_VERSION}
    client._request("POST", "/v1/files", body=data[:40_000], headers={
        **tus, "Upload-Length": str(len(data)), "Upload-Metadata": encode_metadata({"sha256": sha}),
        "Content-Type": "application/offset+octet-stream",
    }, ok=(201,))
    assert client._offset(sha) == 40_000
    assert other._offset(sha) is None  # another desk does not see it
    patch = {**tus, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "40000"}
    assert refused(other, "PATCH", f"/v1/files/{sha}", body=data[40_000:], headers=patch) == (404, "no_upload")
    assert other.missing([sha]) == {sha: 0}
    # Each desk finishes its own upload of the same bytes; the file is stored once.
    other.upload(sha, len(data), lambda: __import__("io").BytesIO(data))
    client.upload(sha, len(data), lambda: __import__("io").BytesIO(data), offset=None)
    assert (server.data / "files" / sha[:2] / sha[2:4] / sha).read_bytes() == data
    assert not [piece for piece in (server.data / "uploads").rglob("*") if piece.is_file()]  # pieces go once finished
    other.close()


def test_upload_quota_and_expiry(tmp_path, province_factory):
    srv, province = province_factory("--upload-quota-mb", "1", "--upload-ttl", "2")
    client = enrolled_client(srv.url, province)
    tus = {"Tus-Resumable": TUS_VERSION}

    def create(sha: str, length: int) -> requests.Response:
        return client._request("POST", "/v1/files", headers={
            **tus, "Upload-Length": str(length), "Upload-Metadata": encode_metadata({"sha256": sha})}, ok=(201,))

    first = hashlib.sha256(b"first").hexdigest()
    answer = create(first, 700_000)
    assert "Upload-Expires" in answer.headers
    assert "expiration" in requests.options(srv.url + "/v1/files", timeout=5).headers["Tus-Extension"]
    second = hashlib.sha256(b"second").hexdigest()
    with pytest.raises(SyncError) as quota:
        create(second, 700_000)
    assert quota.value.extra["status"] == 413 and quota.value.reason == "upload_quota"
    time.sleep(2.5)  # the first upload, untouched, expires: HEAD forgets it, its bytes no longer count
    assert client._offset(first) is None
    create(second, 700_000)
    client.close()


def test_below_the_free_space_threshold_writes_get_507_and_reads_go_on(province_factory):
    srv, province = province_factory("--min-free-mb", str(10**9))  # more than any test disk has
    client = enrolled_client(srv.url, province)
    assert refused(client, "POST", "/v1/events", body=json.dumps({"events": []}).encode()) == (507, "insufficient_storage")
    sha = hashlib.sha256(b"x").hexdigest()
    headers = {"Tus-Resumable": TUS_VERSION, "Upload-Length": "1", "Upload-Metadata": encode_metadata({"sha256": sha})}
    assert refused(client, "POST", "/v1/files", headers=headers) == (507, "insufficient_storage")
    client.heartbeat({"backlog": 3})
    assert client.changes(0)["changes"] == []
    assert client.missing([sha]) == {sha: 0}
    client.close()


def test_at_most_two_pushes_in_flight_per_desk(client, province):
    # Eight batches of 500 records sent at once: each takes the server a while to parse and
    # apply (one transaction per batch since the batch became one transaction, so more of
    # them are sent together than the four that overlapped when every record committed).
    pushes = 8
    batches = [
        [received(f"{UNIT}-261118-3{b}{i:03d}", key=f"7f0c6a8e-0000-4000-8{b}00-{i:012d}") for i in range(500)]
        for b in range(pushes)
    ]
    answers: list = [None] * pushes
    together = threading.Barrier(pushes)

    def push(i: int) -> None:
        twin = client.fork()
        try:
            together.wait(30)
            answers[i] = twin.push(batches[i])
        except SyncError as exc:
            answers[i] = exc
        finally:
            twin.close()

    threads = [threading.Thread(target=push, args=(i,)) for i in range(pushes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    busy = [a for a in answers if isinstance(a, SyncError)]
    assert busy and all(a.reason == "busy" and a.retryable for a in busy), answers
    done = [a for a in answers if isinstance(a, list)]
    assert done and all(r["status"] == "accepted" for batch in done for r in batch)
    assert count(province, "dossiers") == 500 * len(done)


def test_stored_fields_are_validated_and_future_times_flagged(client, province):
    [bad_code] = client.push([received(f"{UNIT}-261118-1<script>")])
    assert bad_code["status"] == "rejected" and bad_code["reason"] == "malformed"
    [bad_time] = client.push([received(f"{UNIT}-261118-3001", received_at="yesterday, honestly")])
    assert bad_time["status"] == "rejected" and "received_at" in bad_time["detail"]
    [no_offset] = client.push([received(f"{UNIT}-261118-3001", received_at="2026-11-18T09:30:00")])
    assert no_offset["status"] == "rejected"
    assert count(province, "dossiers") == 0
    tomorrow = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() + 86400))
    [ahead] = client.push([received(f"{UNIT}-261118-3002", received_at=tomorrow)])
    assert ahead["status"] == "accepted"
    flags = province.flags()
    assert [f["reason"] for f in flags] == ["received_in_future"] and flags[0]["dossier_code"] == f"{UNIT}-261118-3002"


@pytest.fixture
def province_factory(tmp_path):
    started: list = []

    def make(*extra: str):
        srv = ServerProcess(tmp_path / f"srv{len(started)}")
        srv.data.mkdir()
        srv.extra = list(extra)
        srv.start()
        province = srv.province()
        started.append((srv, province))
        return srv, province

    yield make
    for srv, province in started:
        province.close()
        srv.stop()

"""The server's refusals: clear 4xx answers that change nothing."""

from __future__ import annotations

import gzip
import hashlib
import json
import os

import pytest
import requests

from sync.client import Credential, SyncClient
from sync.errors import AUTHENTICATION, CLOCK, SERVER, SyncError
from sync.protocol import (
    H_DESK,
    H_PROTOCOL,
    H_SIGNATURE,
    H_TIME,
    PROTOCOL_VERSION,
    TUS_VERSION,
    sign,
    tus_checksum,
)
from tests.sync.conftest import UNIT


@pytest.fixture
def credential(server, province) -> Credential:
    code = province.enroll_code(UNIT, 3)["code"]
    return SyncClient(None, server_url=server.url).enroll(code)


@pytest.fixture
def client(credential):
    c = SyncClient(credential, max_attempts=1, timeout=5)
    c.ping()
    yield c
    c.close()


def received_event(code: str, key: str = "7f0c6a8e-0000-4000-8000-000000000001", **extra) -> dict:
    return {
        "key": key,
        "kind": "dossier.received",
        "dossier_code": code,
        "payload": {"dossier": {"uuid": key, "code": code, "received_at": "2026-11-18T09:30:00+07:00"}, "documents": [], **extra},
        "created_at": "2026-11-18T09:30:00+07:00",
    }


def count(province, table: str) -> int:
    return province.db.read(f"SELECT count(*) AS n FROM {table}")[0]["n"]


def test_openapi_is_published(server):
    spec = requests.get(server.url + "/openapi.json", timeout=5).json()
    assert "/v1/events" in spec["paths"] and "/v1/files/{sha}" in spec["paths"]


def test_push_answers_accepted_duplicate_conflict(client, province):
    event = received_event(f"{UNIT}-261118-3001")
    [first] = client.push([event])
    assert first["status"] == "accepted"
    [again] = client.push([event])
    assert again["status"] == "duplicate" and again["answer"] == first["answer"]
    changed = json.loads(json.dumps(event))
    changed["payload"]["documents"] = [{"name": "x"}]
    [conflict] = client.push([changed])
    assert conflict["status"] == "conflict" and conflict["reason"] == "key_reused"
    assert count(province, "dossiers") == 1 and count(province, "events") == 1


def test_a_desk_cannot_write_another_communes_dossier(client, province):
    [result] = client.push([received_event("000.31.15.H14-261118-3001")])
    assert result["status"] == "rejected" and result["reason"] == "other_commune"
    [result] = client.push([received_event(f"{UNIT}-261118-7001")])
    assert result["status"] == "rejected" and result["reason"] == "other_desk"
    assert count(province, "dossiers") == 0 and count(province, "events") == 0


def test_record_whose_files_are_missing_is_refused_until_they_arrive(client, province):
    data = os.urandom(10_000)
    sha = hashlib.sha256(data).hexdigest()
    event = received_event(f"{UNIT}-261118-3002", files=[sha])
    [result] = client.push([event])
    assert result == {"key": event["key"], "status": "missing_files", "missing": [sha]}
    assert count(province, "dossiers") == 0
    assert client.missing([sha]) == {sha: 0}
    client.upload(sha, len(data), lambda: __import__("io").BytesIO(data))
    assert client.missing([sha]) == {}
    assert client.push([event])[0]["status"] == "accepted"


def test_wrong_protocol_version_is_refused(server, credential):
    body = b'{"backlog": 0}'
    headers = {H_PROTOCOL: "99", H_DESK: credential.desk_id, H_TIME: f"{__import__('time').time():.3f}"}
    headers[H_SIGNATURE] = sign(credential.secret, "POST", "/v1/heartbeat", headers[H_TIME], body)
    response = requests.post(server.url + "/v1/heartbeat", data=body, headers=headers, timeout=5)
    assert response.status_code == 400 and response.json()["error"] == "protocol_version"
    assert response.json()["supported"] == [PROTOCOL_VERSION]
    del headers[H_PROTOCOL]
    response = requests.post(server.url + "/v1/heartbeat", data=body, headers=headers, timeout=5)
    assert response.status_code == 400 and response.json()["error"] == "protocol_version_missing"


def test_unauthenticated_bad_and_revoked_credentials(server, province, credential, client):
    event = received_event(f"{UNIT}-261118-3003")
    raw = requests.post(server.url + "/v1/events", json={"events": [event]}, headers={H_PROTOCOL: PROTOCOL_VERSION}, timeout=5)
    assert raw.status_code == 401 and raw.json()["error"] == "unauthenticated"
    forged = SyncClient(Credential(server.url, credential.desk_id, b"x" * 32, UNIT, 3), max_attempts=1)
    with pytest.raises(SyncError) as bad:
        forged.push([event])
    assert bad.value.category == AUTHENTICATION and bad.value.reason == "bad_signature"
    unknown = SyncClient(Credential(server.url, "desk-nobody", b"x" * 32, UNIT, 3), max_attempts=1)
    with pytest.raises(SyncError) as nobody:
        unknown.push([event])
    assert nobody.value.reason == "unknown_desk"
    province.revoke(credential.desk_id)
    with pytest.raises(SyncError) as revoked:
        client.push([event])
    assert revoked.value.category == AUTHENTICATION and revoked.value.reason == "revoked"
    assert count(province, "dossiers") == 0


def test_wrong_clock_is_detected(client):
    client.clock_offset = -3600  # as if this PC's clock were an hour behind, uncorrected
    with pytest.raises(SyncError) as skew:
        client.heartbeat({})
    assert skew.value.category == CLOCK
    client.ping()  # measuring the offset again corrects the signed time
    assert abs(client.clock_offset) < 5
    client.heartbeat({})


def test_malformed_and_oversized_requests(server, client, province):
    cases = [
        (b"not gzip", {"Content-Encoding": "gzip"}, 400, "bad_gzip"),
        (gzip.compress(b"{not json"), {"Content-Encoding": "gzip"}, 400, "malformed_json"),
        (gzip.compress(b'{"events": 5}'), {"Content-Encoding": "gzip"}, 400, "malformed"),
        (gzip.compress(json.dumps({"events": [{}] * 501}).encode()), {"Content-Encoding": "gzip"}, 413, "too_many_events"),
        (gzip.compress(b" " * (40 * 1024 * 1024)), {"Content-Encoding": "gzip"}, 413, "too_large"),
        (b"{}", {"Content-Encoding": "br"}, 415, "content_encoding"),
    ]
    for body, headers, status, code in cases:
        with pytest.raises(SyncError) as refused:
            client._request("POST", "/v1/events", body=body, headers=headers)
        assert refused.value.extra.get("status") == status and refused.value.reason == code, (code, refused.value)
    too_big = requests.post(server.url + "/v1/events", data=b"x" * (9 * 1024 * 1024), headers={H_PROTOCOL: PROTOCOL_VERSION}, timeout=30)
    assert too_big.status_code == 413
    [bad] = client.push([{"key": "short", "kind": "dossier.received", "dossier_code": "X", "payload": {}}])
    assert bad["status"] == "rejected" and bad["reason"] == "malformed"
    [bad] = client.push([{"key": "k" * 20, "kind": "dossier.deleted", "dossier_code": "X", "payload": {}}])
    assert bad["reason"] == "unknown_kind"
    assert count(province, "events") == 0 and count(province, "dossiers") == 0


def test_tus_offsets_checksums_and_discovery(server, client, credential, province):
    options = requests.options(server.url + "/v1/files", timeout=5)
    assert options.headers["Tus-Version"] == TUS_VERSION
    assert {"creation", "checksum"} <= set(options.headers["Tus-Extension"].split(","))
    data = os.urandom(100_000)
    sha = hashlib.sha256(data).hexdigest()
    tus = {"Tus-Resumable": TUS_VERSION}
    from sync.protocol import encode_metadata

    client._request(
        "POST",
        "/v1/files",
        headers={
            **tus,
            "Upload-Length": str(len(data)),
            "Upload-Metadata": encode_metadata({"sha256": sha}),
        },
        ok=(201,),
    )
    assert client._offset(sha) == 0
    patch = {**tus, "Content-Type": "application/offset+octet-stream"}
    chunk = data[:40_000]
    with pytest.raises(SyncError) as bad_sum:
        bad = {**patch, "Upload-Offset": "0", "Upload-Checksum": tus_checksum(b"other")}
        client._request("PATCH", f"/v1/files/{sha}", body=chunk, headers=bad, ok=(204,))
    assert bad_sum.value.extra["status"] == 460 and client._offset(sha) == 0
    good = {**patch, "Upload-Offset": "0", "Upload-Checksum": tus_checksum(chunk)}
    client._request("PATCH", f"/v1/files/{sha}", body=chunk, headers=good, ok=(204,))
    with pytest.raises(SyncError) as stale:
        client._request("PATCH", f"/v1/files/{sha}", body=chunk, headers={**patch, "Upload-Offset": "0"}, ok=(204,))
    assert stale.value.extra["status"] == 409 and stale.value.reason == "offset_mismatch"
    with pytest.raises(SyncError) as no_tus:
        client._request("HEAD", f"/v1/files/{sha}", ok=(200,))
    assert no_tus.value.extra["status"] == 412
    assert client.missing([sha]) == {sha: 40_000}
    sent = client.upload(sha, len(data), lambda: __import__("io").BytesIO(data), offset=40_000)
    assert sent == 60_000
    stored = server.data / "files" / sha[:2] / sha[2:4] / sha
    assert stored.read_bytes() == data
    # A file whose bytes do not match its name is refused and not kept.
    liar = hashlib.sha256(b"truth").hexdigest()
    with pytest.raises(SyncError) as lie:
        client.upload(liar, 5, lambda: __import__("io").BytesIO(b"lies!"))
    assert lie.value.reason == "file_rejected"
    assert client.missing([liar]) == {liar: 0}
    with pytest.raises(SyncError) as huge:
        too_long = {**tus, "Upload-Length": str(10**12), "Upload-Metadata": encode_metadata({"sha256": liar})}
        client._request("POST", "/v1/files", headers=too_long, ok=(201,))
    assert huge.value.extra["status"] == 413


def test_enrollment_codes_are_single_use(server, province):
    code = province.enroll_code(UNIT, 4)["code"]
    SyncClient(None, server_url=server.url).enroll(code)
    with pytest.raises(SyncError) as used:
        SyncClient(None, server_url=server.url).enroll(code)
    assert used.value.reason == "enroll_code_invalid" and used.value.category == AUTHENTICATION
    with pytest.raises(SyncError) as server_err:
        SyncClient(None, server_url=server.url)._request("POST", "/v1/enroll", body=b"[]", signed=False)
    assert server_err.value.category == SERVER


def test_every_refusal_says_what_is_wrong(server, client, province):
    """Province IT staff read these bodies: each one has a code and a sentence."""
    cases = [
        ("GET", "/v1/no-such-thing", {}, b"", 404, "not_found"),
        ("DELETE", "/v1/ping", {}, b"", 405, "method_not_allowed"),
        ("GET", "/v1/changes?after=x", {H_PROTOCOL: PROTOCOL_VERSION}, b"", 401, "unauthenticated"),  # who first
        ("POST", "/v1/enroll", {H_PROTOCOL: PROTOCOL_VERSION}, b"{not json", 400, "malformed_json"),
        ("POST", "/v1/enroll", {H_PROTOCOL: PROTOCOL_VERSION}, b'{"code": "AAAA-BBBB"}', 403, "enroll_code_invalid"),
        ("POST", "/v1/events", {}, b"{}", 400, "protocol_version_missing"),
    ]
    for method, path, headers, body, status, code in cases:
        answer = requests.request(method, server.url + path, headers=headers, data=body or None, timeout=10)
        data = answer.json()
        assert answer.status_code == status and data["error"] == code, (path, answer.status_code, data)
        assert isinstance(data.get("detail"), str) and len(data["detail"]) > 8, (path, data)
    with pytest.raises(SyncError) as malformed:  # a desk's malformed parameter is named
        client._request("GET", "/v1/changes?after=x")
    assert malformed.value.extra["status"] == 400 and malformed.value.reason == "malformed"
    assert "after" in malformed.value.detail
    # The desk shows its own (translatable) words for them, not the server's English.
    from desk_app.i18n import Translator

    with pytest.raises(SyncError) as refused:
        client._request("GET", "/v1/no-such-thing")
    assert refused.value.translated(Translator("vi")).startswith("Địa chỉ này không phải máy chủ đồng bộ tỉnh")
    assert count(province, "events") == 0


def test_server_help_is_clear():
    import subprocess
    import sys

    from tests.conftest import ROOT

    done = subprocess.run([sys.executable, "-m", "sync.server", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    for words in ("serve", "enroll-code", "import-bundle", "desk enroll --server", "COMMAND --help"):
        assert words in done.stdout, words
    done = subprocess.run([sys.executable, "-m", "sync.server", "serve", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "default: 8080" in done.stdout and "--database-url URL" in done.stdout

"""tus 1.0 to the letter (docs/sync-protocol.md section 3), checked two ways against a real
server process on loopback:

* the independent client tuspy uploads through the server, each of its requests signed by a
  ``requests.Session.send`` hook (tuspy calls ``requests.post/patch/head``, each of which
  runs one Session): a file over 9 MB in one PATCH, in chunks with checksums, and resumed
  after the connection is cut mid-PATCH;
* raw requests for each header rule: ``Tus-Resumable`` on every answer (errors included),
  ``Tus-Version`` on 412, ``X-HTTP-Method-Override``, and the bytes of a cut PATCH kept with
  the whole file's SHA-256 checked at the end.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import time
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from tusclient import client as tus_client
from tusclient.uploader import Uploader

from sync.client import Credential, SyncClient
from sync.protocol import (
    H_PROTOCOL,
    PROTOCOL_VERSION,
    SIGNED_HEADERS,
    TUS_VERSION,
    auth_headers,
    encode_metadata,
    tus_checksum,
)
from tests.sync.conftest import UNIT
from tests.sync.faultproxy import FaultPlan, FaultProxy

OCTETS = "application/offset+octet-stream"
# What the HTTP server (uvicorn) had read from the socket but not yet handed to the app when
# the connection closed is dropped with the connection: at most its 64 KiB read buffer.
SERVER_BUFFER = 64 * 1024


class DeskSigner:
    """Signs a prepared request as the desk would (docs/sync-protocol.md section 2): the
    method it acts as (an ``X-HTTP-Method-Override`` included), path, time, a fresh nonce,
    the body's SHA-256 and the tus headers. Keeps what it signed, for the assertions."""

    def __init__(self, credential: Credential):
        self.credential = credential
        self.sent: list[tuple[str, str, dict[str, str], int]] = []
        self.enabled = True

    def headers(self, method: str, path: str, body: bytes, extra: dict[str, str]) -> dict[str, str]:
        return auth_headers(self.credential.secret, self.credential.desk_id, method, path, body, extra)

    def __call__(self, prepared: requests.PreparedRequest) -> None:
        if not self.enabled:
            return
        body = prepared.body or b""
        body = body.encode() if isinstance(body, str) else body
        assert isinstance(body, bytes)
        parts = urlsplit(prepared.url or "")
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        method = prepared.headers.get("X-HTTP-Method-Override", prepared.method or "")
        tus = {name: prepared.headers[name] for name in SIGNED_HEADERS if name in prepared.headers}
        prepared.headers.update(self.headers(method, path, body, tus))
        self.sent.append((method, path, tus, len(body)))


@pytest.fixture
def desk(server, province) -> Iterator[SyncClient]:
    code = province.enroll_code(UNIT, 3)["code"]
    client = SyncClient(SyncClient(None, server_url=server.url).enroll(code), max_attempts=1, timeout=30)
    yield client
    client.close()


@pytest.fixture
def signer(desk, monkeypatch) -> DeskSigner:
    """Every ``requests`` call in the test is signed on its way out (tuspy's included)."""
    signing = DeskSigner(desk.credential)
    send = requests.Session.send

    def signed_send(session: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        signing(request)
        return send(session, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", signed_send)
    return signing


class Sha256Uploader(Uploader):
    """tuspy with ``Upload-Checksum: sha256`` (its default algorithm is sha1)."""

    CHECKSUM_ALGORITHM_PAIR = ("sha256", hashlib.sha256)


def stored(server, data: bytes) -> bytes | None:
    sha = hashlib.sha256(data).hexdigest()
    path = server.data / "files" / sha[:2] / sha[2:4] / sha
    return path.read_bytes() if path.exists() else None


def patches(signer: DeskSigner) -> list[tuple[int, int]]:
    """(Upload-Offset, body bytes) of each PATCH sent."""
    return [(int(tus["Upload-Offset"]), size) for method, _, tus, size in signer.sent if method == "PATCH"]


# --- tuspy ----------------------------------------------------------------------------------

def test_tuspy_sends_a_file_over_9_mb_in_one_patch(server, signer):
    data = os.urandom(9 * 1024 * 1024 + 123_457)  # more than the old 8 MiB per-request cap
    sha = hashlib.sha256(data).hexdigest()
    client = tus_client.TusClient(server.url + "/v1/files")
    uploader = client.uploader(file_stream=BytesIO(data), metadata={"sha256": sha})  # tuspy's defaults: one PATCH
    uploader.upload()
    assert patches(signer) == [(0, len(data))]
    assert stored(server, data) == data


@pytest.mark.parametrize("algorithm", ["sha1", "sha256"])
def test_tuspy_sends_a_file_in_chunks_with_checksums(server, signer, algorithm):
    data = os.urandom(3 * 1024 * 1024 + 5)
    sha = hashlib.sha256(data).hexdigest()
    client = tus_client.TusClient(server.url + "/v1/files")
    kind = Sha256Uploader if algorithm == "sha256" else Uploader
    uploader = kind(file_stream=BytesIO(data), client=client, chunk_size=1024 * 1024, metadata={"sha256": sha}, upload_checksum=True)
    uploader.upload()
    assert [offset for offset, _ in patches(signer)] == [0, 1024 * 1024, 2 * 1024 * 1024, 3 * 1024 * 1024]
    assert stored(server, data) == data


def test_tuspy_resumes_after_a_cut_and_the_bytes_that_arrived_are_kept(server, signer):
    proxy = FaultProxy(server.port, FaultPlan())
    try:
        data = os.urandom(6 * 1024 * 1024)
        sha = hashlib.sha256(data).hexdigest()
        client = tus_client.TusClient(proxy.url + "/v1/files")
        uploader = Sha256Uploader(
            file_stream=BytesIO(data), client=client, metadata={"sha256": sha}, upload_checksum=True, retries=2, retry_delay=1,
        )
        uploader.set_url(uploader.create_url())
        proxy.plan.cut_next_up_at = 4_000_000  # the one PATCH is cut after ~4 MB of its body
        uploader.upload()
        assert proxy.stats.cuts_up == 1
    finally:
        proxy.close()
    sent = patches(signer)
    assert len(sent) == 2 and sent[0] == (0, len(data))
    resumed_at = sent[1][0]
    # Kept: what arrived before the cut (less the request's headers and the server's buffer).
    assert 4_000_000 - SERVER_BUFFER - 2_000 <= resumed_at <= 4_000_000, sent
    assert sent[1][1] == len(data) - resumed_at
    assert stored(server, data) == data


def peak_rss(server) -> int:
    """The server process's peak resident memory so far (bytes, Linux /proc)."""
    status = Path(f"/proc/{server.proc.pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) * 1024  # type: ignore[union-attr]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the server's peak memory from /proc")
@pytest.mark.parametrize("checksum", [False, True], ids=["signature-after-body", "signature-before-body"])
def test_a_large_patch_is_streamed_in_bounded_memory(server, signer, checksum):
    warm = os.urandom(5 * 1024 * 1024)  # one full piece through first: the baseline includes it
    sha = create(server, signer, warm)
    first = tus_request(server, signer, "PATCH", f"/v1/files/{sha}", warm, **{"Upload-Offset": "0", "Content-Type": OCTETS})
    assert first.status_code == 204
    data = os.urandom(96 * 1024 * 1024)
    sha = create(server, signer, data)
    before = peak_rss(server)
    extra = {"Upload-Checksum": tus_checksum(data)} if checksum else {}
    answer = tus_request(server, signer, "PATCH", f"/v1/files/{sha}", data, **{"Upload-Offset": "0", "Content-Type": OCTETS, **extra})
    assert answer.status_code == 204 and answer.headers["Upload-Offset"] == str(len(data))
    grown = peak_rss(server) - before
    assert grown < 32 * 1024 * 1024, f"the server's peak memory grew by {grown / 2**20:.0f} MiB for a 96 MiB body"
    assert stored(server, data) == data


# --- raw requests ---------------------------------------------------------------------------

def tus_request(server, signer: DeskSigner, method: str, path: str, body: bytes = b"", **extra: str) -> requests.Response:
    """One tus request through ``requests`` (the session hook signs it)."""
    headers = {"Tus-Resumable": TUS_VERSION, **extra}
    return requests.request(method, server.url + path, data=body or None, headers=headers, timeout=30)


def create(server, signer: DeskSigner, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    creation = {"Upload-Length": str(len(data)), "Upload-Metadata": encode_metadata({"sha256": sha})}
    answer = tus_request(server, signer, "POST", "/v1/files", b"", **creation)
    assert answer.status_code == 201, answer.text
    return sha


def test_every_tus_answer_carries_tus_resumable_errors_included(server, signer):
    sha = create(server, signer, b"0123456789")
    meta = {"Upload-Metadata": encode_metadata({"sha256": sha})}
    signer.enabled = False
    tus_only = {"Tus-Resumable": TUS_VERSION, H_PROTOCOL: PROTOCOL_VERSION}
    unsigned = requests.head(server.url + f"/v1/files/{sha}", headers=tus_only, timeout=5)
    signer.enabled = True
    cases = [
        (tus_request(server, signer, "POST", "/v1/files", **{"Upload-Length": "1e3", **meta}), 400),
        (unsigned, 401),
        (tus_request(server, signer, "HEAD", "/v1/files/" + "0" * 64), 404),
        (tus_request(server, signer, "PATCH", "/v1/files/" + "0" * 64, b"x", **{"Upload-Offset": "0", "Content-Type": OCTETS}), 404),
        (tus_request(server, signer, "POST", "/v1/files", **{"Upload-Length": str(10**12), **meta}), 413),
        (tus_request(server, signer, "PATCH", f"/v1/files/{sha}", b"x" * 11, **{"Upload-Offset": "0", "Content-Type": OCTETS}), 413),
        (tus_request(server, signer, "PATCH", f"/v1/files/{sha}", b"x", **{"Upload-Offset": "0", "Content-Type": "text/plain"}), 415),
        (tus_request(server, signer, "PATCH", f"/v1/files/{sha}", b"x", **{"Upload-Offset": "5", "Content-Type": OCTETS}), 409),
        (tus_request(server, signer, "HEAD", f"/v1/files/{sha}"), 200),
        (tus_request(server, signer, "GET", f"/v1/files/{sha}"), 405),
    ]
    for answer, status in cases:
        assert answer.status_code == status, (status, answer.text)
        assert answer.headers.get("Tus-Resumable") == TUS_VERSION, (status, dict(answer.headers))


def test_412_names_the_supported_versions(server, signer):
    answer = tus_request(server, signer, "HEAD", "/v1/files/" + "0" * 64, **{"Tus-Resumable": "0.2.2"})
    assert answer.status_code == 412
    assert answer.headers.get("Tus-Version") == TUS_VERSION and answer.headers.get("Tus-Resumable") == TUS_VERSION


def test_x_http_method_override_turns_a_post_into_patch_and_head(server, signer):
    data = os.urandom(50_000)
    sha = create(server, signer, data)
    override = {"X-HTTP-Method-Override": "PATCH", "Upload-Offset": "0", "Content-Type": OCTETS}
    override["Upload-Checksum"] = tus_checksum(data[:20_000])
    answer = tus_request(server, signer, "POST", f"/v1/files/{sha}", data[:20_000], **override)
    assert answer.status_code == 204 and answer.headers["Upload-Offset"] == "20000", answer.text
    head = tus_request(server, signer, "POST", f"/v1/files/{sha}", **{"X-HTTP-Method-Override": "HEAD"})
    assert head.status_code == 200 and head.headers["Upload-Offset"] == "20000" and head.headers["Upload-Length"] == "50000"
    # The signature covers the method the request acts as: a PATCH signed as POST is refused.
    plain = {"Upload-Offset": "20000", "Content-Type": OCTETS}
    body = data[20_000:]
    headers = {"Tus-Resumable": TUS_VERSION, "X-HTTP-Method-Override": "PATCH", **plain}
    headers.update(signer.headers("POST", f"/v1/files/{sha}", body, plain))
    status = raw_http(server, "POST", f"/v1/files/{sha}", headers, body)
    assert status.startswith("HTTP/1.1 401"), status
    answer = tus_request(server, signer, "POST", f"/v1/files/{sha}", body, **{"X-HTTP-Method-Override": "PATCH", **plain})
    assert answer.status_code == 204 and answer.headers["Upload-Offset"] == "50000"
    assert stored(server, data) == data


def raw_http(server, method: str, path: str, headers: dict[str, str], body: bytes, *, send: int | None = None) -> str:
    """Send a request on a plain socket (``send`` bytes of the body only, then close without
    reading: a cut) and return the status line ('' after a cut)."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{server.port}", f"Content-Length: {len(body)}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        conn.sendall(body[:send] if send is not None else body)
        if send is not None:
            return ""
        return conn.makefile("rb").readline().decode("latin-1").strip()


def wait_for_offset(server, signer: DeskSigner, sha: str) -> int:
    """The upload's offset once it moved (a cut body is committed when the server sees the cut)."""
    deadline = time.monotonic() + 10
    while True:
        head = tus_request(server, signer, "HEAD", f"/v1/files/{sha}")
        if (head.status_code == 200 and int(head.headers["Upload-Offset"])) or time.monotonic() > deadline:
            return int(head.headers.get("Upload-Offset", -1))
        time.sleep(0.05)


def cut_patch(server, signer: DeskSigner, sha: str, offset: int, chunk: bytes, arrive: int, checksum_of: bytes | None = None) -> None:
    tus = {"Upload-Offset": str(offset)}
    headers = {"Tus-Resumable": TUS_VERSION, "Content-Type": OCTETS, **tus, **signer.headers("PATCH", f"/v1/files/{sha}", chunk, tus)}
    headers["Upload-Checksum"] = tus_checksum(checksum_of if checksum_of is not None else chunk)
    raw_http(server, "PATCH", f"/v1/files/{sha}", headers, chunk, send=arrive)


def test_a_cut_patch_keeps_the_bytes_that_arrived(server, signer):
    data = os.urandom(2 * 1024 * 1024)
    sha = create(server, signer, data)
    cut_patch(server, signer, sha, 0, data, arrive=700_001)
    kept = wait_for_offset(server, signer, sha)
    assert 700_001 - SERVER_BUFFER <= kept <= 700_001  # what reached the server
    answer = tus_request(server, signer, "PATCH", f"/v1/files/{sha}", data[kept:], **{"Upload-Offset": str(kept), "Content-Type": OCTETS})
    assert answer.status_code == 204 and answer.headers["Upload-Offset"] == str(len(data))
    assert stored(server, data) == data


def test_kept_bytes_that_were_wrong_fail_the_whole_file_hash(server, signer):
    data = os.urandom(1024 * 1024)
    sha = create(server, signer, data)
    wrong = bytes(b ^ 0xFF for b in data[:300_000]) + data[300_000:]
    cut_patch(server, signer, sha, 0, wrong, arrive=300_000, checksum_of=wrong)  # signed as sent, cut
    kept = wait_for_offset(server, signer, sha)
    assert 300_000 - SERVER_BUFFER <= kept <= 300_000
    answer = tus_request(server, signer, "PATCH", f"/v1/files/{sha}", data[kept:], **{"Upload-Offset": str(kept), "Content-Type": OCTETS})
    assert answer.status_code == 460 and answer.json()["error"] == "file_hash_mismatch"
    assert stored(server, data) is None
    assert tus_request(server, signer, "HEAD", f"/v1/files/{sha}").status_code == 404  # discarded: start again


def test_a_cut_patch_whose_signature_needs_the_whole_body_keeps_nothing(server, signer):
    data = os.urandom(1024 * 1024)
    sha = create(server, signer, data)
    tus = {"Upload-Offset": "0"}
    headers = {"Tus-Resumable": TUS_VERSION, "Content-Type": OCTETS, **tus, **signer.headers("PATCH", f"/v1/files/{sha}", data, tus)}
    raw_http(server, "PATCH", f"/v1/files/{sha}", headers, data, send=500_000)  # no checksum: nothing authenticates a part
    time.sleep(0.5)
    head = tus_request(server, signer, "HEAD", f"/v1/files/{sha}")
    assert head.status_code == 200 and head.headers["Upload-Offset"] == "0"

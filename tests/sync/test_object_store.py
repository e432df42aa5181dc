"""Stateless replicas: two server processes on one PostgreSQL database with their files in an
S3-compatible object store (moto's S3 server on loopback standing in for MinIO / Ceph RGW).
Consecutive requests of one upload go to different processes; the offset lives in the
database, the bytes in the bucket (docs/sync-protocol.md section 3, docs/deploy/README.md).
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from sync.client import SyncClient
from sync.errors import SyncError
from sync.protocol import TUS_VERSION, encode_metadata, tus_checksum
from sync.server.files import PIECE_BYTES
from sync.server.objectstore import ENV_URL
from sync.server.secrets_at_rest import KEY_ENV
from tests.conftest import require
from tests.sync.conftest import UNIT, ServerProcess, free_port

BUCKET = "province-files"
OCTETS = "application/offset+octet-stream"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A real S3 API server (moto's server mode) on a loopback port, for this module."""
    installed = all(importlib.util.find_spec(name) is not None for name in ("moto", "boto3"))
    require(installed, "moto[server] and boto3 not installed")
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """An empty private bucket; the credentials are in the environment the servers inherit."""
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "province-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "province-test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    s3 = boto3.client("s3", endpoint_url=s3_endpoint)
    if BUCKET in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
            s3.delete_object(Bucket=BUCKET, Key=item["Key"])
    else:
        s3.create_bucket(Bucket=BUCKET)
    return s3


@pytest.fixture
def replicas(tmp_path: Path, pg_url: str, s3_endpoint: str, bucket: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[ServerProcess]]:
    """Two server processes, each with its own (empty) data folder: everything they share is
    in PostgreSQL and the bucket. One key wraps the desks' secrets for both."""
    monkeypatch.setenv(KEY_ENV, base64.b64encode(os.urandom(32)).decode())
    store = f"s3://{BUCKET}?endpoint={s3_endpoint}"
    monkeypatch.setenv(ENV_URL, store)  # for the admin side (enrollment codes) in this process
    with __import__("psycopg").connect(pg_url, autocommit=True) as conn:  # a clean database per test
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    processes = []
    for name in ("a", "b"):
        srv = ServerProcess(tmp_path / f"srv-{name}", pg_url)
        srv.data.mkdir()
        srv.extra = ["--object-store", store]
        processes.append(srv.start())
    yield processes
    for srv in processes:
        srv.stop()


@pytest.fixture
def desks(replicas: list[ServerProcess]) -> Iterator[list[SyncClient]]:
    """One enrolled desk, with a client for each server process."""
    province = replicas[0].province()
    try:
        code = province.enroll_code(UNIT, 3)["code"]
    finally:
        province.close()
    credential = SyncClient(None, server_url=replicas[0].url).enroll(code)
    clients = [SyncClient(replace(credential, server_url=srv.url), max_attempts=1, timeout=60) for srv in replicas]
    for client in clients:
        client.ping()
    yield clients
    for client in clients:
        client.close()


def create(client: SyncClient, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    headers = {"Tus-Resumable": TUS_VERSION, "Upload-Length": str(len(data)), "Upload-Metadata": encode_metadata({"sha256": sha})}
    client._request("POST", "/v1/files", headers=headers, ok=(201,))
    return sha


def patch(client: SyncClient, sha: str, offset: int, chunk: bytes) -> int:
    headers = {"Tus-Resumable": TUS_VERSION, "Upload-Offset": str(offset), "Content-Type": OCTETS, "Upload-Checksum": tus_checksum(chunk)}
    answer = client._request("PATCH", f"/v1/files/{sha}", body=chunk, headers=headers, ok=(204,))
    return int(answer.headers["Upload-Offset"])


def objects(s3: Any, prefix: str) -> dict[str, int]:
    return {item["Key"]: item["Size"] for item in s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])}


def stored(s3: Any, sha: str) -> bytes:
    return s3.get_object(Bucket=BUCKET, Key=f"files/{sha[:2]}/{sha[2:4]}/{sha}")["Body"].read()


def test_patches_of_one_upload_alternate_between_two_processes(replicas, desks, bucket, pg_url):
    data = os.urandom(11 * 1024 * 1024 + 3)
    sha = create(desks[0], data)
    cuts = [0, 300_000, 1_000_000, 10_000_000, len(data)]  # the 9 MB one is a single PATCH
    for turn, (start, end) in enumerate(zip(cuts, cuts[1:], strict=False)):
        client = desks[turn % 2]
        assert client._offset(sha) == start  # HEAD on either process: the offset is in the database
        assert patch(client, sha, start, data[start:end]) == end
        if end < len(data):
            pieces = objects(bucket, "uploads/")
            # Each request's bytes are piece objects of at most 4 MiB under a random upload id.
            assert pieces and max(pieces.values()) <= PIECE_BYTES and sum(pieces.values()) == end
            assert all(re.fullmatch(r"uploads/[0-9a-f]{32}/[0-9]{20}-[0-9a-f]{16}", key) for key in pieces), pieces
    assert stored(bucket, sha) == data
    assert objects(bucket, "uploads/") == {}  # assembled, checked, pieces gone
    assert not any(srv.data.joinpath("files").exists() for srv in replicas)  # nothing on the processes' disks
    with __import__("psycopg").connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM uploads").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM upload_pieces").fetchone() == (0,)
    assert desks[1].missing([sha]) == {}  # both processes know the file is there


def test_two_processes_racing_on_one_offset_store_it_once(replicas, desks, bucket):
    data = os.urandom(3 * 1024 * 1024)
    sha = create(desks[0], data)
    answers: list[Any] = []

    def send(client: SyncClient) -> None:
        try:
            answers.append(patch(client, sha, 0, data[:2 * 1024 * 1024]))
        except SyncError as exc:
            answers.append(exc.reason)

    threads = [threading.Thread(target=send, args=(client,)) for client in desks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # One process moved the offset; the other found it moved (409) or came after (409).
    assert sorted(map(str, answers)) == sorted([str(2 * 1024 * 1024), "offset_mismatch"]), answers
    assert sum(objects(bucket, "uploads/").values()) == 2 * 1024 * 1024  # the loser's pieces are gone
    assert patch(desks[1], sha, 2 * 1024 * 1024, data[2 * 1024 * 1024:]) == len(data)
    assert stored(bucket, sha) == data


def test_a_desk_uploads_through_both_processes_and_the_bucket_stays_private(replicas, desks, bucket):
    pages = [os.urandom(40_000) for _ in range(3)] + [os.urandom(700_000)]
    for index, page in enumerate(pages):  # small pages whole, the big one in chunks; each through another process
        client = desks[index % 2]
        client.chunks.size = 256 * 1024
        client.upload(hashlib.sha256(page).hexdigest(), len(page), lambda page=page: __import__("io").BytesIO(page))
    for page in pages:
        assert stored(bucket, hashlib.sha256(page).hexdigest()) == page
    # The server never grants anything: no public grant on the bucket or on a file.
    grants = bucket.get_bucket_acl(Bucket=BUCKET)["Grants"]
    sha = hashlib.sha256(pages[0]).hexdigest()
    grants += bucket.get_object_acl(Bucket=BUCKET, Key=f"files/{sha[:2]}/{sha[2:4]}/{sha}")["Grants"]
    assert grants and not [g for g in grants if "URI" in g["Grantee"]], grants  # no AllUsers / AuthenticatedUsers

"""Where the server keeps file bytes: a folder on local disk (one machine, the default) or
an S3-compatible object store (MinIO or Ceph RGW in a province data centre), so any number
of server processes share the same files (docs/deploy/README.md).

The interface is small on purpose: whole objects are written once and never changed, so an
upload in progress is a set of piece objects (one or more per tus request) that
``sync.server.files.FileStore`` assembles when the last byte arrives. Keys are ASCII paths
(``files/ab/cd/<sha256>``, ``uploads/<random id>/<piece>``); the bucket stays private (no
ACLs are ever set; objects are read only through the server).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import parse_qs, urlsplit

from desk_common.fsutil import fsync_dir

KEY_RE = re.compile(r"^(?:[A-Za-z0-9_-][A-Za-z0-9_.-]*/)*[A-Za-z0-9_-][A-Za-z0-9_.-]*$")
READ_BLOCK = 1024 * 1024
ENV_URL = "SYNC_OBJECT_STORE"  # same form as --object-store


class ObjectStoreError(Exception):
    """The store refused or could not be reached (the request answers 5xx; nothing is lost:
    an upload's offset moves only after its piece is stored)."""


def check_key(key: str) -> str:
    if not KEY_RE.match(key) or ".." in key:
        raise ValueError(f"bad object key {key[:80]!r}")
    return key


class ObjectStore(Protocol):
    """What the file store needs from a place that keeps bytes."""

    description: str

    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key`` durably (replacing any object there) before returning."""

    def put_stream(self, key: str, reader: IO[bytes]) -> None:
        """Store everything ``reader`` yields under ``key``, in bounded memory."""

    def read(self, key: str) -> Iterator[bytes]:
        """The object's bytes in blocks of at most ``READ_BLOCK``."""

    def size(self, key: str) -> int | None:
        """The object's size, or None when there is no such object."""

    def rename(self, source: str, target: str) -> None:
        """Move an object (``target`` replaced; same bytes under both names meanwhile)."""

    def delete(self, keys: list[str]) -> None:
        """Remove objects (missing ones are no error)."""

    def keys(self, prefix: str) -> list[str]:
        """Keys starting with ``prefix`` (for clearing what a dead process left behind)."""


class LocalStore:
    """Objects as files under ``root`` (the key is the relative path), written then fsynced."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.description = f"file://{self.root}"

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
        fsync_dir(target.parent)

    def put_stream(self, key: str, reader: IO[bytes]) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        with open(temporary, "wb") as handle:
            shutil.copyfileobj(reader, handle, READ_BLOCK)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
        fsync_dir(target.parent)

    def read(self, key: str) -> Iterator[bytes]:
        with open(self.path(key), "rb") as handle:
            while block := handle.read(READ_BLOCK):
                yield block

    def size(self, key: str) -> int | None:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            return None

    def rename(self, source: str, target: str) -> None:
        destination = self.path(target)
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.path(source), destination)
        fsync_dir(destination.parent)

    def delete(self, keys: list[str]) -> None:
        folders = set()
        for key in keys:
            path = self.path(key)
            path.unlink(missing_ok=True)
            folders.add(path.parent)
        for folder in folders:  # an upload's folder goes with its last piece
            if folder != self.root:
                try:
                    folder.rmdir()
                except OSError:
                    pass

    def keys(self, prefix: str) -> list[str]:
        folder = self.root / prefix.rstrip("/")
        if not prefix.endswith("/") or not folder.is_dir():
            return []
        return sorted(str(p.relative_to(self.root)) for p in folder.rglob("*") if p.is_file())


class S3Store:
    """Objects in one bucket of an S3-compatible store through boto3. Credentials come from
    the environment as boto3 reads them (``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` or
    a profile), never from the URL."""

    def __init__(self, bucket: str, *, endpoint: str | None = None, region: str | None = None, prefix: str = ""):
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        config = Config(
            retries={"max_attempts": 4, "mode": "standard"},
            connect_timeout=5,
            read_timeout=60,
            s3={"addressing_style": "path"},  # MinIO and Ceph RGW without wildcard DNS
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        self.client: Any = boto3.client("s3", endpoint_url=endpoint, region_name=region or "us-east-1", config=config)
        self.description = f"s3://{bucket}/{self.prefix}" + (f" at {endpoint}" if endpoint else "")

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def _call(self, name: str, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, name)(Bucket=self.bucket, **kwargs)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                raise FileNotFoundError(kwargs.get("Key", "")) from exc
            raise ObjectStoreError(f"{name}: {exc}") from exc
        except BotoCoreError as exc:
            raise ObjectStoreError(f"{name}: {exc}") from exc

    def put(self, key: str, data: bytes) -> None:
        self._call("put_object", Key=self._key(key), Body=data)

    def put_stream(self, key: str, reader: IO[bytes]) -> None:
        from boto3.s3.transfer import TransferConfig

        # Multipart in 8 MiB parts, one at a time: memory stays bounded whatever the size.
        part = 8 * 1024 * 1024
        transfer = TransferConfig(multipart_threshold=part, multipart_chunksize=part, max_concurrency=1, use_threads=False)
        self._call("upload_fileobj", Fileobj=reader, Key=self._key(key), Config=transfer)

    def read(self, key: str) -> Iterator[bytes]:
        body = self._call("get_object", Key=self._key(key))["Body"]
        try:
            while block := body.read(READ_BLOCK):
                yield block
        finally:
            body.close()

    def size(self, key: str) -> int | None:
        try:
            return int(self._call("head_object", Key=self._key(key))["ContentLength"])
        except FileNotFoundError:
            return None

    def rename(self, source: str, target: str) -> None:
        # Server-side copy (multipart for large objects), then the source goes.
        self._call("copy", CopySource={"Bucket": self.bucket, "Key": self._key(source)}, Key=self._key(target))
        self.delete([source])

    def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):  # the API's limit per request
            batch = [{"Key": self._key(k)} for k in keys[start:start + 1000]]
            if batch:
                self._call("delete_objects", Delete={"Objects": batch, "Quiet": True})

    def keys(self, prefix: str) -> list[str]:
        found: list[str] = []
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
            found.extend(item["Key"][len(self.prefix):] for item in page.get("Contents", []))
        return found


def open_store(url: str | None, data_dir: Path) -> ObjectStore:
    """``None``/``""``: files in ``data_dir`` (one machine). ``s3://BUCKET?endpoint=URL&region=R&prefix=P``:
    an S3-compatible store (``--object-store`` or ``SYNC_OBJECT_STORE``)."""
    url = url or os.environ.get(ENV_URL, "")
    if not url:
        return LocalStore(Path(data_dir))
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError("--object-store must be s3://BUCKET?endpoint=URL (credentials from the environment)")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = set(query) - {"endpoint", "region", "prefix"}
    if unknown:
        raise ValueError(f"unknown --object-store options: {', '.join(sorted(unknown))}")
    prefix = query.get("prefix", "") or parts.path.strip("/")
    return S3Store(parts.netloc, endpoint=query.get("endpoint"), region=query.get("region"), prefix=prefix)

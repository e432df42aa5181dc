"""Desk secrets at rest on the server: wrapped (AES-256-GCM) with a server key kept apart
from the database, so a copy of the database (a dump, a backup, a read by another local
user) does not hand out the desks' HMAC keys.

The key comes from ``$SYNC_SERVER_KEY`` (base64 of 32 bytes; for several server processes
on one PostgreSQL database), else from a key file: ``--key-file``, by default beside the
data folder (``/srv/sync`` -> ``/srv/sync.key``), created 0600 on first use. Lose the key
and every desk must enroll again: back it up apart from the database (docs/security.md).

Stored form: ``aesgcm1:<base64 nonce(12) + ciphertext + tag>``, the desk id as associated
data (a wrapped secret copied onto another desk's row does not open). A plain base64
secret from before is read as is and wrapped when the server opens the database.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from desk_common.fsutil import write_atomic

KEY_ENV = "SYNC_SERVER_KEY"
PREFIX = "aesgcm1:"


class ServerKeyError(ValueError):
    """The server key is missing or unusable."""


def default_key_file(data_dir: Path) -> Path:
    data_dir = Path(data_dir).resolve()
    return data_dir.with_name(data_dir.name + ".key")


def load_key(data_dir: Path, key_file: str | Path | None = None) -> bytes:
    env = os.environ.get(KEY_ENV)
    if env and not key_file:
        key = base64.b64decode(env.encode("ascii"), validate=True)
    else:
        path = Path(key_file) if key_file else default_key_file(data_dir)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, base64.b64encode(secrets.token_bytes(32)) + b"\n", mode=0o600)
        key = base64.b64decode(path.read_bytes().strip(), validate=True)
    if len(key) != 32:
        raise ServerKeyError("the server key must be 32 bytes (base64)")
    return key


class SecretSealer:
    def __init__(self, key: bytes):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self._aead = AESGCM(key)

    def wrap(self, secret: bytes, desk_id: str) -> str:
        nonce = secrets.token_bytes(12)
        sealed = self._aead.encrypt(nonce, secret, desk_id.encode("utf-8"))
        return PREFIX + base64.b64encode(nonce + sealed).decode("ascii")

    def unwrap(self, stored: str, desk_id: str) -> bytes:
        if not stored.startswith(PREFIX):  # written before wrapping existed
            return base64.b64decode(stored.encode("ascii"), validate=True)
        raw = base64.b64decode(stored[len(PREFIX):].encode("ascii"), validate=True)
        return self._aead.decrypt(raw[:12], raw[12:], desk_id.encode("utf-8"))

    @staticmethod
    def is_wrapped(stored: str) -> bool:
        return stored.startswith(PREFIX)

"""Encrypting USB bundles to the province: names and ID numbers on a USB stick are
readable by nobody but the provincial server.

One X25519 key pair per server, the private half derived from the server key kept apart from
its database (sync/server/secrets_at_rest.py); the public half reaches the desk at enrollment
(signed ``GET /v1/desk`` answer) and with every heartbeat answer, or from a file
(``desk export-bundle --province-key FILE``, written by the server's ``bundle-key``).
A bundle holds an ephemeral public key; every entry is AES-256-GCM under
HKDF-SHA256(X25519(ephemeral, province), salt = ephemeral || province public key), with a fresh
nonce and the entry's name as associated data (an entry cannot be swapped for another).
The desk still signs the plaintext manifest with its own key (sync/bundle.py).
"""

from __future__ import annotations

import base64
import hashlib
import os
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ALGORITHM = "X25519-HKDF-SHA256-AES256GCM"
INFO = b"desk-sync-bundle v2"


def private_key_from_server_key(server_key: bytes) -> X25519PrivateKey:
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"desk-bundle-x25519").derive(server_key)
    return X25519PrivateKey.from_private_bytes(seed)


def public_bytes(key: X25519PrivateKey | X25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, X25519PrivateKey) else key
    return public.public_bytes_raw()


def encode_public(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def decode_public(text: str | bytes) -> bytes:
    """A province public key as given (base64 of 32 bytes, whitespace ignored); ValueError else."""
    if isinstance(text, bytes):
        text = text.decode("ascii", errors="replace")
    try:
        raw = base64.b64decode("".join(text.split()).encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise ValueError("not base64") from exc
    if len(raw) != 32:
        raise ValueError("an X25519 public key is 32 bytes")
    return raw


def key_id(public: bytes) -> str:
    return hashlib.sha256(public).hexdigest()[:16]


def _aead(shared: bytes, ephemeral: bytes, recipient: bytes) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral + recipient, info=INFO).derive(shared)
    return AESGCM(key)


class Sealer:
    """The desk's side: one ephemeral key per bundle."""

    def __init__(self, recipient: bytes):
        ephemeral = X25519PrivateKey.generate()
        self.ephemeral = public_bytes(ephemeral)
        self.recipient = recipient
        self._aead = _aead(ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient)), self.ephemeral, recipient)

    def envelope(self) -> dict[str, str]:
        return {"alg": ALGORITHM, "ephemeral": encode_public(self.ephemeral), "recipient": key_id(self.recipient)}

    def seal(self, name: str, data: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, data, name.encode("utf-8"))


class Opener:
    """The server's side. ``open`` raises ``cryptography.exceptions.InvalidTag`` on anything
    altered or sealed to another key."""

    def __init__(self, private: X25519PrivateKey, envelope: dict[str, Any]):
        if envelope.get("alg") != ALGORITHM:
            raise ValueError(f"unknown algorithm {envelope.get('alg')!r}")
        mine = public_bytes(private)
        if envelope.get("recipient") != key_id(mine):
            raise ValueError("sealed to another province key")
        ephemeral = decode_public(str(envelope.get("ephemeral", "")))
        self._aead = _aead(private.exchange(X25519PublicKey.from_public_bytes(ephemeral)), ephemeral, mine)

    def open(self, name: str, sealed: bytes) -> bytes:
        return self._aead.decrypt(sealed[:12], sealed[12:], name.encode("utf-8"))

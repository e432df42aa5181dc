"""The desk pins the provincial server's TLS key (docs/security.md, "on-path attacker").

At enrollment the desk connects with ordinary certificate checks (the system's CAs, or the
province's CA file) or with a pin the province gave out of band (``desk enroll --pin``),
and keeps the SHA-256 of the server's public key (SubjectPublicKeyInfo, so a renewed
certificate on the same key still matches). Every later connection is checked against
that pin by ``PinningAdapter``, whatever CA signed the certificate: a man in the middle
with a certificate some CA trusts is refused. Standard ``requests``/``urllib3`` plus
``cryptography`` for reading the key out of the certificate.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import ssl
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPSConnection
from urllib3.connectionpool import HTTPSConnectionPool
from urllib3.util.ssltransport import SSLTransport

PIN_PREFIX = "sha256/"


class PinMismatch(ssl.SSLError):
    """The server's key is not the one pinned at enrollment."""


def spki_pin(der_certificate: bytes) -> str:
    """``sha256/<hex>`` of the certificate's SubjectPublicKeyInfo."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = x509.load_der_x509_certificate(der_certificate).public_key()
    spki = key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return PIN_PREFIX + hashlib.sha256(spki).hexdigest()


def normalize_pin(value: str) -> str:
    """Accept ``sha256/<hex>``, bare hex, or hex with colons (as openssl prints it)."""
    text = (value or "").strip().lower().removeprefix(PIN_PREFIX).replace(":", "")
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise ValueError("a pin is the SHA-256 of the server's public key: 64 hex digits")
    return PIN_PREFIX + text


def is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class PinningAdapter(HTTPAdapter):
    """HTTPS with the server key checked on every new connection. With ``pin`` set, a
    different key is refused (``PinMismatch``, before any byte of the request is sent);
    ``seen`` receives the pin of every key met (enrollment records it)."""

    def __init__(self, pin: str | None, seen: Callable[[str], None] | None = None, **kwargs: Any):
        self.pin = pin
        self.seen = seen
        super().__init__(**kwargs)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block=block, **pool_kwargs)
        adapter = self

        class PinnedConnection(HTTPSConnection):
            def connect(self) -> None:
                super().connect()
                sock = self.sock  # an SSLSocket, or an SSLTransport for TLS through an HTTPS proxy
                der = sock.getpeercert(binary_form=True) if isinstance(sock, ssl.SSLSocket | SSLTransport) else None
                found = spki_pin(der) if der else ""
                if adapter.seen is not None and found:
                    adapter.seen(found)
                if adapter.pin and not hmac.compare_digest(found, adapter.pin):
                    self.close()
                    raise PinMismatch(f"server key {found or 'none'} is not the pinned {adapter.pin}")

        class PinnedPool(HTTPSConnectionPool):
            ConnectionCls = PinnedConnection

        self.poolmanager.pool_classes_by_scheme = {**self.poolmanager.pool_classes_by_scheme, "https": PinnedPool}
        self.poolmanager.key_fn_by_scheme = dict(self.poolmanager.key_fn_by_scheme)

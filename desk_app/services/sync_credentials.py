"""The desk's sync credential: where its secret is kept (``CredentialVault``) and how the
service finds it again (``DeskCredentials``). No Qt.

Thread model: ``DeskCredentials`` uses the ``SyncStore`` it is given, so it runs on the thread
that owns that store (see desk_app.services.sync_service).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from types import ModuleType
from typing import Any

from desk_app.domain.errors import NotFoundError
from desk_app.store.sync_store import SyncStore
from desk_common.fsutil import write_atomic
from sync.client import Credential
from sync.errors import reason_message

log = logging.getLogger(__name__)


# sync_state key: ``sha256/<hex>`` of the server's public key pinned at enrollment (HTTPS).
SERVER_PIN = "server_pin"


class CredentialVault:
    """Keeps the desk's secret out of the database: in the OS keyring when there is a real
    one, else in ``<data>/sync-credential.json`` readable by this user only (mode 0600)."""

    SERVICE = "desk-app-sync"
    FILENAME = "sync-credential.json"

    def __init__(self, data_dir: Path, *, use_keyring: bool | None = None):
        self.data_dir = Path(data_dir)
        if use_keyring is None:
            use_keyring = os.environ.get("DESK_SYNC_KEYRING", "auto") != "off"
        self.use_keyring = use_keyring

    def _keyring(self) -> ModuleType | None:
        """The keyring module when this machine has a usable backend, else None."""
        if not self.use_keyring:
            return None
        try:
            import keyring

            backend = keyring.get_keyring()
            return keyring if getattr(backend, "priority", 0) > 0 else None
        except Exception:  # no usable backend on this machine
            return None

    @staticmethod
    def _user(meta: dict[str, Any]) -> str:
        return f"{meta['desk_id']}@{meta['server_url']}"

    def save(self, meta: dict[str, Any], secret: bytes) -> str:
        ring = self._keyring()
        if ring is not None:
            try:
                ring.set_password(self.SERVICE, self._user(meta), secret.hex())
                return "keyring"
            except Exception as exc:  # a locked or broken keyring: fall back to the protected file
                log.warning("keyring refused the sync secret (%s); kept in the protected file instead", type(exc).__name__)
        path = self.data_dir / self.FILENAME
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # Never readable by others, not even for a moment: mkstemp creates the file 0600.
        raw = json.dumps({"desk_id": meta["desk_id"], "secret": secret.hex()}).encode("utf-8")
        write_atomic(path, raw, prefix=".cred-", mode=0o600, sync_dir=False)
        return "file"

    def load(self, meta: dict[str, Any]) -> bytes | None:
        if meta["storage"] == "keyring":
            ring = self._keyring()
            try:
                value = ring.get_password(self.SERVICE, self._user(meta)) if ring else None
            except Exception as exc:  # a locked keyring: the status asks to enrol again
                log.warning("keyring did not give the sync secret back (%s)", type(exc).__name__)
                value = None
            return bytes.fromhex(value) if value else None
        try:
            data = json.loads((self.data_dir / self.FILENAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return bytes.fromhex(data["secret"]) if data.get("desk_id") == meta["desk_id"] else None


class DeskCredentials:
    """The desk's credential: public part in the database (``SyncStore``), secret in the
    ``CredentialVault``, the secret cached after the first read (receipt tags are made often)."""

    def __init__(self, store: SyncStore, vault: CredentialVault):
        self.store = store
        self.vault = vault
        self._secret_cache: tuple[str, bytes] | None = None

    def current(self) -> Credential | None:
        """None before enrollment; NotFoundError when enrolled but the secret is gone."""
        meta = self.store.credential_meta()
        if meta is None:
            return None
        if self._secret_cache and self._secret_cache[0] == meta["desk_id"]:
            secret = self._secret_cache[1]
        else:
            loaded = self.vault.load(meta)
            if loaded is None:
                raise NotFoundError(reason_message("credential_missing"))
            secret = loaded
            self._secret_cache = (meta["desk_id"], secret)
        pin = self.store.state(SERVER_PIN) or ""
        return Credential(meta["server_url"], meta["desk_id"], secret, meta["unit_code"], int(meta["desk"]), pin)

    def require(self) -> Credential:
        credential = self.current()
        if credential is None:
            raise NotFoundError(reason_message("not_enrolled"))
        return credential

    def save(self, meta: dict[str, Any], secret: bytes, *, pin: str = "") -> str:
        """Keep a new credential (secret in the vault, the rest in the database, the server's
        key pin in the sync state); returns where the secret went: ``keyring`` or ``file``."""
        storage = self.vault.save(meta, secret)
        self.store.save_credential_meta(**meta, storage=storage)
        self.store.set_state(**{SERVER_PIN: pin or None})
        self._secret_cache = (meta["desk_id"], secret)
        return storage

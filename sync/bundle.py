"""USB bundles: a desk's pending records and their files in one signed zip file, for
communes without any signal. The province imports it through the same idempotent path as
the online push (``sync.server.records``), so importing a bundle twice changes nothing.

Layout: ``manifest.json`` (desk, records, file list), ``signature`` (HMAC of the manifest
with the desk's key), ``files/<sha256>`` (each checked against its name on import).
Encrypted to the province (sync/bundle_crypto.py): ``envelope.json`` in clear, and
``manifest.json`` and every ``files/<sha256>`` sealed; the signature is over the plaintext
manifest. A plain bundle (no envelope) is what desks before issue 12 wrote.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from desk_common.fsutil import CHUNK, fsync_dir
from sync.bundle_crypto import Opener, Sealer
from sync.protocol import BUNDLE_PROTOCOL, bundle_signature, is_sha256

FORMAT = "desk-sync-bundle"
MAX_MANIFEST = 64 * 1024 * 1024
ENVELOPE = "envelope.json"


class BundleError(Exception):
    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def write_bundle(
    out: Path,
    *,
    secret: bytes,
    desk: dict[str, Any],
    events: list[dict[str, Any]],
    files: Iterable[str],
    open_file: Callable[[str], Any],
    created_at: str,
    recipient: bytes | None = None,
) -> dict[str, Any]:
    """Write atomically (temp file + rename): a half-written bundle never has the final name.
    With ``recipient`` (the province's X25519 public key) the content is sealed to it."""
    sealer = Sealer(recipient) if recipient else None
    files = list(dict.fromkeys(files))
    manifest = {
        "format": FORMAT,
        "protocol": BUNDLE_PROTOCOL,
        "desk_id": desk["desk_id"],
        "unit_code": desk["unit_code"],
        "desk": desk["desk"],
        "created_at": created_at,
        "events": events,
        "files": files,
    }
    raw = json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode("utf-8")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".bundle-", dir=out.parent)
    os.close(fd)
    total = 0
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            if sealer:
                archive.writestr(ENVELOPE, json.dumps(sealer.envelope()))
            archive.writestr("manifest.json", sealer.seal("manifest.json", raw) if sealer else raw)
            archive.writestr("signature", bundle_signature(secret, raw))
            for sha in files:
                if sealer:  # one page file at a time in memory (a few MB at most)
                    with open_file(sha) as src:
                        data = src.read()
                    total += len(data)
                    archive.writestr(f"files/{sha}", sealer.seal(f"files/{sha}", data))
                    continue
                with open_file(sha) as src, archive.open(f"files/{sha}", "w", force_zip64=True) as dst:
                    for block in iter(lambda: src.read(CHUNK), b""):
                        dst.write(block)
                        total += len(block)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(out.parent)  # the rename too must survive a power cut (as ``write_atomic``)
    return {"records": len(events), "files": len(files), "file_bytes": total, "bytes": out.stat().st_size}


def _opener(archive: zipfile.ZipFile, private_key: X25519PrivateKey | None, allow_plain: bool) -> Opener | None:
    """The way to open a sealed bundle's entries; None for a plain one (if allowed)."""
    if ENVELOPE not in archive.namelist():
        if not allow_plain:
            raise BundleError("plain_bundle", "not encrypted to the province (a desk before issue 12)")
        return None
    if private_key is None:
        raise BundleError("encrypted", "no province key to open it")
    try:
        if archive.getinfo(ENVELOPE).file_size > 4096:
            raise ValueError("envelope too large")
        return Opener(private_key, json.loads(archive.read(ENVELOPE)))
    except (ValueError, TypeError, AttributeError) as exc:
        raise BundleError("bad_encryption", str(exc)) from exc


def _open(opener: Opener | None, name: str, data: bytes) -> bytes:
    if opener is None:
        return data
    try:
        return opener.open(name, data)
    except InvalidTag as exc:
        raise BundleError("bad_encryption", f"{name} was altered or sealed to another key") from exc


def read_manifest(
    path: Path, private_key: X25519PrivateKey | None = None, *, allow_plain: bool = True
) -> tuple[dict[str, Any], bytes, str]:
    """(manifest, its raw bytes, signature). Checks the shape only; the caller checks the
    signature with the key of the desk named inside. A sealed bundle needs ``private_key``
    (the province's X25519 key); a plain one is refused unless ``allow_plain``."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BundleError("not_a_bundle", str(exc)) from exc
    with archive:
        try:
            info = archive.getinfo("manifest.json")
            if info.file_size > MAX_MANIFEST:
                raise BundleError("too_large", "manifest")
            opener = _opener(archive, private_key, allow_plain)
            raw = _open(opener, "manifest.json", archive.read("manifest.json"))
            signature = archive.read("signature").decode("ascii").strip()
        except KeyError as exc:
            raise BundleError("not_a_bundle", str(exc)) from exc
    try:
        manifest = json.loads(raw)
    except ValueError as exc:
        raise BundleError("not_a_bundle", str(exc)) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleError("not_a_bundle", "format")
    if manifest.get("protocol") != BUNDLE_PROTOCOL:
        raise BundleError("protocol_version", str(manifest.get("protocol")))
    if not isinstance(manifest.get("events"), list) or not isinstance(manifest.get("files"), list):
        raise BundleError("not_a_bundle", "events/files")
    if not all(is_sha256(f) for f in manifest["files"]):
        raise BundleError("not_a_bundle", "files")
    return manifest, raw, signature


def iter_bundle_files(
    path: Path, shas: list[str], max_bytes: int, private_key: X25519PrivateKey | None = None
) -> Iterator[tuple[str, bytes | None]]:
    """Yield (sha, bytes) for each listed file present in the bundle (opened when sealed);
    (sha, None) for one the bundle does not hold."""
    with zipfile.ZipFile(path) as archive:
        opener = _opener(archive, private_key, True)
        names = set(archive.namelist())
        for sha in shas:
            name = f"files/{sha}"
            if name not in names:
                yield sha, None
                continue
            if archive.getinfo(name).file_size > max_bytes:
                raise BundleError("too_large", sha)
            yield sha, _open(opener, name, archive.read(name))

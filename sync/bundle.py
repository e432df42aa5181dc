"""USB bundles: a desk's pending records and their files in one signed zip file, for
communes without any signal. The province imports it through the same idempotent path as
the online push (``sync.server.records``), so importing a bundle twice changes nothing.

Layout: ``manifest.json`` (desk, records, file list), ``signature`` (HMAC of the manifest
with the desk's key), ``files/<sha256>`` (each checked against its name on import).
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterable

from desk_common.fsutil import CHUNK, fsync_dir
from sync.protocol import BUNDLE_PROTOCOL, bundle_signature, is_sha256

FORMAT = "desk-sync-bundle"
MAX_MANIFEST = 64 * 1024 * 1024


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
) -> dict[str, Any]:
    """Write atomically (temp file + rename): a half-written bundle never has the final name."""
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
            archive.writestr("manifest.json", raw)
            archive.writestr("signature", bundle_signature(secret, raw))
            for sha in files:
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


def read_manifest(path: Path) -> tuple[dict[str, Any], bytes, str]:
    """(manifest, its raw bytes, signature). Checks the shape only; the caller checks the
    signature with the key of the desk named inside."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BundleError("not_a_bundle", str(exc)) from None
    with archive:
        try:
            info = archive.getinfo("manifest.json")
            if info.file_size > MAX_MANIFEST:
                raise BundleError("too_large", "manifest")
            raw = archive.read("manifest.json")
            signature = archive.read("signature").decode("ascii").strip()
        except KeyError as exc:
            raise BundleError("not_a_bundle", str(exc)) from None
    try:
        manifest = json.loads(raw)
    except ValueError as exc:
        raise BundleError("not_a_bundle", str(exc)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleError("not_a_bundle", "format")
    if manifest.get("protocol") != BUNDLE_PROTOCOL:
        raise BundleError("protocol_version", str(manifest.get("protocol")))
    if not isinstance(manifest.get("events"), list) or not isinstance(manifest.get("files"), list):
        raise BundleError("not_a_bundle", "events/files")
    if not all(is_sha256(f) for f in manifest["files"]):
        raise BundleError("not_a_bundle", "files")
    return manifest, raw, signature


def iter_bundle_files(path: Path, shas: list[str], max_bytes: int):
    """Yield (sha, bytes) for each listed file present in the bundle."""
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        for sha in shas:
            name = f"files/{sha}"
            if name not in names:
                yield sha, None
                continue
            if archive.getinfo(name).file_size > max_bytes:
                raise BundleError("too_large", sha)
            yield sha, archive.read(name)

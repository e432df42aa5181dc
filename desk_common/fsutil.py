"""Durable file writes and hashing, shared by the desk (blob store, printed PDFs, credential
file) and the provincial server (finished uploads, upload offsets).

In ``desk_common`` (see its __init__) so the desk's store does not import the wire package and
``sync`` imports nothing from ``desk_app`` (the server runs without it). Standard library only.
Errors are plain ``OSError``: each caller turns them into its own (``StoreError``,
``ValidationError``, an HTTP answer). Thread-safe: no shared state beyond the file system.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """SHA-256 (hex) of a file, read 1 MiB at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable."""
    if os.name == "nt":  # directories cannot be opened for fsync on Windows; NTFS journals renames
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def user_file_mode() -> int:
    """Permissions of an ordinary new file the user asked for (a PDF, an export): 0o666 less the
    process umask, as ``open()`` would give. ``write_atomic``'s temporary file starts as 0600,
    right for secrets (the sync credential) but not for files meant to be shared or opened
    by other programs."""
    if os.name == "nt":  # only the read-only bit exists there
        return 0o666
    try:  # Linux: read it without changing it (os.umask() sets it process-wide, racing threads)
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(
    path: Path,
    data: bytes | Iterable[bytes],
    *,
    prefix: str = ".tmp-",
    suffix: str = "",
    mode: int | None = None,
    sync_dir: bool = True,
) -> None:
    """Write ``data`` (bytes or chunks) to ``path`` through a temporary file in the same folder,
    fsync and rename: ``path`` holds either its old content or all of the new, never half.
    The temporary file is removed on any failure. ``mode`` sets its permissions before the
    rename (the temporary file starts as 0600); ``sync_dir`` also makes the rename durable."""
    path = Path(path)
    folder = path.parent
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in (data,) if isinstance(data, (bytes, bytearray, memoryview)) else data:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if sync_dir:
        fsync_dir(folder)

"""A private throwaway PostgreSQL 15 cluster on a loopback port (trust authentication, its
own socket folder), for the sync tests and bench/bench_province_load.py. As root the
cluster runs as the ``postgres`` user (see docs/platform.md)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def available() -> tuple[bool, str]:
    """(usable, why not)."""
    if not (PG_BIN / "initdb").exists():
        return False, "PostgreSQL 15 binaries not installed"
    if os.geteuid() == 0 and shutil.which("su") is None:
        return False, "su needed to run PostgreSQL as root"
    return True, ""


def _run(cmd: str) -> None:
    full = ["su", "postgres", "-c", cmd] if os.geteuid() == 0 else ["sh", "-c", cmd]
    subprocess.run(full, check=True, capture_output=True, timeout=60)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def throwaway_cluster(settings: str = "") -> Iterator[tuple[str, Path]]:
    """(database URL, cluster folder) of a fresh cluster, stopped and deleted afterwards.
    ``settings``: more ``-c name=value`` server options."""
    parent = Path(tempfile.mkdtemp(prefix="pgsync-"))
    os.chmod(parent, 0o755)
    data = parent / "cluster"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    port = _free_port()
    try:
        _run(f"{PG_BIN}/initdb -D {data} -U app --auth=trust -E UTF8 --locale=C.UTF-8")
        options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 {settings}".strip()
        _run(f"{PG_BIN}/pg_ctl -D {data} -l {data}/server.log -o '{options}' -w start")
        try:
            yield f"postgresql://app@127.0.0.1:{port}/postgres", data
        finally:
            _run(f"{PG_BIN}/pg_ctl -D {data} -m immediate stop")
    finally:
        shutil.rmtree(parent, ignore_errors=True)

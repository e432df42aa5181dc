"""Fixtures for sync tests: real server processes on free loopback ports, enrolled desks."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT, require

UNIT = "000.31.14.H14"
FAST_CLIENT = {"timeout": 2.0, "connect_timeout": 1.0, "backoff_base": 0.01, "backoff_cap": 0.05, "max_attempts": 3}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """``python -m sync.server serve`` in a subprocess."""

    def __init__(self, data: Path, database_url: str | None = None, *, tls: tuple[Path, Path] | None = None):
        self.data = data
        self.database_url = database_url
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.extra: list[str] = []  # more `serve` options (e.g. --desk-version)
        self.tls = tls  # (certificate, key) PEM files: serve HTTPS

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def start(self) -> ServerProcess:
        cmd = [sys.executable, "-m", "sync.server", "serve", "--data", str(self.data), "--port", str(self.port)]
        if self.database_url:
            cmd += ["--database-url", self.database_url]
        cmd += self.extra
        if self.tls:
            cmd += ["--certfile", str(self.tls[0]), "--keyfile", str(self.tls[1])]
        self.log = open(self.data.parent / f"server-{self.port}.log", "ab")  # noqa: SIM115 - the server's stdout until stop()
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {(self.data.parent / f'server-{self.port}.log').read_text()}")
            try:
                requests.get(self.url + "/v1/ping", timeout=0.5, verify=False)
                return self
            except requests.RequestException:
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def admin(self, *args: str) -> object:
        """Run an admin command of the real server CLI; returns its JSON."""
        cmd = [sys.executable, "-m", "sync.server", args[0], "--data", str(self.data), *args[1:]]
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def province(self):
        from sync.server.admin import Province

        return Province(self.data, self.database_url)


@pytest.fixture
def server(tmp_path):
    srv = ServerProcess(tmp_path / "srv")
    srv.data.mkdir()
    srv.start()
    yield srv
    srv.stop()


def enroll(ctx, server_url: str, province, *, desk: int = 3, unit: str = UNIT) -> dict:
    code = province.enroll_code(unit, desk)["code"]
    return ctx.sync.enroll(server_url, code)


@pytest.fixture
def province(server):
    p = server.province()
    yield p
    p.close()


@pytest.fixture
def enrolled(desk, server, province):
    """The shared ``desk`` fixture (desk 3 of unit 000.31.14.H14), enrolled, fast client."""
    desk.sync.vault.use_keyring = False
    desk.sync.client_options.update(FAST_CLIENT)
    enroll(desk, server.url, province)
    return desk


def add_intake(ctx, intake_json: dict, n: int = 1) -> list[str]:
    return [ctx.intake.intake(intake_json).code for _ in range(n)]


def add_pages(ctx, code: str, blobs: list[bytes]) -> list[str]:
    """What the scanning helper does: store page files, then an outbox record listing them
    (top-level "files"), in one transaction with nothing else."""
    import uuid as uuidlib

    from desk_app.store.blobs import BlobStore
    from desk_app.store.database import write_transaction

    store = BlobStore(ctx.data_dir / "files")
    shas = [store.put(b) for b in blobs]
    key = str(uuidlib.uuid4())
    with write_transaction(ctx.store.db):
        ctx.store.db.conn.execute(
            "INSERT INTO outbox (idempotency_key, kind, dossier_code, payload, created_at) VALUES (?, 'dossier.pages', ?, ?, ?)",
            (key, code, json.dumps({"dossier_code": code, "files": shas}), "2026-11-18T09:30:00+07:00"),
        )
    return shas


def server_dossiers(server) -> list[dict]:
    return server.admin("dossiers")


@pytest.fixture
def proxy(server):
    """A fault-injecting proxy in front of the server (no faults until a test plans some)."""
    from tests.sync.faultproxy import FaultProxy

    p = FaultProxy(server.port)
    yield p
    p.close()


def enrolled_desk_at(data: Path, clock, server, province):
    """A configured, enrolled desk in its own folder ``data`` (for UI tests that reopen it)."""
    from desk_app.services.context import build_services

    ctx = build_services(data, clock=clock, actor="t")
    ctx.setup.configure(unit_code=UNIT, desk=3, commune_code="01273")
    ctx.catalogue.ensure_sample()
    ctx.sync.vault.use_keyring = False
    ctx.sync.client_options.update(FAST_CLIENT)
    enroll(ctx, server.url, province)
    return ctx


def ui_sync_loop(data: Path, clock, tr):
    """The real TaskRunner, main window and sync loop (not started) for desk folder ``data``."""
    from desk_app.services.context import build_services
    from desk_app.ui.main_window import MainWindow
    from desk_app.ui.sync_status import install_sync
    from desk_app.ui.tasks import TaskRunner

    runner = TaskRunner(lambda: build_services(data, tr=tr, clock=clock))
    window = MainWindow(runner, tr)

    def factory():
        services = build_services(data, tr=tr, clock=clock)
        services.sync.client_options.update(FAST_CLIENT)
        return services

    loop = install_sync(window, runner, tr, data_dir=data, start=False)
    loop._factory = factory
    return runner, window, loop


@pytest.fixture(autouse=True)
def _no_keyring(monkeypatch):
    monkeypatch.setenv("DESK_SYNC_KEYRING", "off")


@pytest.fixture(scope="module")
def pg_url():
    """A private throwaway PostgreSQL cluster per test module (tests/pgcluster.py)."""
    from tests import pgcluster

    usable, why = pgcluster.available()
    require(usable, why)
    with pgcluster.throwaway_cluster() as (url, _folder):
        yield url

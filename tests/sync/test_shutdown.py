"""Closing the window while a sync round waits on the network: the desk process exits within
3 s, nothing is half-written, and the next start resumes the round (sync/cancel.py).

Real parts: the server process, a loopback proxy in front of it that stops answering once
the uploads begin (a link that hangs), and the desk as its own process (the real runner,
window and sync loop, production timeouts: 30 s reads, 6 attempts)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from desk_app.services.context import build_services
from sync.cancel import Cancel
from sync.client import SyncClient
from sync.errors import CANCELLED, TRANSPORT, SyncError
from tests.conftest import ROOT
from tests.sync.conftest import UNIT, add_intake, add_pages, enroll

PAGES = 24
SHUTDOWN_BOUND = 3.0


class HangingProxy:
    """Forwards to the server until a request containing ``trigger`` passes; from then on it
    swallows everything the desk sends and answers nothing (connections stay open)."""

    def __init__(self, target_port: int, trigger: bytes | None = b" /v1/files"):
        self.target_port = target_port
        self.trigger = trigger
        self.hang = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self._sockets += [client, upstream]
            threading.Thread(target=self._up, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _up(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                if self.trigger is not None and (self.hang.is_set() or self.trigger in data and b"/missing" not in data):
                    self.hang.set()
                    continue  # swallowed: the server never hears of it, the desk never gets an answer
                dst.sendall(data)
        except OSError:
            pass

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass

    def close(self) -> None:
        self.listener.close()
        for sock in self._sockets:
            sock.close()


def _silent_server() -> tuple[socket.socket, list[socket.socket]]:
    """Accepts connections and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    return listener, held


def _in_thread(call):
    outcome: dict[str, BaseException] = {}

    def run() -> None:
        try:
            call()
        except BaseException as exc:  # the outcome is what the test checks
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_cancel_cuts_a_request_the_server_never_answers():
    listener, held = _silent_server()
    cancel = Cancel()
    client = SyncClient(None, server_url=f"http://127.0.0.1:{listener.getsockname()[1]}", timeout=30, cancel=cancel)
    thread, outcome = _in_thread(lambda: client.ping(timeout=30))
    deadline = time.monotonic() + 5
    while not held and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # the request is out, the client waits in recv
    assert thread.is_alive()
    began = time.monotonic()
    cancel.set()
    thread.join(2)
    assert not thread.is_alive() and time.monotonic() - began < 1.0
    assert isinstance(outcome["error"], SyncError) and outcome["error"].reason == CANCELLED
    assert not outcome["error"].retryable
    listener.close()


def test_cancel_ends_a_backoff_wait():
    cancel = Cancel()
    client = SyncClient(None, server_url="http://127.0.0.1:9", backoff_base=20, backoff_cap=30, max_attempts=6, cancel=cancel)
    tries: list[float] = []

    def flaky() -> None:
        tries.append(time.monotonic())
        raise SyncError(TRANSPORT, "transport", "cut")

    thread, outcome = _in_thread(lambda: client.retrying(flaky))
    time.sleep(0.3)
    cancel.set()
    thread.join(2)
    assert not thread.is_alive() and len(tries) == 1
    assert outcome["error"].reason == CANCELLED


def _start_desk(data: Path) -> subprocess.Popen:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.Popen([sys.executable, "-m", "tests.sync.shutdown_driver", str(data)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_closing_during_a_hung_round_exits_within_3_s_and_the_next_start_resumes(tmp_path, server, province, clock, intake_json):
    proxy = HangingProxy(server.port)
    data = tmp_path / "desk"
    ctx = build_services(data, clock=clock, actor="t")
    ctx.setup.configure(unit_code=UNIT, desk=3, commune_code="01273")
    ctx.catalogue.ensure_sample()
    ctx.sync.vault.use_keyring = False
    enroll(ctx, proxy.url, province)
    [code] = add_intake(ctx, intake_json)
    shas = add_pages(ctx, code, [os.urandom(40_000) for _ in range(PAGES)])
    ctx.close()

    desk = _start_desk(data)
    try:
        _wait_for(proxy.hang.is_set, 60, "the round's uploads")
        time.sleep(0.5)  # the uploads wait in recv (30 s read timeout, then retries)
        assert desk.poll() is None
        began = time.monotonic()
        (data / "close.flag").touch()
        desk.wait(30)
        took = time.monotonic() - began
        out = desk.stdout.read()
    finally:
        if desk.poll() is None:
            desk.kill()
    assert desk.returncode == 0, out
    assert "shut down" in out and "Traceback" not in out, out
    print(f"\nwindow closed during a hung round: process exited after {took:.2f} s")
    assert took <= SHUTDOWN_BOUND, f"shutdown took {took:.2f} s"

    # Nothing half-written: the database is whole and the records wait for the next round.
    ctx = build_services(data, clock=clock, actor="t")
    assert ctx.store.db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    status = ctx.sync.status(ping=False)
    assert status["pending"] >= 1 and status["quarantined"] == 0
    ctx.close()
    (data / "close.flag").unlink()

    # The next start resumes the round (the link answers again) and confirms everything.
    proxy.trigger = None
    desk = _start_desk(data)
    try:
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(desk.stdout), daemon=True)
        reader.start()
        _wait_for(lambda: any("round finished" in line for line in lines), 90, "the resumed round")
        (data / "close.flag").touch()
        desk.wait(30)
    finally:
        if desk.poll() is None:
            desk.kill()
    finished = next(line for line in lines if "round finished" in line)
    assert "ok=True" in finished, "".join(lines)  # the RoundSummary's repr
    ctx = build_services(data, clock=clock, actor="t")
    status = ctx.sync.status(ping=False)
    ctx.close()
    assert status["pending"] == 0 and status["quarantined"] == 0
    on_server = [d for d in server.admin("dossiers") if d.get("code") == code]
    assert len(on_server) == 1
    proxy.close()
    assert len(set(shas)) == PAGES

"""A fault-injecting TCP proxy for sync tests (threads, loopback only).

Sits between the client and a real server process and, per connection, may cut the
connection after a random number of bytes in either direction (mid-request or
mid-response), stall it, or throttle it. Counts what it did so tests can show that the
faults really happened.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from dataclasses import dataclass, field


@dataclass
class FaultPlan:
    cut_probability: float = 0.0      # chance that a connection is cut at all
    cut_up_max: int = 200_000         # cut after uniform(0, max) bytes client -> server ...
    cut_down_max: int = 4_000         # ... or server -> client
    stall_probability: float = 0.0    # chance that a connection stalls once
    stall_seconds: float = 1.5
    throttle_bytes_per_second: float | None = None
    seed: int = 1
    cut_up_share: float = 0.5         # of the cut connections, how many are cut in the request
    cut_next_up_at: int | None = None  # deterministic: cut the next connection after N bytes up
    cut_next_down_at: int | None = None  # ... or after N bytes of its answer


@dataclass
class ProxyStats:
    connections: int = 0
    cuts_up: int = 0
    cuts_down: int = 0
    stalls: int = 0
    bytes_up: int = 0
    bytes_down: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def cuts(self) -> int:
        return self.cuts_up + self.cuts_down

    def add(self, name: str, n: int = 1) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + n)


class FaultProxy:
    def __init__(self, target_port: int, plan: FaultPlan | None = None):
        self.target_port = target_port
        self.plan = plan or FaultPlan()
        self.stats = ProxyStats()
        self.rng = random.Random(self.plan.seed)
        self._rng_lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._closing = False
        self._sockets: set[socket.socket] = set()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _random(self) -> float:
        with self._rng_lock:
            return self.rng.random()

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.stats.add("connections")
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        self._sockets.update((client, upstream))
        plan = self.plan
        cut_up = cut_down = None
        if self._random() < plan.cut_probability:
            if self._random() < plan.cut_up_share:
                cut_up = int(self._random() * plan.cut_up_max)
            else:
                cut_down = int(self._random() * plan.cut_down_max)
        if plan.cut_next_up_at is not None:
            cut_up, cut_down, plan.cut_next_up_at = plan.cut_next_up_at, None, None
        elif plan.cut_next_down_at is not None:
            cut_up, cut_down, plan.cut_next_down_at = None, plan.cut_next_down_at, None
        stall_at = None
        if self._random() < plan.stall_probability:
            stall_at = int(self._random() * 20_000)
        state = {"closed": False}

        def close_both() -> None:
            if state["closed"]:
                return
            state["closed"] = True
            for s in (client, upstream):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
                self._sockets.discard(s)

        def pump(src: socket.socket, dst: socket.socket, cut: int | None, stat: str, cut_stat: str, stall: int | None) -> None:
            moved = 0
            try:
                while True:
                    data = src.recv(16384)
                    if not data:
                        break
                    if cut is not None and moved + len(data) >= cut:
                        dst.sendall(data[: max(0, cut - moved)])
                        self.stats.add(stat, max(0, cut - moved))
                        self.stats.add(cut_stat)
                        break
                    if stall is not None and moved + len(data) >= stall:
                        self.stats.add("stalls")
                        time.sleep(plan.stall_seconds)
                        stall = None
                    if plan.throttle_bytes_per_second:
                        time.sleep(len(data) / plan.throttle_bytes_per_second)
                    dst.sendall(data)
                    moved += len(data)
                    self.stats.add(stat, len(data))
            except OSError:
                pass
            close_both()

        threading.Thread(target=pump, args=(client, upstream, cut_up, "bytes_up", "cuts_up", stall_at), daemon=True).start()
        pump(upstream, client, cut_down, "bytes_down", "cuts_down", None)

    def close(self) -> None:
        self._closing = True
        self.listener.close()
        for s in list(self._sockets):
            try:
                s.close()
            except OSError:
                pass

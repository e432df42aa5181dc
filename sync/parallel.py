"""Several file uploads at once, for links where round trips, not bandwidth, cost the time.

On a 400 ms EDGE link an 8 KB page takes ~0.3 s to transmit but ~0.8 s of round trip, so
one file after the other leaves the link idle most of the time. A few uploads in flight
(each on its own connection) keep it busy; each upload keeps its own guarantees (resumed
from the server's offset, at most one chunk re-sent after a cut).

Thread model: ``ParallelUploads.run`` is called from one thread (the sync round's), which
alone receives the results and touches the database; the uploads run on a small pool, each
worker thread with its own forked ``SyncClient`` (its own ``requests.Session``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from typing import BinaryIO

from sync.client import SyncClient
from sync.errors import SyncError

# (sha256, size, opener, offset the server holds)
UploadJob = tuple[str, int, Callable[[], BinaryIO], int]


class ParallelUploads:
    def __init__(self, client: SyncClient, workers: int = 3):
        self.client = client
        self.workers = max(1, int(workers))
        self._local = threading.local()
        self._forks: list[SyncClient] = []
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    def _worker_client(self) -> SyncClient:
        """Runs on a pool thread: that thread's own client."""
        client = getattr(self._local, "client", None)
        if client is None:
            client = self.client.fork()
            self._local.client = client
            with self._lock:
                self._forks.append(client)
        return client

    def _upload(self, sha: str, size: int, opener: Callable[[], BinaryIO], offset: int) -> int:
        return self._worker_client().upload(sha, size, opener, offset=offset)

    def run(self, jobs: list[UploadJob]) -> Iterator[tuple[str, int, SyncError | None]]:
        """Yields ``(sha, bytes sent, error or None)`` for every job, as each one ends. A
        failed upload does not stop the others."""
        if len(jobs) <= 1 or self.workers <= 1:
            for sha, size, opener, offset in jobs:
                try:
                    yield sha, self.client.upload(sha, size, opener, offset=offset), None
                except SyncError as exc:
                    yield sha, 0, exc
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="sync-upload")
        futures: dict[Future[int], str] = {self._pool.submit(self._upload, *job): job[0] for job in jobs}
        try:
            for future in as_completed(futures):
                try:
                    yield futures[future], future.result(), None
                except SyncError as exc:
                    yield futures[future], 0, exc
        finally:
            for future in futures:
                future.cancel()  # the caller stopped early: do not start the rest

    def close(self) -> None:
        """Wait for the workers, add their counters to the main client, close their sessions."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        with self._lock:
            forks, self._forks = self._forks, []
        for fork in forks:
            self.client.absorb(fork)
            fork.close()

"""The background recogniser: one daemon thread, its own services (own SQLite connection), one
page at a time, at low priority. No Qt: the app starts it, the tests drive it directly.

Why its own thread and not the UI's I/O pool: a page takes 1-3 s of Tesseract, and the pool
serves receipts and scans that the counter waits for; one niced thread with one Tesseract
thread leaves the other core to the counter. Nothing to remember between runs: pending pages
are in the database (services/ocr.py), so a restart resumes where it stopped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

IDLE_POLL_S = 5.0  # how soon pages saved by the counter are picked up
ERROR_BACKOFF_S = 60.0


class OcrWorker:
    def __init__(self, services_factory: Callable[[], Any], *, idle_poll: float = IDLE_POLL_S):
        self._factory = services_factory
        self._idle_poll = idle_poll
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.pages_done = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="ocr-worker", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """New pages were stored: look now instead of at the next poll."""
        self._wake.set()

    def shutdown(self, timeout: float = 3.0) -> bool:
        """Stops after the page in hand (its text is saved, or it stays pending). Returns whether
        the thread ended within ``timeout``; a daemon thread never holds the app's exit."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def _run(self) -> None:
        services = None
        try:
            services = self._factory()
            while not self._stop.is_set():
                delay = self._idle_poll
                try:
                    if services.ocr.enabled():
                        done = services.ocr.run_pending(max_pages=1, should_stop=self._stop.is_set)
                        self.pages_done += done["pages"]
                        if done["pages"] or done["failed"]:
                            delay = 0.0
                except Exception:  # logged, then retried later: recognition is never urgent
                    log.exception("page recognition failed; retrying in %s s", ERROR_BACKOFF_S)
                    delay = ERROR_BACKOFF_S
                if delay:
                    self._wake.wait(delay)
                    self._wake.clear()
        except Exception:
            log.exception("the page recogniser could not start")
        finally:
            if services is not None:
                services.close()

"""Work the scan dialog runs off the UI thread: listing devices, scanning, importing files and
rotating pages on ``TaskRunner.io``; saving on the DB thread (``save_pages``).

Each processed page and each progress step goes back through ``PageBridge``, whose signals are
queued to the UI thread, so the window never waits on the scanner or the disk.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from desk_app.domain.errors import DeskError
from desk_app.scanning.sources import ScannerBackend, ScanSettings, backend_for
from desk_app.ui.scan.page_list import THUMB

if TYPE_CHECKING:  # the pipeline and pages pull in numpy and Pillow: loaded on the I/O pool, when scanning
    from desk_app.scanning.page import ProcessedPage
    from desk_app.services.context import DeskServices

NEW = -1  # page_ready target: append a new page


def thumbnail(page: ProcessedPage) -> QImage:
    """Worker thread: a small QImage of the stored page (QImage, unlike QPixmap, is thread-safe)."""
    from PIL import ImageOps

    from desk_app.ui.page_viewer import render_pil, to_qimage

    overlay = page.overlay
    img = render_pil(page.data, overlay.data if overlay else None, overlay.box if overlay else None, THUMB - 2)
    return to_qimage(ImageOps.expand(img, border=1, fill=(150, 150, 150)))  # a white page still shows its edge


class PageBridge(QObject):
    """Lives on the UI thread (built there); worker emits are queued to it."""

    page_ready = Signal(object, object, int, str, int)  # page, thumbnail, key to replace (NEW), document, batch
    progress = Signal(int, int)  # pages done, pages in total


class ScanJobs:
    """The I/O-thread jobs of one scan dialog. Built on the UI thread; its methods (except
    the constructor) run on ``TaskRunner.io``. ``cancel`` stops a scan or an import."""

    def __init__(self, backends: Callable[[], list[ScannerBackend]]):
        self.bridge = PageBridge()
        self.cancel = threading.Event()
        self._backends_factory = backends
        self._backends: list[ScannerBackend] = []
        # Why a backend listed nothing (e.g. SANE support not installed): shown when no scanner is found.
        self.unavailable: list[DeskError] = []

    def list_devices(self) -> list:
        """I/O thread: asking drivers for devices can take seconds."""
        self._backends = self._backends_factory()
        devices, unavailable = [], []
        for backend in self._backends:
            try:
                devices += backend.devices()
            except DeskError as exc:
                unavailable.append(exc)
        self.unavailable = unavailable
        return devices

    def scan(self, device: str, settings: ScanSettings, document: str, mode: str, replace_key: int) -> dict:
        """I/O thread: scan, process and thumbnail each page, handing each to the UI at once.
        Blank backs are dropped when the feeder is used."""
        from desk_app.scanning import pipeline

        backend, device_id = backend_for(device, self._backends)
        drop_blank = settings.source in ("feeder", "duplex")
        kept = dropped = 0
        for raw in backend.scan(device_id, settings, cancelled=self.cancel.is_set):
            page = pipeline.process(raw, mode=mode, drop_blank=drop_blank)
            if page is None:
                dropped += 1
                continue
            kept += 1
            self.bridge.page_ready.emit(page, thumbnail(page), replace_key, document, 0)
        return {"kept": kept, "dropped": dropped}

    def import_files(self, paths: list[Path], document: str, mode: str, batch: int) -> dict:
        """I/O thread: validate every file (cheap checks, nothing shown yet), then read, process
        and thumbnail page by page."""
        from desk_app.domain.errors import ValidationError
        from desk_app.scanning import imports, pipeline
        from desk_app.services.digitise import MAX_PAGES_PER_BATCH

        files = [imports.find_input(p) for p in paths]
        total = 0
        for path in files:
            total += imports.count_pages(path)
            if total > MAX_PAGES_PER_BATCH:
                raise ValidationError("Quá nhiều trang trong một lần ({pages}); tối đa {limit}.", field="file",
                                      pages=total, limit=MAX_PAGES_PER_BATCH)
        done = 0
        self.bridge.progress.emit(0, total)
        for path in files:
            for raw in imports.read_pages(path):
                if self.cancel.is_set():
                    return {"pages": done, "files": len(files), "stopped": True}
                page = pipeline.process(raw, mode=mode)
                done += 1
                self.bridge.page_ready.emit(page, thumbnail(page), NEW, document, batch)
                self.bridge.progress.emit(done, total)
        return {"pages": done, "files": len(files), "stopped": False}

    def rotate(self, page: ProcessedPage, key: int, document: str) -> None:
        """I/O thread: turn the page 90° clockwise, in place of the page ``key``."""
        from desk_app.scanning import pipeline

        turned = pipeline.rotate_processed(page, 3)
        self.bridge.page_ready.emit(turned, thumbnail(turned), key, document, 0)


def save_pages(services: DeskServices, code: str, plan: list[tuple[str, list[ProcessedPage]]]) -> list[dict]:
    """DB thread: one attach (files, then rows + outbox) per document."""
    stored: list[dict] = []
    for document, pages in plan:
        stored += services.digitise.attach(code, document, pages)
    return stored

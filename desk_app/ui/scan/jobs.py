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
from desk_app.scanning.sources import ScannerBackend, ScanSettings
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
        # Why a backend listed nothing (e.g. SANE support not installed): shown when no scanner is
        # found.
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
        """I/O thread: scan, process and thumbnail each page, handing each to the UI at once
        (services/digitise.py's scan flow: blank backs dropped in the feeder, the page limit)."""
        from desk_app.services.digitise import process_scan

        kept, dropped = process_scan(
            self._backends, device, settings, mode=mode, cancelled=self.cancel.is_set,
            on_page=lambda page: self.bridge.page_ready.emit(page, thumbnail(page), replace_key, document, 0),
        )
        return {"kept": len(kept), "dropped": dropped}

    def import_files(self, paths: list[Path], document: str, mode: str, batch: int) -> dict:
        """I/O thread: services/digitise.py's import flow (every file checked first, nothing shown
        yet; then page by page), each page thumbnailed and handed to the UI as it is read."""
        from desk_app.services.digitise import process_files

        pages = process_files(
            paths, mode=mode, progress=self.bridge.progress.emit, cancelled=self.cancel.is_set,
            checked=lambda total: self.bridge.progress.emit(0, total),
            on_page=lambda page: self.bridge.page_ready.emit(page, thumbnail(page), NEW, document, batch),
        )
        return {"pages": len(pages), "files": len(paths), "stopped": self.cancel.is_set()}

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

"""The one lock around every pdfium call in the process.

pdfium (through pypdfium2) is not thread-safe: the library keeps global state, and pypdfium2
only binds it (its documentation says so). Print preview, printing, PDF import and the
self-test render PDFs on different worker threads, so every use of pypdfium2 goes through
``pdfium()`` — opening, rendering *and* closing: the objects' finalizers call pdfium too, so
documents, pages and bitmaps are closed inside the lock, never left to the garbage collector
on some other thread. Rendered pages leave the lock as plain PIL images (copies).

No Qt here: the scanning import (no Qt) and the UI's printing both use it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image


class _OwnedLock:
    """A re-entrant lock that says which thread holds it (tests check every pdfium call
    against it, not against timing)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._owner: int | None = None
        self._depth = 0

    def __enter__(self) -> None:
        self._lock.acquire()
        self._owner = threading.get_ident()
        self._depth += 1

    def __exit__(self, *_exc: object) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._owner = None
        self._lock.release()

    @property
    def owner(self) -> int | None:
        return self._owner


LOCK = _OwnedLock()


def owner() -> int | None:
    """The thread id holding the pdfium lock, or None."""
    return LOCK.owner


@contextmanager
def pdfium() -> Iterator[ModuleType]:
    """``with pdfium() as pdf: ...`` — the pypdfium2 module, used only inside the block."""
    with LOCK:
        import pypdfium2

        yield pypdfium2


def page_sizes(data: bytes) -> list[tuple[float, float]]:
    """The size in points of every page of the PDF ``data`` (raises pypdfium2's error for a
    file pdfium cannot open)."""
    with pdfium() as lib:
        document = lib.PdfDocument(data)
        try:
            return [_page_size(document, index) for index in range(len(document))]
        finally:
            document.close()


def _page_size(document: object, index: int) -> tuple[float, float]:
    page = document[index]  # type: ignore[index]
    try:
        width, height = page.get_size()
        return float(width), float(height)
    finally:
        page.close()


def render_page(data: bytes, index: int, *, scale: float, grayscale: bool = False) -> Image.Image:
    """Page ``index`` of the PDF ``data`` as a PIL image at ``scale`` (dpi / 72). The document
    is opened for this page only: nothing of pdfium outlives the lock."""
    with pdfium() as lib:
        document = lib.PdfDocument(data)
        try:
            page = document[index]
            try:
                bitmap = page.render(scale=scale, grayscale=grayscale)
                try:
                    image: Image.Image = bitmap.to_pil().copy()  # a copy: the bitmap's buffer is freed below
                    return image
                finally:
                    bitmap.close()
            finally:
                page.close()
        finally:
            document.close()


def render_pages(data: bytes, *, scale: float, grayscale: bool = False) -> Iterator[tuple[tuple[float, float], Image.Image]]:
    """Every page as ``((width_pt, height_pt), image)``, one page rendered at a time; the lock
    is taken per page, so a long print job does not hold up a preview for its whole length."""
    for index, size in enumerate(page_sizes(data)):
        yield size, render_page(data, index, scale=scale, grayscale=grayscale)

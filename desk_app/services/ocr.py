"""Recognising stored pages in the background (Vietnamese, Tesseract), one page at a time.

Which pages are pending lives in the database (``dossier_pages.ocr_indexed``), so recognition
resumes after a restart with nothing to remember; a file is recognised once (content-addressed:
same SHA-256, same text). Text goes into the search index (``desk search`` finds dossiers by words
on their pages) and into exported PDFs as an invisible text layer. See docs/scanning.md.

Thread: ``run_pending`` runs on a low-priority background worker with its own connection (the
app's OCR thread, or the CLI's main thread); it never runs on the UI thread or the DB thread
that serves the counter, and Tesseract runs niced with one thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PIL import Image, UnidentifiedImageError

from desk_app.domain.errors import DeskError, ErrorCode
from desk_app.ocr.engine import OcrUnavailable, TesseractEngine
from desk_app.scanning.page import open_page
from desk_app.store.blobs import BlobStore
from desk_app.store.desk_store import DeskStore
from desk_app.store.ocr_store import OcrStore

ENABLED_KEY = "ocr_enabled"
COMMAND_KEY = "ocr_tesseract"


class OcrUnavailableError(DeskError):
    code = ErrorCode.OCR_UNAVAILABLE


class OcrService:
    def __init__(
        self,
        store: DeskStore,
        clock: Callable[[], datetime],
        *,
        engine: TesseractEngine | None = None,
        blobs: BlobStore | None = None,
    ):
        self.store = store
        self.clock = clock
        self.texts = OcrStore(store.db)
        self.blobs = blobs or BlobStore(store.path / "files")
        self.engine = engine or TesseractEngine(store.get_setting(COMMAND_KEY) or None)

    # --- settings -------------------------------------------------------------------------
    def enabled(self) -> bool:
        """On by default where the engine is present; a very weak PC can switch it off."""
        return bool(self.store.get_setting(ENABLED_KEY, True)) and self.engine.available()

    def set_enabled(self, on: bool) -> None:
        self.store.set_settings({ENABLED_KEY: bool(on)})

    def state(self) -> dict[str, Any]:
        try:
            engine = self.engine.version()
        except OcrUnavailable as exc:
            engine, reason = "", str(exc)
        else:
            reason = ""
        return {
            "enabled": bool(self.store.get_setting(ENABLED_KEY, True)),
            "engine": engine,
            "unavailable": reason,
            "pending": self.texts.pending_count(),
        }

    # --- work -----------------------------------------------------------------------------
    def _dossier_id(self, code: str | None) -> int | None:
        return None if code is None else self.store.find_dossier_row(code)["id"]

    def pending_count(self, code: str | None = None) -> int:
        return self.texts.pending_count(dossier_id=self._dossier_id(code))

    def run_pending(
        self, code: str | None = None, *, should_stop: Callable[[], bool] = lambda: False, max_pages: int | None = None,
        on_page: Callable[[dict[str, Any]], None] | None = None,
    ) -> dict[str, Any]:
        """Recognise pending pages (all, or one dossier's) until none is left, ``max_pages``
        files were recognised or ``should_stop()``. Returns {pages, seconds, failed, pending}."""
        dossier_id = self._dossier_id(code)
        try:
            self.engine.version()
        except OcrUnavailable as exc:
            raise OcrUnavailableError(
                "Chưa có phần mềm nhận dạng chữ (Tesseract với dữ liệu tiếng Việt): {detail}.", detail=str(exc)
            ) from exc
        started = time.perf_counter()
        recognised = failed = 0
        while not should_stop() and (max_pages is None or recognised + failed < max_pages):
            batch = self.texts.pending(dossier_id=dossier_id, limit=1)
            if not batch:
                break
            page = batch[0]
            if page["known"]:
                self.texts.index_known(page["sha256"])
                continue
            outcome = self._recognise(page["sha256"])
            if outcome == "done":
                recognised += 1
            else:
                failed += 1
            if on_page:
                on_page({**page, "outcome": outcome})
        return {
            "pages": recognised,
            "failed": failed,
            "seconds": round(time.perf_counter() - started, 2),
            "pending": self.texts.pending_count(dossier_id=dossier_id),
        }

    def _recognise(self, sha256: str) -> str:
        at = self.clock().isoformat(timespec="seconds")
        try:
            data = self.blobs.read(sha256)
            with open_page(data) as img:
                img.load()
                # A mixed page's file is its bilevel text layer (the overlay holds the photo/seal).
                image = img.convert("L") if img.mode not in ("1", "L") else img.copy()
            result = self.engine.recognise(image)
        except (DeskError, OSError, ValueError, UnidentifiedImageError, RuntimeError, Image.DecompressionBombError) as exc:
            # Kept as failed with its reason (a damaged file is for `desk verify-files`);
            # `retry_failed` runs it again.
            self.texts.save(sha256, status="failed", error=str(exc)[:500], at=at)
            return "failed"
        self.texts.save(
            sha256, status="done", text=result.text, words=[w.as_list() for w in result.words],
            width=result.width, height=result.height, engine=result.engine, seconds=round(result.seconds, 3), at=at,
        )
        return "done"

    def retry_failed(self) -> int:
        return self.texts.retry_failed()

    # --- reading --------------------------------------------------------------------------
    def progress(self, code: str) -> list[dict[str, Any]]:
        """Per document of the dossier: pages, recognised, failed."""
        return self.texts.progress(int(self.store.find_dossier_row(code)["id"]))

    def page_text(self, sha256: str) -> dict[str, Any] | None:
        return self.texts.page_text(sha256)

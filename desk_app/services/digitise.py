"""Digitising a dossier: pages from a scanner or files become compact images attached to the
dossier's documents, exported as one PDF per document, and checked on disk.

Two halves, for the threads that run them:
- ``process_*`` (static, CPU and device I/O, no database): on a worker (the UI's I/O pool);
- ``attach``, ``status``, ``export_pdfs``, ``verify_files``: on the DB thread (or the CLI).
Every page file is written to the BlobStore before the row that references it commits, and the
page rows commit with their ``dossier.pages`` outbox entry.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from desk_app.domain.errors import NotFoundError, StoreError, ValidationError
from desk_app.domain.pages import PageEntry
from desk_app.domain.text import fold
from desk_app.ocr.engine import Word
from desk_app.scanning import imports, pipeline
from desk_app.scanning.page import ProcessedPage
from desk_app.scanning.pdf_export import PdfPage, build_pdf
from desk_app.scanning.sources import ScannerBackend, ScanSettings, backend_for
from desk_app.store.blobs import BlobStore
from desk_app.store.desk_store import DeskStore
from desk_app.store.ocr_store import OcrStore
from desk_app.store.pages_store import PagesStore
from desk_common.fsutil import write_atomic

Progress = Callable[[int, int], None]
MAX_PAGES_PER_BATCH = 300


def process_files(
    paths: Iterable[Path], *, mode: str = "auto", progress: Progress | None = None,
    max_pages: int = imports.MAX_PAGES_PER_FILE, on_page: Callable[[ProcessedPage], None] | None = None,
    cancelled: Callable[[], bool] = lambda: False, checked: Callable[[int], None] | None = None,
) -> list[ProcessedPage]:
    """Validate every file first (nothing is processed if one is bad), then process page by
    page, calling ``checked(total)`` once the files are checked, then ``progress(done, total)``
    and ``on_page(page)`` per page; ``cancelled()`` stops between pages (the pages so far are
    returned).
    Worker thread; the CLI and the scan dialog share it."""
    mode = pipeline.check_mode(mode)
    paths = [imports.find_input(Path(p)) for p in paths]
    if not paths:
        raise ValidationError("Chưa chọn tệp nào.", field="file")
    counts = [imports.count_pages(p, max_pages=max_pages) for p in paths]
    total = sum(counts)
    if total > MAX_PAGES_PER_BATCH:
        raise ValidationError("Quá nhiều trang trong một lần ({pages}); tối đa {limit}.", field="file",
                              pages=total, limit=MAX_PAGES_PER_BATCH)
    if checked:
        checked(total)
    out: list[ProcessedPage] = []
    for path in paths:
        for raw in imports.read_pages(path, max_pages=max_pages):
            if cancelled():
                return out
            page = pipeline.process(raw, mode=mode)
            if page is not None:
                out.append(page)
                if on_page:
                    on_page(page)
            if progress:
                progress(len(out), total)
    return out


def process_scan(
    backends: list[ScannerBackend], device: str, settings: ScanSettings, *, mode: str = "auto",
    on_page: Callable[[ProcessedPage], None] | None = None, cancelled: Callable[[], bool] = lambda: False,
) -> tuple[list[ProcessedPage], int]:
    """Scan and process each page as it arrives. Blank backs are dropped when the feeder is
    used. At most ``MAX_PAGES_PER_BATCH`` sheets a scan, like an import (a feeder left on "all
    pages" stops there). Returns (pages kept, blank pages dropped). Worker thread; the CLI and
    the scan dialog share it."""
    mode = pipeline.check_mode(mode)
    backend, device_id = backend_for(device, backends)
    drop_blank = settings.source in ("feeder", "duplex")
    limit = min(settings.max_pages or MAX_PAGES_PER_BATCH, MAX_PAGES_PER_BATCH)
    settings = replace(settings, max_pages=limit)
    kept: list[ProcessedPage] = []
    dropped = 0

    def stop() -> bool:  # asked by the driver between sheets
        return cancelled() or len(kept) + dropped >= limit

    for raw in backend.scan(device_id, settings, cancelled=stop):
        if len(kept) + dropped >= limit:  # a driver that reads past max_pages
            break
        page = pipeline.process(raw, mode=mode, drop_blank=drop_blank)
        if page is None:
            dropped += 1
            continue
        kept.append(page)
        if on_page:
            on_page(page)
    return kept, dropped


def safe_filename(text: str) -> str:
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", text).strip().rstrip(".")
    return re.sub(r"\s+", " ", cleaned)[:80] or "tai-lieu"


class DigitiseService:
    def __init__(self, store: DeskStore, clock: Callable[[], datetime], actor: str = "", *, blobs: BlobStore | None = None):
        self.store = store
        self.clock = clock
        self.actor = actor
        self.pages = PagesStore(store.db)
        self.texts = OcrStore(store.db)  # recognised words: the exported PDFs' text layer
        self.blobs = blobs or BlobStore(store.path / "files")

    # --- DB thread -------------------------------------------------------------------------
    def _document(self, dossier: dict[str, Any], document: str) -> str:
        names = [d["name"] for d in self.store.dossier_documents(dossier["id"])]
        wanted = fold(document or "").strip()
        for name in names:
            if fold(name).strip() == wanted:
                return str(name)
        raise ValidationError(
            "Hồ sơ {code} không có giấy tờ \"{document}\". Các giấy tờ: {names}.",
            field="document", code=dossier["code"], document=document, names="; ".join(names) or "—",
        )

    def check_target(self, code: str, document: str) -> str:
        """Fail early (before scanning or processing) on an unknown dossier or document."""
        return self._document(self.store.find_dossier_row(code), document)

    def attach(self, code: str, document: str, pages: list[ProcessedPage]) -> list[dict[str, Any]]:
        """Store the files (atomic, before the rows) then commit the rows and outbox entry."""
        dossier = self.store.find_dossier_row(code)
        name = self._document(dossier, document)
        if not pages:
            raise ValidationError("Không có trang nào để lưu.", field="file")
        for page in pages:
            for data in page.files():
                self.blobs.put(data)
        described = [p.describe() for p in pages]
        rows, _key = self.pages.add_pages(
            dossier=dossier, document=name, pages=described, created_at=self.clock().isoformat(timespec="seconds"),
        )
        return [{**d, "document": name, "page_no": r["page_no"]} for d, r in zip(described, rows)]

    def attach_files(self, code: str, document: str, paths: list[Path], *, mode: str = "auto",
                     progress: Progress | None = None) -> list[dict[str, Any]]:
        self.check_target(code, document)
        return self.attach(code, document, process_files(paths, mode=mode, progress=progress))

    def scan(self, code: str, document: str, backends: list[ScannerBackend], device: str,
             settings: ScanSettings, *, mode: str = "auto") -> dict[str, Any]:
        self.check_target(code, document)
        pages, dropped = process_scan(backends, device, settings, mode=mode)
        return {"pages": self.attach(code, document, pages), "blank_dropped": dropped}

    def required_documents(self, dossier: dict[str, Any]) -> set[str]:
        """Folded names of the documents the procedure requires (all of the dossier's when the
        procedure is no longer in the catalogue)."""
        try:
            procedure = self.store.get_procedure(dossier["procedure_code"])
        except NotFoundError:
            return {fold(d["name"]) for d in self.store.dossier_documents(dossier["id"])}
        return {fold(d.name) for d in procedure.documents}

    def status(self, code: str) -> dict[str, Any]:
        """Per-document digitisation status; the dossier is digitised when every required
        document it holds has at least one page (all its documents if none is required)."""
        dossier = self.store.find_dossier_row(code)
        documents = self.store.dossier_documents(dossier["id"])
        counts = self.pages.page_counts(dossier["id"])
        required = self.required_documents(dossier)
        if not any(fold(d["name"]) in required for d in documents):
            required = {fold(d["name"]) for d in documents}
        items = []
        for d in documents:
            n = counts.get(d["name"], 0)
            items.append({**d, "required": fold(d["name"]) in required, "pages": n, "digitised": n > 0})
        digitised = bool(items) and all(i["digitised"] for i in items if i["required"])
        return {"code": dossier["code"], "digitised": digitised, "documents": items}

    def export_pdfs(self, code: str, out_dir: Path) -> list[dict[str, Any]]:
        """One PDF per digitised document; the stored G4/JPEG streams (and overlays) are embedded
        as they are (``pdf_export``), so the PDF is as small and as exact as the pages."""
        dossier = self.store.find_dossier_row(code)
        pages = self.pages.pages(dossier["id"])
        if not pages:
            raise ValidationError("Hồ sơ {code} chưa có trang nào được số hóa.", field="code", code=dossier["code"])
        target = Path(out_dir) / safe_filename(dossier["code"])
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError("Không tạo được thư mục {path}: {detail}.", path=str(target), detail=exc.strerror) from exc
        order = [d["name"] for d in self.store.dossier_documents(dossier["id"])]
        result = []
        for index, name in enumerate(order, 1):
            doc_pages = [p for p in pages if p.document == name]
            if not doc_pages:
                continue
            data = build_pdf([self._pdf_page(p) for p in doc_pages], title=f"{dossier['code']} - {name}")
            path = target / f"{index:02d} {safe_filename(name)}.pdf"
            _write_atomic(path, data)
            result.append({"document": name, "path": str(path), "pages": len(doc_pages), "bytes": len(data)})
        return result

    def _pdf_page(self, page: PageEntry) -> PdfPage:
        overlay = self.blobs.read(page.overlay_sha256) if page.overlay_sha256 else None
        box = page.overlay_box if overlay else None
        text = self.texts.page_text(page.sha256)
        words = [Word.from_list(w) for w in text["words"]] if text and text["status"] == "done" else []
        size = (text["width"], text["height"]) if text and words else None
        return PdfPage(self.blobs.read(page.sha256), page.width, page.height, overlay, box, words, size)

    def verify_files(self) -> dict[str, Any]:
        report = self.blobs.verify(self.pages.referenced_files())
        return {**report.as_dict(), "root": str(self.blobs.root)}


def _write_atomic(path: Path, data: bytes) -> None:
    """The shared durable write (temporary file, fsync, rename), its OSError as a StoreError."""
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise StoreError("Không ghi được tệp: {detail}.", detail=str(exc)) from exc

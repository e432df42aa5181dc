"""The dossier page's scanned pages: a strip of thumbnails of every digitised document, each
opening the page viewer at full size (desk_app.ui.page_viewer). The page list is read on the
DB thread; the files are read and decoded on the I/O pool. UI thread otherwise."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from desk_app.i18n import Translator
from desk_app.ui.page_viewer import PageRef, PageViewer, ThumbnailStrip
from desk_app.ui.tasks import TaskRunner

if TYPE_CHECKING:  # the composition root (and the store under it) loads with the services
    from desk_app.services.context import DeskServices


def load_pages(services: DeskServices, code: str, highlight: str = "") -> dict:
    """DB thread: the dossier's pages (services/dossier_pages.py)."""
    from desk_app.services.dossier_pages import dossier_pages

    return dossier_pages(services, code, highlight)


def _read(path: str | None) -> bytes | None:
    return Path(path).read_bytes() if path else None


def _read_page(path: str) -> bytes:
    return Path(path).read_bytes()  # every stored page has its file


def page_refs(tr: Translator, pages: list[dict]) -> list[PageRef]:
    return [
        PageRef(
            label=tr("{document} · trang {n}", document=p["document"], n=p["page_no"]),
            load=partial(_read_page, p["path"]),
            overlay=partial(_read, p["overlay_path"]),
            box=p["box"],
            marks=p.get("marks", ()),
        )
        for p in pages
    ]


class DossierPagesBox(QGroupBox):
    """"Trang đã số hóa": thumbnails; Enter or a double click opens the viewer."""

    def __init__(self, runner: TaskRunner, tr: Translator, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self._tr = runner, tr
        self.code: str | None = None
        self.highlight = ""  # the queue's search text: its words are shaded on the pages
        self.pages: list[dict] = []
        self.viewer: PageViewer | None = None
        self.strip = ThumbnailStrip(runner)
        self.strip.open_requested.connect(self.open_page)
        self.empty = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.strip)
        layout.addWidget(self.empty)
        self.retranslate(tr)

    def retranslate(self, tr: Translator) -> None:
        self._tr = tr
        self.setTitle(self._title())
        self.empty.setText(tr("Chưa có trang nào được số hóa."))
        self._show()

    def show_pages(self, code: str, highlight: str = "") -> None:
        self.code, self.highlight = code, highlight
        self.runner.db(load_pages, code, highlight, on_done=self._loaded,
                       on_error=lambda _e: self._loaded({"code": code, "pages": []}))

    def _loaded(self, result: dict) -> None:
        if result["code"] != self.code:
            return  # another dossier was opened meanwhile
        if result["pages"] == self.pages:
            # The same pages (the dossier page reloads after every change to the dossier: a
            # status, a sync confirmation): the strip keeps its thumbnails, its scroll and the
            # page chosen, instead of blanking and rendering them all again.
            self.setTitle(self._title())
            return
        self.pages = result["pages"]
        self._show()

    def _title(self) -> str:
        tr = self._tr
        title = tr("Trang đã số hóa (Enter: xem lớn)")
        if self.pages:
            recognised = sum(1 for p in self.pages if p.get("recognised"))
            title += " · " + tr("nhận dạng chữ {done}/{total} trang", done=recognised, total=len(self.pages))
            found = sum(1 for p in self.pages if p.get("marks"))
            if found:
                title += " · " + tr("\"{text}\" có trên {n} trang", text=self.highlight.strip(), n=found)
        return title

    def _show(self) -> None:
        self.setTitle(self._title())
        self.strip.set_pages(page_refs(self._tr, self.pages), [f"{i + 1}. {p['document']}" for i, p in enumerate(self.pages)])
        self.strip.setVisible(bool(self.pages))
        self.empty.setVisible(not self.pages)

    def open_page(self, index: int) -> None:
        if not self.pages:
            return
        self.viewer = PageViewer(self.runner, self._tr, page_refs(self._tr, self.pages), start=index,
                                 title=self._tr("Trang đã số hóa · hồ sơ {code}", code=self.code), parent=self.window())
        self.viewer.finished.connect(self._closed)
        self.viewer.open()

    def _closed(self, _result: int) -> None:
        viewer, self.viewer = self.viewer, None
        if viewer is not None:
            self.strip.setCurrentRow(viewer.index)
            self.strip.setFocus()
            viewer.deleteLater()

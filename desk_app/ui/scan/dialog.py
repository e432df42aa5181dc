"""Scan dialog: pick device, source, resolution and mode; pages appear as thumbnails while the
scanner delivers them, or files are imported (button or drag and drop) into the same list;
rotate, reorder by drag, delete, rescan one page, assign pages to the dossier's documents, each
document with its own mode (automatic, or forced text/grey/colour); save stores them (files
first, then rows + outbox) on the DB thread.

UI thread only. Scanning, importing and page processing run on ``TaskRunner.io`` (``jobs.py``); each
processed page and each progress step is handed back through a queued signal, so the window
never waits on the scanner or the disk.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import DeskError
from desk_app.i18n import N_, Translator
from desk_app.scanning.sources import ScannerBackend, available_backends
from desk_app.ui.ops import Op
from desk_app.ui.page_viewer import PageRef, PageViewer
from desk_app.ui.scan.device_panel import DevicePanel, DocumentPanel
from desk_app.ui.scan.jobs import NEW, ScanJobs, save_pages
from desk_app.ui.scan.page_list import DOC_ROLE, KEY_ROLE, PAGE_ROLE, PageList, dropped_files
from desk_app.ui.tasks import TaskRunner

if TYPE_CHECKING:  # the pipeline and pages pull in numpy and Pillow: loaded on the I/O pool, when scanning
    from desk_app.scanning.page import Overlay, ProcessedPage

# First size: roomy on a desktop monitor, shrunk to the screen's free area (without the taskbar)
# on the 1366 x 768 laptops many communes use; FRAME leaves room for the title bar and borders.
PREFERRED_SIZE = (1200, 820)
FRAME = (24, 48)


def initial_size(available: QSize) -> tuple[int, int]:
    """The dialog's first (width, height) on a screen whose free area is ``available``."""
    return (min(PREFERRED_SIZE[0], available.width() - FRAME[0]),
            min(PREFERRED_SIZE[1], available.height() - FRAME[1]))


class ScanDialog(QDialog):
    saved = Signal(str)  # dossier code

    def __init__(
        self, runner: TaskRunner, tr: Translator, *, code: str, documents: list[str],
        backends: Callable[[], list[ScannerBackend]] = available_backends, parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.runner, self._tr, self.code, self.documents = runner, tr, code, documents
        self.jobs = ScanJobs(backends)
        self._bridge = self.jobs.bridge
        self._bridge.page_ready.connect(self._add_page)
        self._bridge.progress.connect(self._show_progress)
        self._busy = False
        self._message: Callable[[Translator], str] = lambda tr: ""  # the status line, in any language
        self.setAcceptDrops(True)
        self.resize(*initial_size(self.screen().availableGeometry().size()))

        # Every fixed text with the setter that shows it: set now and again on a language change.
        self._texts: list[tuple[Callable[[str], None], str]] = []
        self.scanner = DevicePanel(tr, self._text)
        self.target = DocumentPanel(documents, self._text)
        # The controls by name, for the dialog's users (tests drive them).
        self.device, self.source = self.scanner.device, self.scanner.source
        self.dpi, self.max_pages = self.scanner.dpi, self.scanner.max_pages
        self.document, self.mode = self.target.document, self.target.mode
        self.scanner.device.currentIndexChanged.connect(self._update_buttons)

        self._build_buttons()
        self._build_pages()
        self._build_layout()
        self.retranslate(tr)
        self._say(N_("Quét hoặc nhập tệp; kéo thả để đổi thứ tự trang."))
        self._set_busy(True)
        self.runner.devices(self.jobs.list_devices, on_done=self._devices_listed, on_error=self._failed)

    def _build_buttons(self) -> None:
        """The buttons: scan, import, stop, the selected pages' actions, save."""
        self.scan_button = self._text(QPushButton(), N_("Quét"))
        self.import_button = self._text(QPushButton(), N_("Nhập tệp…"))
        self._text(self.import_button, N_("PDF, JPEG, PNG, TIFF; có thể kéo thả tệp vào cửa sổ này."), "setToolTip")
        self.stop_button = self._text(QPushButton(), N_("Dừng"))
        self.view_button = self._text(QPushButton(), N_("Xem lớn (Enter)"))
        self.rotate_button = self._text(QPushButton(), N_("Xoay 90°"))
        self.delete_button = self._text(QPushButton(), N_("Xóa trang"))
        self.rescan_button = self._text(QPushButton(), N_("Quét lại trang này"))
        self.assign_button = self._text(QPushButton(), N_("Gán trang đã chọn"))
        self.save_button = self._text(QPushButton(), N_("Lưu vào hồ sơ"))
        self.save_button.setDefault(True)
        self.stop_button.setEnabled(False)
        self.scan_button.clicked.connect(lambda: self.start_scan())
        self.import_button.clicked.connect(self.choose_files)
        self.stop_button.clicked.connect(self.jobs.cancel.set)
        self.view_button.clicked.connect(lambda: self.view_pages())
        self.rotate_button.clicked.connect(self.rotate_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.rescan_button.clicked.connect(self.rescan_selected)
        self.assign_button.clicked.connect(self.assign_selected)
        self.save_button.clicked.connect(self.save)

    def _build_pages(self) -> None:
        """The page list (drag to reorder, drop files), its progress and status lines."""
        self.pages = PageList()
        self.pages.model().rowsMoved.connect(lambda *_: self._renumber())
        self.pages.files_dropped.connect(self.import_files)
        self.pages.itemSelectionChanged.connect(self._update_buttons)
        self.pages.itemActivated.connect(lambda item: self.view_pages(self.pages.row(item)))  # Enter, double click
        self.viewer: PageViewer | None = None
        self.discard_box: QMessageBox | None = None  # open while "discard the unsaved pages?" awaits
        self._discard_ok = False
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)

    def _build_layout(self) -> None:
        """Device, document and buttons on the left; the pages on the right."""
        left = QVBoxLayout()
        left.addWidget(self.scanner)
        left.addWidget(self.target)
        row = QHBoxLayout()
        row.addWidget(self.scan_button)
        row.addWidget(self.import_button)
        row.addWidget(self.stop_button)
        left.addLayout(row)
        edit = self._text(QGroupBox(), N_("Trang đã chọn"), "setTitle")
        edit_box = QVBoxLayout(edit)
        for button in (self.view_button, self.rotate_button, self.delete_button, self.rescan_button, self.assign_button):
            edit_box.addWidget(button)
        left.addWidget(edit)
        left.addStretch(1)
        left.addWidget(self.save_button)
        right = QVBoxLayout()
        right.addWidget(self.pages, 1)
        right.addWidget(self.progress)
        right.addWidget(self.status)
        layout = QHBoxLayout(self)
        layout.addLayout(left)
        layout.addLayout(right, 1)

    def stop(self) -> None:
        """Stop the scan or import under way (a closed dialog stops what it still runs)."""
        self.jobs.cancel.set()

    # --- language -------------------------------------------------------------------------------
    def _text(self, widget, text: str, setter: str = "setText"):
        """Register a fixed text of ``widget`` (shown by ``retranslate``); returns the widget."""
        self._texts.append((getattr(widget, setter), text))
        return widget

    def retranslate(self, tr: Translator) -> None:
        """Show every text of the dialog in ``tr``'s language: fixed labels, choices, the page
        labels and the status line (kept as source text for this)."""
        self._tr = tr
        self.setWindowTitle(tr("Quét hồ sơ {code}", code=self.code))
        for set_text, text in self._texts:
            set_text(tr(text))
        self.target.retranslate(tr)
        self.scanner.retranslate(tr)
        self._progress_format()
        self.status.setText(self._message(tr))
        self._renumber()

    def _say(self, text: str, **params) -> None:
        """Show ``text`` (a Vietnamese source string) on the status line, in the current
        language."""
        self._show(lambda tr: tr(text, **params))

    def _show(self, message: Callable[[Translator], str]) -> None:
        self._message = message
        self.status.setText(message(self._tr))

    # --- devices --------------------------------------------------------------------------------
    def _devices_listed(self, devices) -> None:
        from desk_app.services.first_run import remembered_scanner_db

        self.scanner.set_devices(devices)
        if len(devices) > 1:
            self.runner.db(remembered_scanner_db, on_done=self.scanner.prefer)
        self._set_busy(False)
        if not devices and self.jobs.unavailable:  # say why (and how to enable it), not just "none"
            self._show(self.jobs.unavailable[0].translated)
        elif not devices:
            self._say(N_("Không tìm thấy máy quét nào. Vẫn có thể nhập tệp."))

    # --- scanning -------------------------------------------------------------------------------
    def start_scan(self, *, replace_key: int = NEW, document: str | None = None) -> None:
        info = self.scanner.current_device()
        if info is None or self._busy:
            return
        document = document or self.target.current()
        self._start(N_("Đang quét…"))
        settings = self.scanner.settings(single=replace_key != NEW)
        self.runner.devices(self.jobs.scan, info.id, settings, document, self.target.mode_for(document), replace_key,
                       on_done=self._scan_done, on_error=self._failed)

    def _scan_done(self, result: dict) -> None:
        self._finish()
        self._say(N_("Đã quét {kept} trang, bỏ {dropped} trang trắng."), **result)

    # --- importing files ------------------------------------------------------------------------
    def choose_files(self) -> None:
        tr = self._tr
        paths, _ = QFileDialog.getOpenFileNames(
            self, tr("Nhập tệp"), "", tr("PDF và ảnh (*.pdf *.jpg *.jpeg *.png *.tif *.tiff)"))
        if paths:
            self.import_files(paths)

    def dragEnterEvent(self, event) -> None:
        if dropped_files(event.mimeData()) and not self._busy:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:
        paths = dropped_files(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.import_files(paths)

    def import_files(self, paths: list[str]) -> None:
        """Import PDF/JPEG/PNG/TIFF files into the list, for the document shown, in its mode.
        All files are checked first (size limits, page counts, pixel bombs); pages then arrive
        one by one with progress. If any file fails, none of this import's pages stay."""
        if self._busy:
            self._say(N_("Đang bận: hãy đợi hoặc bấm Dừng."))
            return
        document = self.target.current()
        batch = self.pages.new_key()
        self._start(N_("Đang kiểm tra {n} tệp…"), n=len(paths))
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.runner.devices(self.jobs.import_files, [Path(p) for p in paths], document, self.target.mode_for(document),
                       batch, on_done=self._import_done, on_error=lambda exc: self._import_failed(exc, batch))

    def _show_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self._progress_format()
        self._say(N_("Đang nhập trang {done}/{total}…"), done=done, total=total)

    def _progress_format(self) -> None:
        done, total = self.progress.value(), self.progress.maximum()
        self.progress.setFormat(self._tr("{done}/{total} trang", done=max(0, done), total=total))

    def _import_done(self, result: dict) -> None:
        self._finish()
        if result["stopped"]:
            self._say(N_("Đã dừng: nhập {pages} trang."), **result)
        else:
            self._say(N_("Đã nhập {pages} trang từ {files} tệp."), **result)

    def _import_failed(self, exc: BaseException, batch: int) -> None:
        """Nothing of a failed import stays: its pages already shown are taken out again."""
        self.pages.remove_batch(batch)
        self._renumber()
        self._failed(exc)

    # --- the page list --------------------------------------------------------------------------
    def _add_page(self, page: ProcessedPage, image: QImage, replace_key: int, document: str, batch: int) -> None:
        self.pages.put(page, image, None if replace_key == NEW else replace_key, document, batch)
        self._renumber()

    def _renumber(self) -> None:
        self.pages.relabel(self._tr)
        self._update_buttons()

    # --- editing --------------------------------------------------------------------------------
    def rotate_selected(self) -> None:
        for row in self.pages.selected_rows():
            item = self.pages.item(row)
            self.runner.devices(self.jobs.rotate, item.data(PAGE_ROLE), item.data(KEY_ROLE), item.data(DOC_ROLE),
                           on_error=self._failed)

    def delete_selected(self) -> None:
        for row in reversed(self.pages.selected_rows()):
            self.pages.takeItem(row)
        self._renumber()

    def rescan_selected(self) -> None:
        """Scan one sheet again (flatbed when there is one) in place of the selected page."""
        rows = self.pages.selected_rows()
        if len(rows) == 1:
            item = self.pages.item(rows[0])
            self.start_scan(replace_key=item.data(KEY_ROLE), document=item.data(DOC_ROLE))

    def view_pages(self, row: int | None = None) -> None:
        """Enlarge the pages (zoom, rotate the view, page through them with the keyboard),
        starting at ``row`` or the first selected page. Decoding runs on the I/O pool."""
        if self.pages.count() == 0:
            return
        if row is None:
            selected = self.pages.selected_rows()
            row = selected[0] if selected else 0
        refs = []
        for r in range(self.pages.count()):
            item = self.pages.item(r)
            page: ProcessedPage = item.data(PAGE_ROLE)
            overlay = page.overlay
            refs.append(PageRef(
                label=item.data(DOC_ROLE), load=partial(_page_data, page),
                overlay=partial(_overlay_data, overlay), box=overlay.box if overlay else None,
            ))
        self.viewer = PageViewer(self.runner, self._tr, refs, start=row,
                                 title=self._tr("Xem trang · hồ sơ {code}", code=self.code), parent=self)
        self.viewer.finished.connect(self._viewer_closed)
        self.viewer.open()

    def _viewer_closed(self, _result: int) -> None:
        viewer, self.viewer = self.viewer, None
        if viewer is not None:
            self.pages.setCurrentRow(viewer.index)  # back on the page last looked at
            viewer.deleteLater()

    def assign_selected(self) -> None:
        for row in self.pages.selected_rows():
            self.pages.item(row).setData(DOC_ROLE, self.target.current())
        self._renumber()

    def page_plan(self) -> list[tuple[str, list[ProcessedPage]]]:
        """Pages grouped by document, in the order shown."""
        return self.pages.page_plan()

    # --- saving ---------------------------------------------------------------------------------
    def save(self) -> None:
        plan = self.page_plan()
        if not plan:
            self._say(N_("Chưa có trang nào."))
            return
        self._start(N_("Đang lưu…"))
        code = self.code
        Op(self, self.runner, lambda: self._tr, save_pages, code, plan, on_success=self._saved,
           on_failure=self._failed, changes=lambda _stored: [code]).run()  # the dossier page reloads

    def _saved(self, stored: list[dict]) -> None:
        self._finish()
        self._say(N_("Đã lưu {n} trang vào hồ sơ."), n=len(stored))
        self._discard_ok = True  # saved: nothing left to lose
        self.saved.emit(self.code)
        self.accept()

    # --- closing with unsaved pages ---------------------------------------------------------------
    def reject(self) -> None:
        """Esc, "close" or the window's X: pages scanned or imported but not saved are not
        dropped without asking (the default answer keeps them)."""
        if self._discard_ok or self.pages.count() == 0:
            super().reject()
            return
        self.ask_discard()

    def closeEvent(self, event) -> None:
        if self._discard_ok or self.pages.count() == 0:
            super().closeEvent(event)
            return
        event.ignore()
        self.ask_discard()

    def ask_discard(self) -> None:
        if self.discard_box is not None:
            return
        tr = self._tr
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(tr("Trang chưa lưu"))
        box.setText(tr("Có {n} trang chưa lưu vào hồ sơ {code}. Bỏ các trang này?", n=self.pages.count(), code=self.code))
        box.setInformativeText(tr("Chọn “Quay lại” rồi bấm “Lưu vào hồ sơ” để giữ các trang."))
        discard = box.addButton(tr("Bỏ các trang"), QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(tr("Quay lại"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)  # Enter or a second Esc keeps the pages
        box.setEscapeButton(keep)
        self.discard_box = box

        def answered(_result: int) -> None:
            self.discard_box = None
            if box.clickedButton() is discard:
                self._discard_ok = True
                self.reject()

        box.finished.connect(answered)
        box.open()

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        if isinstance(exc, DeskError):
            self._show(exc.translated)
        else:
            self._say(N_("Lỗi không mong đợi: {detail}"), detail=repr(exc))

    # --- busy state -----------------------------------------------------------------------------
    def _start(self, message: str, **params) -> None:
        self.jobs.cancel.clear()
        self._set_busy(True)
        self._say(message, **params)

    def _finish(self) -> None:
        self.progress.setVisible(False)
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.scanner.set_editable(not busy)
        self.stop_button.setEnabled(busy)
        self._update_buttons()

    def _update_buttons(self) -> None:
        idle, selected = not self._busy, len(self.pages.selectedItems())
        has_device = self.scanner.current_device() is not None
        self.scan_button.setEnabled(idle and has_device)
        self.import_button.setEnabled(idle)
        self.save_button.setEnabled(idle and self.pages.count() > 0)
        self.rescan_button.setEnabled(idle and has_device and selected == 1)
        for w in (self.rotate_button, self.delete_button, self.assign_button):
            w.setEnabled(idle and selected > 0)
        self.view_button.setEnabled(self.pages.count() > 0)  # looking needs no idle scanner


def _page_data(page: ProcessedPage) -> bytes:
    return page.data


def _overlay_data(overlay: Overlay | None) -> bytes | None:
    return overlay.data if overlay is not None else None

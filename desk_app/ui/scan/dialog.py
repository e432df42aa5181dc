"""Scan dialog: pick device, source, resolution and mode; pages appear as thumbnails while the
scanner delivers them, or files are imported (button or drag and drop) into the same list;
rotate, reorder by drag, delete, rescan one page, assign pages to the dossier's documents, each
document with its own mode (automatic, or forced text/grey/colour); save stores them (files
first, then rows + outbox) on the DB thread.

UI thread only. Scanning, importing and page processing run on ``TaskRunner.io``; each
processed page and each progress step is handed back through a queued signal, so the window
never waits on the scanner or the disk.
"""

from __future__ import annotations

import itertools
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox, QDialog, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QListWidgetItem,
    QProgressBar, QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from desk_app.domain.errors import DeskError
from desk_app.i18n import N_, Translator
from desk_app.scanning.sources import ScannerBackend, ScanSettings, available_backends, backend_for
from desk_app.ui.scan.page_list import THUMB, PageList, dropped_files
from desk_app.ui.tasks import TaskRunner

if TYPE_CHECKING:  # the pipeline and pages pull in numpy and Pillow: loaded on the I/O pool, when scanning
    from desk_app.scanning.page import ProcessedPage

PAGE_ROLE = Qt.ItemDataRole.UserRole
DOC_ROLE = Qt.ItemDataRole.UserRole + 1
KEY_ROLE = Qt.ItemDataRole.UserRole + 2  # stable id: a rotation or rescan finds its page after a reorder
BATCH_ROLE = Qt.ItemDataRole.UserRole + 3  # the import a page came with, removed whole if that import fails
MODE_LABELS = {"auto": N_("Tự động"), "text": N_("Chữ (đen trắng)"), "grey": N_("Ảnh xám"), "color": N_("Màu")}
# A mixed page (black-and-white page + a colour or grey area over it), by its mode.
MIXED_LABELS = {"color": N_("Chữ + vùng màu"), "grey": N_("Chữ + vùng ảnh xám")}
SOURCE_LABELS = {"flatbed": N_("Mặt kính"), "feeder": N_("Khay nạp giấy"), "duplex": N_("Khay nạp, hai mặt")}
DPI_CHOICES = (150, 200, 300)
# First size: roomy on a desktop monitor, shrunk to the screen's free area (without the taskbar)
# on the 1366 x 768 laptops many communes use; FRAME leaves room for the title bar and borders.
PREFERRED_SIZE = (1200, 820)
FRAME = (24, 48)
NEW = -1  # page_ready target: append a new page


def thumbnail(page: ProcessedPage) -> QImage:
    """Worker thread: a small QImage of the stored page (QImage, unlike QPixmap, is thread-safe)."""
    import io

    from PIL import Image, ImageOps

    img = Image.open(io.BytesIO(page.data))
    if page.overlay is not None:  # a mixed page: the G4 page with its colour/grey area on it
        from desk_app.scanning.overlay import compose

        img = compose(img.convert("L").reduce(4), page.overlay.data, tuple(v // 4 for v in page.overlay.box))
    img.draft("RGB", (THUMB * 2, THUMB * 2))
    img = img.convert("RGB")
    img.thumbnail((THUMB - 2, THUMB - 2))
    img = ImageOps.expand(img, border=1, fill=(150, 150, 150))  # a white page still shows its edge
    data = img.tobytes()
    return QImage(data, img.width, img.height, img.width * 3, QImage.Format.Format_RGB888).copy()


def initial_size(available: QSize) -> tuple[int, int]:
    """The dialog's first (width, height) on a screen whose free area is ``available``."""
    return (min(PREFERRED_SIZE[0], available.width() - FRAME[0]),
            min(PREFERRED_SIZE[1], available.height() - FRAME[1]))


class _Bridge(QObject):
    """Lives on the UI thread; worker emits are queued to it."""

    page_ready = Signal(object, object, int, str, int)  # page, thumbnail, key to replace (NEW), document, batch
    progress = Signal(int, int)  # pages done, pages in total


class ScanDialog(QDialog):
    saved = Signal(str)  # dossier code

    def __init__(
        self, runner: TaskRunner, tr: Translator, *, code: str, documents: list[str],
        backends: Callable[[], list[ScannerBackend]] = available_backends, parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.runner, self._tr, self.code, self.documents = runner, tr, code, documents
        self._backends_factory = backends
        self._backends: list[ScannerBackend] = []
        self._cancel = threading.Event()
        self._keys = itertools.count(1)
        self._modes: dict[str, str] = {}  # document -> mode forced for it ("auto" when absent)
        self._busy = False
        self._bridge = _Bridge()
        self._bridge.page_ready.connect(self._add_page)
        self._bridge.progress.connect(self._show_progress)
        self._message: Callable[[Translator], str] = lambda tr: ""  # the status line, in any language
        self.setAcceptDrops(True)
        self.resize(*initial_size(self.screen().availableGeometry().size()))

        self.device = QComboBox()
        self.device.setMinimumContentsLength(24)
        self.device.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.source = QComboBox()
        self.dpi = QComboBox()
        for dpi in DPI_CHOICES:
            self.dpi.addItem(f"{dpi} dpi", dpi)
        self.dpi.setCurrentIndex(DPI_CHOICES.index(200))
        self.max_pages = QSpinBox()
        self.max_pages.setRange(0, 300)
        self.document = QComboBox()
        self.document.addItems(documents)
        self.document.setMinimumContentsLength(24)
        self.document.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.mode = QComboBox()
        for key in MODE_LABELS:
            self.mode.addItem("", key)
        self.device.currentIndexChanged.connect(self._device_changed)
        self.document.currentIndexChanged.connect(self._document_changed)
        self.mode.currentIndexChanged.connect(self._mode_changed)

        # Every fixed text with the setter that shows it: set now and again on a language change.
        self._texts: list[tuple[Callable[[str], None], str]] = []
        scanner = self._text(QGroupBox(), N_("Máy quét"), "setTitle")
        scanner_form = QFormLayout(scanner)
        for label, field in ((N_("Thiết bị"), self.device), (N_("Nguồn giấy"), self.source),
                             (N_("Độ phân giải"), self.dpi), (N_("Số trang tối đa"), self.max_pages)):
            scanner_form.addRow(self._text(QLabel(), label), field)
        target = self._text(QGroupBox(), N_("Giấy tờ"), "setTitle")
        target_form = QFormLayout(target)
        target_form.addRow(self._text(QLabel(), N_("Gán cho giấy tờ")), self.document)
        target_form.addRow(self._text(QLabel(), N_("Chế độ")), self.mode)
        self._text(self.max_pages, N_("Tất cả"), "setSpecialValueText")

        self.scan_button = self._text(QPushButton(), N_("Quét"))
        self.import_button = self._text(QPushButton(), N_("Nhập tệp…"))
        self._text(self.import_button, N_("PDF, JPEG, PNG, TIFF; có thể kéo thả tệp vào cửa sổ này."), "setToolTip")
        self.stop_button = self._text(QPushButton(), N_("Dừng"))
        self.rotate_button = self._text(QPushButton(), N_("Xoay 90°"))
        self.delete_button = self._text(QPushButton(), N_("Xóa trang"))
        self.rescan_button = self._text(QPushButton(), N_("Quét lại trang này"))
        self.assign_button = self._text(QPushButton(), N_("Gán trang đã chọn"))
        self.save_button = self._text(QPushButton(), N_("Lưu vào hồ sơ"))
        self.save_button.setDefault(True)
        self.stop_button.setEnabled(False)
        self.scan_button.clicked.connect(lambda: self.start_scan())
        self.import_button.clicked.connect(self.choose_files)
        self.stop_button.clicked.connect(self._cancel.set)
        self.rotate_button.clicked.connect(self.rotate_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.rescan_button.clicked.connect(self.rescan_selected)
        self.assign_button.clicked.connect(self.assign_selected)
        self.save_button.clicked.connect(self.save)

        self.pages = PageList()
        self.pages.model().rowsMoved.connect(lambda *_: self._renumber())
        self.pages.files_dropped.connect(self.import_files)
        self.pages.itemSelectionChanged.connect(self._update_buttons)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)

        left = QVBoxLayout()
        left.addWidget(scanner)
        left.addWidget(target)
        row = QHBoxLayout()
        row.addWidget(self.scan_button)
        row.addWidget(self.import_button)
        row.addWidget(self.stop_button)
        left.addLayout(row)
        edit = self._text(QGroupBox(), N_("Trang đã chọn"), "setTitle")
        edit_box = QVBoxLayout(edit)
        for button in (self.rotate_button, self.delete_button, self.rescan_button, self.assign_button):
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
        self.retranslate(tr)
        self._say(N_("Quét hoặc nhập tệp; kéo thả để đổi thứ tự trang."))
        self._set_busy(True)
        self.runner.io(self._list_devices, on_done=self._devices_listed, on_error=self._devices_failed)

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
        for combo, labels in ((self.mode, MODE_LABELS), (self.source, SOURCE_LABELS)):
            for i in range(combo.count()):
                combo.setItemText(i, tr(labels[combo.itemData(i)]))
        for i in range(self.device.count()):
            self.device.setItemText(i, self._device_label(self.device.itemData(i)))
        self._progress_format()
        self.status.setText(self._message(tr))
        self._renumber()

    def _say(self, text: str, **params) -> None:
        """Show ``text`` (a Vietnamese source string) on the status line, in the current language."""
        self._show(lambda tr: tr(text, **params))

    def _show(self, message: Callable[[Translator], str]) -> None:
        self._message = message
        self.status.setText(message(self._tr))

    # --- devices --------------------------------------------------------------------------------
    def _device_label(self, info) -> str:
        return info.name + (f" — {self._tr('thử nghiệm')}" if info.experimental else "")

    def _list_devices(self):
        """I/O thread: asking drivers for devices can take seconds."""
        self._backends = self._backends_factory()
        devices = []
        for backend in self._backends:
            try:
                devices += backend.devices()
            except DeskError:
                continue
        return devices

    def _devices_listed(self, devices) -> None:
        self.device.clear()
        for info in devices:
            self.device.addItem(self._device_label(info), info)
        self._set_busy(False)
        if not devices:
            self._say(N_("Không tìm thấy máy quét nào. Vẫn có thể nhập tệp."))

    def _devices_failed(self, exc: BaseException) -> None:
        self._failed(exc)  # files can still be imported

    def _device_changed(self) -> None:
        info = self.device.currentData()
        self.source.clear()
        for key in info.sources if info else ():
            self.source.addItem(self._tr(SOURCE_LABELS[key]), key)
        self._update_buttons()

    # --- per-document mode ----------------------------------------------------------------------
    def mode_for(self, document: str) -> str:
        return self._modes.get(document, "auto")

    def _document_changed(self) -> None:
        self.mode.blockSignals(True)
        self.mode.setCurrentIndex(self.mode.findData(self.mode_for(self.document.currentText())))
        self.mode.blockSignals(False)

    def _mode_changed(self) -> None:
        """The mode chosen applies to the document shown: its next scans and imports."""
        self._modes[self.document.currentText()] = self.mode.currentData()

    # --- scanning -------------------------------------------------------------------------------
    def settings(self, *, single: bool = False) -> ScanSettings:
        source = "flatbed" if single and "flatbed" in self.device.currentData().sources else self.source.currentData()
        limit = 1 if single else (self.max_pages.value() or None)
        return ScanSettings(source=source or "flatbed", dpi=self.dpi.currentData(), max_pages=limit)

    def start_scan(self, *, replace_key: int = NEW, document: str | None = None) -> None:
        info = self.device.currentData()
        if info is None or self._busy:
            return
        document = document or self.document.currentText()
        self._start(N_("Đang quét…"))
        settings = self.settings(single=replace_key != NEW)
        self.runner.io(self._scan_job, info.id, settings, document, self.mode_for(document), replace_key,
                       on_done=self._scan_done, on_error=self._failed)

    def _scan_job(self, device: str, settings: ScanSettings, document: str, mode: str, replace_key: int) -> dict:
        """I/O thread: scan, process and thumbnail each page, handing each to the UI at once.
        Blank backs are dropped when the feeder is used."""
        from desk_app.scanning import pipeline

        backend, device_id = backend_for(device, self._backends)
        drop_blank = settings.source in ("feeder", "duplex")
        kept = dropped = 0
        for raw in backend.scan(device_id, settings, cancelled=self._cancel.is_set):
            page = pipeline.process(raw, mode=mode, drop_blank=drop_blank)
            if page is None:
                dropped += 1
                continue
            kept += 1
            self._bridge.page_ready.emit(page, thumbnail(page), replace_key, document, 0)
        return {"kept": kept, "dropped": dropped}

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
        document = self.document.currentText()
        batch = next(self._keys)
        self._start(N_("Đang kiểm tra {n} tệp…"), n=len(paths))
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.runner.io(self._import_job, [Path(p) for p in paths], document, self.mode_for(document), batch,
                       on_done=self._import_done, on_error=lambda exc: self._import_failed(exc, batch))

    def _import_job(self, paths: list[Path], document: str, mode: str, batch: int) -> dict:
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
        self._bridge.progress.emit(0, total)
        for path in files:
            for raw in imports.read_pages(path):
                if self._cancel.is_set():
                    return {"pages": done, "files": len(files), "stopped": True}
                page = pipeline.process(raw, mode=mode)
                done += 1
                self._bridge.page_ready.emit(page, thumbnail(page), NEW, document, batch)
                self._bridge.progress.emit(done, total)
        return {"pages": done, "files": len(files), "stopped": False}

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
        for row in reversed(range(self.pages.count())):
            if self.pages.item(row).data(BATCH_ROLE) == batch:
                self.pages.takeItem(row)
        self._renumber()
        self._failed(exc)

    # --- the page list --------------------------------------------------------------------------
    def _item_by_key(self, key: int) -> QListWidgetItem | None:
        for row in range(self.pages.count()):
            if self.pages.item(row).data(KEY_ROLE) == key:
                return self.pages.item(row)
        return None

    def _add_page(self, page: ProcessedPage, image: QImage, replace_key: int, document: str, batch: int) -> None:
        item = self._item_by_key(replace_key) if replace_key != NEW else None
        if item is None:
            item = QListWidgetItem()
            item.setData(KEY_ROLE, next(self._keys))
            item.setData(DOC_ROLE, document)
            item.setData(BATCH_ROLE, batch)
            self.pages.addItem(item)
        item.setData(PAGE_ROLE, page)
        item.setIcon(QIcon(QPixmap.fromImage(image)))
        self._renumber()

    def _renumber(self) -> None:
        for row in range(self.pages.count()):
            item = self.pages.item(row)
            page: ProcessedPage = item.data(PAGE_ROLE)
            label = MIXED_LABELS[page.mode] if page.overlay is not None else MODE_LABELS[page.mode]
            # page.bytes: all the page's files (a mixed page's overlay included)
            item.setText(f"{row + 1}. {item.data(DOC_ROLE)}\n{page.bytes / 1024:.1f} KB · {self._tr(label)}")
            item.setToolTip(f"{item.data(DOC_ROLE)}\n{page.origin}")
        self._update_buttons()

    # --- editing --------------------------------------------------------------------------------
    def selected_rows(self) -> list[int]:
        return sorted(self.pages.row(i) for i in self.pages.selectedItems())

    def rotate_selected(self) -> None:
        for row in self.selected_rows():
            item = self.pages.item(row)
            page, key = item.data(PAGE_ROLE), item.data(KEY_ROLE)
            self.runner.io(self._rotate_job, page, key, item.data(DOC_ROLE), on_error=self._failed)

    def _rotate_job(self, page: ProcessedPage, key: int, document: str) -> None:
        """I/O thread."""
        from desk_app.scanning import pipeline

        turned = pipeline.rotate_processed(page, 3)  # 90° clockwise
        self._bridge.page_ready.emit(turned, thumbnail(turned), key, document, 0)

    def delete_selected(self) -> None:
        for row in reversed(self.selected_rows()):
            self.pages.takeItem(row)
        self._renumber()

    def rescan_selected(self) -> None:
        """Scan one sheet again (flatbed when there is one) in place of the selected page."""
        rows = self.selected_rows()
        if len(rows) == 1:
            item = self.pages.item(rows[0])
            self.start_scan(replace_key=item.data(KEY_ROLE), document=item.data(DOC_ROLE))

    def assign_selected(self) -> None:
        for row in self.selected_rows():
            self.pages.item(row).setData(DOC_ROLE, self.document.currentText())
        self._renumber()

    def page_plan(self) -> list[tuple[str, list[ProcessedPage]]]:
        """Pages grouped by document, in the order shown."""
        plan: dict[str, list[ProcessedPage]] = {}
        for row in range(self.pages.count()):
            item = self.pages.item(row)
            plan.setdefault(item.data(DOC_ROLE), []).append(item.data(PAGE_ROLE))
        return list(plan.items())

    # --- saving ---------------------------------------------------------------------------------
    def save(self) -> None:
        plan = self.page_plan()
        if not plan:
            self._say(N_("Chưa có trang nào."))
            return
        self._start(N_("Đang lưu…"))
        self.runner.db(save_pages, self.code, plan, on_done=self._saved, on_error=self._failed)

    def _saved(self, stored: list[dict]) -> None:
        self._finish()
        self._say(N_("Đã lưu {n} trang vào hồ sơ."), n=len(stored))
        self.saved.emit(self.code)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        if isinstance(exc, DeskError):
            self._show(exc.translated)
        else:
            self._say(N_("Lỗi không mong đợi: {detail}"), detail=repr(exc))

    # --- busy state -----------------------------------------------------------------------------
    def _start(self, message: str, **params) -> None:
        self._cancel.clear()
        self._set_busy(True)
        self._say(message, **params)

    def _finish(self) -> None:
        self.progress.setVisible(False)
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for w in (self.device, self.source, self.dpi, self.max_pages):
            w.setEnabled(not busy)
        self.stop_button.setEnabled(busy)
        self._update_buttons()

    def _update_buttons(self) -> None:
        idle, selected = not self._busy, len(self.pages.selectedItems())
        has_device = self.device.currentData() is not None
        self.scan_button.setEnabled(idle and has_device)
        self.import_button.setEnabled(idle)
        self.save_button.setEnabled(idle and self.pages.count() > 0)
        self.rescan_button.setEnabled(idle and has_device and selected == 1)
        for w in (self.rotate_button, self.delete_button, self.assign_button):
            w.setEnabled(idle and selected > 0)


def save_pages(services, code: str, plan: list[tuple[str, list[ProcessedPage]]]) -> list[dict]:
    """DB thread: one attach (files, then rows + outbox) per document."""
    stored: list[dict] = []
    for document, pages in plan:
        stored += services.digitise.attach(code, document, pages)
    return stored

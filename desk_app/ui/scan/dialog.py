"""Scan dialog: pick device, source, resolution and mode; pages appear as thumbnails while the
scanner delivers them; rotate, reorder by drag, delete, rescan one page, assign pages to the
dossier's documents; save stores them (files first, then rows + outbox) on the DB thread.

UI thread only. Scanning and page processing run on ``TaskRunner.io``; each processed page is
handed back through a queued signal, so the window never waits on the scanner.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QFormLayout, QHBoxLayout, QLabel, QListWidget,
    QListWidgetItem, QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from desk_app.domain.errors import DeskError
from desk_app.i18n import N_, Translator
from desk_app.scanning.sources import ScannerBackend, ScanSettings, available_backends, backend_for
from desk_app.ui.tasks import TaskRunner

if TYPE_CHECKING:  # the pipeline and pages pull in numpy and Pillow: loaded on the I/O pool, when scanning
    from desk_app.scanning.page import ProcessedPage

PAGE_ROLE = Qt.ItemDataRole.UserRole
DOC_ROLE = Qt.ItemDataRole.UserRole + 1
THUMB = 160
MODE_LABELS = {"auto": N_("Tự động"), "text": N_("Chữ (đen trắng)"), "grey": N_("Ảnh xám"), "color": N_("Màu")}
SOURCE_LABELS = {"flatbed": N_("Mặt kính"), "feeder": N_("Khay nạp giấy"), "duplex": N_("Khay nạp, hai mặt")}
DPI_CHOICES = (150, 200, 300)


def thumbnail(page: ProcessedPage) -> QImage:
    """Worker thread: a small QImage of the stored page (QImage, unlike QPixmap, is thread-safe)."""
    import io

    from PIL import Image

    img = Image.open(io.BytesIO(page.data))
    img.draft("RGB", (THUMB * 2, THUMB * 2))
    img = img.convert("RGB")
    img.thumbnail((THUMB, THUMB))
    data = img.tobytes()
    return QImage(data, img.width, img.height, img.width * 3, QImage.Format.Format_RGB888).copy()


class _Bridge(QObject):
    """Lives on the UI thread; worker emits are queued to it."""

    page_ready = Signal(object, object, int)  # page, thumbnail QImage, row to replace (-1 = append)


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
        self._bridge = _Bridge()
        self._bridge.page_ready.connect(self._add_page)
        self.setWindowTitle(tr("Quét hồ sơ {code}", code=code))
        self.resize(900, 640)

        self.device = QComboBox()
        self.source = QComboBox()
        self.dpi = QComboBox()
        for dpi in DPI_CHOICES:
            self.dpi.addItem(f"{dpi} dpi", dpi)
        self.dpi.setCurrentIndex(DPI_CHOICES.index(200))
        self.mode = QComboBox()
        for key, label in MODE_LABELS.items():
            self.mode.addItem(tr(label), key)
        self.max_pages = QSpinBox()
        self.max_pages.setRange(0, 300)
        self.max_pages.setSpecialValueText(tr("Tất cả"))
        self.document = QComboBox()
        self.document.addItems(documents)
        self.device.currentIndexChanged.connect(self._device_changed)

        form = QFormLayout()
        form.addRow(tr("Máy quét"), self.device)
        form.addRow(tr("Nguồn giấy"), self.source)
        form.addRow(tr("Độ phân giải"), self.dpi)
        form.addRow(tr("Chế độ"), self.mode)
        form.addRow(tr("Số trang tối đa"), self.max_pages)
        form.addRow(tr("Gán cho giấy tờ"), self.document)

        self.scan_button = QPushButton(tr("Quét"))
        self.stop_button = QPushButton(tr("Dừng"))
        self.rotate_button = QPushButton(tr("Xoay 90°"))
        self.delete_button = QPushButton(tr("Xóa trang"))
        self.rescan_button = QPushButton(tr("Quét lại trang này"))
        self.assign_button = QPushButton(tr("Gán trang đã chọn"))
        self.save_button = QPushButton(tr("Lưu vào hồ sơ"))
        self.stop_button.setEnabled(False)
        self.scan_button.clicked.connect(lambda: self.start_scan())
        self.stop_button.clicked.connect(self._cancel.set)
        self.rotate_button.clicked.connect(self.rotate_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.rescan_button.clicked.connect(self.rescan_selected)
        self.assign_button.clicked.connect(self.assign_selected)
        self.save_button.clicked.connect(self.save)

        self.pages = QListWidget()
        self.pages.setViewMode(QListWidget.ViewMode.IconMode)
        self.pages.setIconSize(QSize(THUMB, THUMB))
        self.pages.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.pages.setMovement(QListWidget.Movement.Snap)
        self.pages.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.pages.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.pages.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.pages.model().rowsMoved.connect(lambda *_: self._renumber())
        self.status = QLabel()
        self.status.setWordWrap(True)

        left = QVBoxLayout()
        left.addLayout(form)
        for button in (self.scan_button, self.stop_button, self.rescan_button, self.rotate_button,
                       self.delete_button, self.assign_button):
            left.addWidget(button)
        left.addStretch(1)
        left.addWidget(self.save_button)
        right = QVBoxLayout()
        right.addWidget(self.pages, 1)
        right.addWidget(self.status)
        layout = QHBoxLayout(self)
        layout.addLayout(left)
        layout.addLayout(right, 1)
        self._set_busy(True)
        self.runner.io(self._list_devices, on_done=self._devices_listed, on_error=self._failed)

    # --- devices --------------------------------------------------------------------------------
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
        self._set_busy(False)
        self.device.clear()
        for info in devices:
            label = info.name + (f" — {self._tr('thử nghiệm')}" if info.experimental else "")
            self.device.addItem(label, info)
        if not devices:
            self.status.setText(self._tr("Không tìm thấy máy quét nào."))

    def _device_changed(self) -> None:
        info = self.device.currentData()
        self.source.clear()
        for key in info.sources if info else ():
            self.source.addItem(self._tr(SOURCE_LABELS[key]), key)

    # --- scanning -------------------------------------------------------------------------------
    def settings(self, *, single: bool = False) -> ScanSettings:
        source = "flatbed" if single and "flatbed" in self.device.currentData().sources else self.source.currentData()
        limit = 1 if single else (self.max_pages.value() or None)
        return ScanSettings(source=source or "flatbed", dpi=self.dpi.currentData(), max_pages=limit)

    def start_scan(self, *, replace_row: int = -1) -> None:
        info = self.device.currentData()
        if info is None:
            return
        self._cancel.clear()
        self._set_busy(True)
        self.status.setText(self._tr("Đang quét…"))
        settings = self.settings(single=replace_row >= 0)
        self.runner.io(self._scan_job, info.id, settings, self.mode.currentData(), replace_row,
                       on_done=self._scan_done, on_error=self._failed)

    def _scan_job(self, device: str, settings: ScanSettings, mode: str, replace_row: int) -> dict:
        """I/O thread: scan, process and thumbnail each page, handing each to the UI at once."""
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
            self._bridge.page_ready.emit(page, thumbnail(page), replace_row)
        return {"kept": kept, "dropped": dropped}

    def _scan_done(self, result: dict) -> None:
        self._set_busy(False)
        self.status.setText(self._tr("Đã quét {kept} trang, bỏ {dropped} trang trắng.", **result))

    def _add_page(self, page: ProcessedPage, image: QImage, replace_row: int) -> None:
        if 0 <= replace_row < self.pages.count():
            item = self.pages.item(replace_row)
        else:
            item = QListWidgetItem()
            item.setData(DOC_ROLE, self.document.currentText())
            self.pages.addItem(item)
        item.setData(PAGE_ROLE, page)
        item.setIcon(QIcon(QPixmap.fromImage(image)))
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsDragEnabled)
        self._renumber()

    def _renumber(self) -> None:
        for row in range(self.pages.count()):
            item = self.pages.item(row)
            page: ProcessedPage = item.data(PAGE_ROLE)
            item.setText(f"{row + 1}. {item.data(DOC_ROLE)}\n{page.bytes // 1024} KB · {page.mode}")

    # --- editing --------------------------------------------------------------------------------
    def selected_rows(self) -> list[int]:
        return sorted(self.pages.row(i) for i in self.pages.selectedItems())

    def rotate_selected(self) -> None:
        for row in self.selected_rows():
            page = self.pages.item(row).data(PAGE_ROLE)
            self.runner.io(lambda p=page, r=row: self._bridge.page_ready.emit(*self._rotated(p), r), on_error=self._failed)

    @staticmethod
    def _rotated(page: ProcessedPage) -> tuple[ProcessedPage, QImage]:
        """I/O thread."""
        from desk_app.scanning import pipeline

        turned = pipeline.rotate_processed(page, 3)  # 90° clockwise
        return turned, thumbnail(turned)

    def delete_selected(self) -> None:
        for row in reversed(self.selected_rows()):
            self.pages.takeItem(row)
        self._renumber()

    def rescan_selected(self) -> None:
        rows = self.selected_rows()
        if len(rows) == 1:
            self.start_scan(replace_row=rows[0])

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
            self.status.setText(self._tr("Chưa có trang nào."))
            return
        self._set_busy(True)
        self.runner.db(save_pages, self.code, plan, on_done=self._saved, on_error=self._failed)

    def _saved(self, stored: list[dict]) -> None:
        self._set_busy(False)
        self.status.setText(self._tr("Đã lưu {n} trang vào hồ sơ.", n=len(stored)))
        self.saved.emit(self.code)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        message = exc.translated(self._tr) if isinstance(exc, DeskError) else self._tr("Lỗi không mong đợi: {detail}", detail=repr(exc))
        self.status.setText(message)

    def _set_busy(self, busy: bool) -> None:
        for w in (self.scan_button, self.save_button, self.rescan_button, self.device):
            w.setEnabled(not busy)
        self.stop_button.setEnabled(busy)


def save_pages(services, code: str, plan: list[tuple[str, list[ProcessedPage]]]) -> list[dict]:
    """DB thread: one attach (files, then rows + outbox) per document."""
    stored: list[dict] = []
    for document, pages in plan:
        stored += services.digitise.attach(code, document, pages)
    return stored

"""Print preview: the form's pages rendered by pdfium, shown as images, with Print, Save PDF
and Close. UI thread (the rendering itself runs on the runner's ``render`` executor)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desk_app.i18n import Translator
from desk_app.ui.tasks import TaskRunner
from desk_app.ui.widgets import fit_to_screen

PREVIEW_DPI = 110


def page_images(pdf: bytes, dpi: int = PREVIEW_DPI) -> list[QImage]:
    """Rasterise every page (I/O thread: QImage, unlike QPixmap, may be built off the UI thread)."""
    from desk_app.pdfium_lock import render_pages

    images = []
    for _size, page in render_pages(pdf, scale=dpi / 72):
        bitmap = page.convert("RGB")
        data = bitmap.tobytes()
        images.append(QImage(data, bitmap.width, bitmap.height, 3 * bitmap.width, QImage.Format.Format_RGB888).copy())
    return images


class PreviewDialog(QDialog):
    print_requested = Signal()
    save_requested = Signal()

    def __init__(self, runner: TaskRunner, tr: Translator, pdf: bytes, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        fit_to_screen(self, 720, 860)  # a 1366x768 screen: shorter, the buttons stay on screen
        self._pages = QVBoxLayout()
        self._pages.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        holder = QWidget()
        holder.setLayout(self._pages)
        scroll = QScrollArea()
        scroll.setWidget(holder)
        scroll.setWidgetResizable(True)
        self.status = QLabel(tr("Đang dựng bản xem trước…"))
        buttons = QDialogButtonBox()
        self.print_button = QPushButton(tr("In"))
        self.print_button.setDefault(True)
        self.save_button = QPushButton(tr("Lưu PDF…"))
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close).setText(tr("Đóng"))
        buttons.rejected.connect(self.reject)
        self.print_button.clicked.connect(self.print_requested.emit)
        self.save_button.clicked.connect(self.save_requested.emit)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.labels: list[QLabel] = []
        self._tr = tr
        # Set once printing starts: the page images may arrive later (a fast "In" press) and
        # must not replace a printing or print-failure message with the page count.
        self._print_status_shown = False
        runner.render(page_images, pdf, on_done=self._show_pages, on_error=self._failed)

    def _show_pages(self, images: list[QImage]) -> None:
        for image in images:
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(image))
            label.setStyleSheet("background: white; border: 1px solid #999;")
            self._pages.addWidget(label)
            self.labels.append(label)
        if not self._print_status_shown:
            self.status.setText(self._tr("{pages} trang", pages=len(images)))

    # --- printing from the preview: it stays open until the printer took the job ---------------
    def printing(self) -> None:
        self.print_button.setEnabled(False)
        self._print_status_shown = True
        self.status.setText(self._tr("Đang gửi tới máy in…"))

    def print_done(self) -> None:
        self.accept()

    def print_failed(self, detail: str) -> None:
        """The print failed: say so here and keep Print (retry) and Save PDF offered."""
        self.print_button.setEnabled(True)
        self.status.setText(self._tr("In không thành công: {detail}. Có thể in lại hoặc lưu PDF.", detail=detail))
        self.save_button.setFocus()

    def _failed(self, error: BaseException) -> None:
        self.status.setText(self._tr("Không dựng được bản xem trước: {detail}", detail=str(error)))

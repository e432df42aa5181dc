"""Seeing the pages taken in: a full-size page viewer (zoom, rotate the view, page through with
the keyboard) and a strip of thumbnails that opens it. Shared by the scan dialog (pages not yet
saved, held in memory) and the dossier page (pages stored in the content-addressed files).

Pages are decoded and scaled on ``TaskRunner.io`` (``render_page`` builds a QImage, which,
unlike QPixmap, is safe off the UI thread); the UI thread only shows the result. Zoom and
rotation are a view transform, so they re-render nothing. Keys (docs/scanning.md):
PgDn / → / ↓ / Space next page, PgUp / ← / ↑ previous, Home / End first / last, + / - zoom,
0 fit to the window, R rotate the view 90° (Shift+R back), Esc close.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap, QTransform
from PySide6.QtWidgets import (
    QDialog,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.i18n import N_, Translator
from desk_app.ui.tasks import TaskRunner

# Longest side of a page as the viewer decodes it: an A4 page at 200 dpi (2339 px) stays sharp
# at 100 % on a 1366 x 768 screen, and a 300 dpi scan is reduced before it reaches the UI.
VIEW_SIDE = 2400
STRIP_THUMB = 96
ZOOM_STEP = 1.25
ZOOM_MIN, ZOOM_MAX = 0.1, 8.0
CACHE_PAGES = 6  # decoded pages kept while paging back and forth


@dataclass(frozen=True)
class PageRef:
    """One page to show: ``load()`` (any thread) returns the page file bytes, ``overlay()``
    the bytes of a mixed page's colour/grey area (``box`` in page pixels) or None."""

    label: str  # "Giấy chứng sinh · trang 2"
    load: Callable[[], bytes]
    overlay: Callable[[], bytes | None] = lambda: None
    box: tuple[int, int, int, int] | None = None
    marks: tuple[tuple[int, int, int, int], ...] = ()  # search hits (x, y, w, h in page pixels), shaded


def render_pil(data: bytes, overlay: bytes | None, box, max_side: int, marks=()):
    """Worker thread: the page as a PIL RGB image (a mixed page with its colour/grey area
    composed on it), reduced so its longest side is at most ``max_side``; ``marks`` (boxes in
    page pixels: words found by a search) are shaded yellow."""
    from desk_app.scanning.page import open_page

    img = open_page(data)
    page_width = img.width
    factor = max(1, max(img.size) // max_side)
    if overlay is not None and box is not None:
        from desk_app.scanning.overlay import compose

        img = compose(img.convert("L").reduce(factor), overlay, tuple(v // factor for v in box))
    elif img.mode == "1" and factor > 1:
        img = img.convert("L").reduce(factor)  # a bilevel page: averaging whole blocks first keeps thumbnails cheap
    img.draft("RGB", (max_side, max_side))  # JPEG: decode at a reduced scale directly
    img = img.convert("RGB")
    if marks:
        img = _shade(img, marks, img.width / page_width)
    img.thumbnail((max_side, max_side))
    return img


def _shade(img, marks, scale: float):
    """Yellow highlighter over each box, the ink still readable through it (multiply)."""
    from PIL import Image, ImageChops, ImageDraw

    layer = Image.new("RGB", img.size, (255, 255, 255))
    draw = ImageDraw.Draw(layer)
    for x, y, w, h in marks:
        pad = max(1, round(h * scale * 0.15))
        draw.rectangle((x * scale - pad, y * scale - pad, (x + w) * scale + pad, (y + h) * scale + pad), fill=(255, 230, 0))
    return ImageChops.multiply(img, layer)


def to_qimage(img) -> QImage:
    """A PIL RGB image as a QImage that owns its pixels (safe to hand to the UI thread)."""
    return QImage(img.tobytes(), img.width, img.height, img.width * 3, QImage.Format.Format_RGB888).copy()


def render_page(data: bytes, overlay: bytes | None, box, max_side: int, marks=()) -> QImage:
    return to_qimage(render_pil(data, overlay, box, max_side, marks))


def load_page_image(ref: PageRef, max_side: int) -> QImage:
    """Worker thread: read the files of ``ref`` and render them."""
    return render_page(ref.load(), ref.overlay(), ref.box, max_side, ref.marks)


class PageView(QGraphicsView):
    """The page, zoomed and rotated by the view transform (nothing is re-rendered)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self.item)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys go to the dialog's shortcuts
        self.zoom = 1.0
        self.rotation = 0
        self.fit = True

    def set_image(self, image: QImage | None) -> None:
        self.item.setPixmap(QPixmap.fromImage(image) if image is not None else QPixmap())
        self.scene().setSceneRect(self.item.boundingRect())
        self.apply()

    def apply(self) -> None:
        if self.fit and not self.item.pixmap().isNull():
            self.setTransform(QTransform().rotate(self.rotation))
            self.fitInView(self.item, Qt.AspectRatioMode.KeepAspectRatio)
            self.zoom = self.transform().m11() ** 2 + self.transform().m12() ** 2
            self.zoom = self.zoom ** 0.5
        else:
            self.setTransform(QTransform().rotate(self.rotation).scale(self.zoom, self.zoom))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.fit:
            self.apply()


class PageViewer(QDialog):
    """One page at full size; pages through ``pages`` (a list of ``PageRef``)."""

    page_shown = Signal(int)  # index, once its image is on screen

    def __init__(self, runner: TaskRunner, tr: Translator, pages: list[PageRef], *, start: int = 0,
                 title: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self._tr, self.pages, self.title = runner, tr, pages, title
        self.index = max(0, min(start, len(pages) - 1))
        self._cache: OrderedDict[int, QImage] = OrderedDict()
        self._loading: set[int] = set()
        self.setModal(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the keys come here: nothing inside takes focus
        self.view = PageView()
        self.caption = QLabel()
        self.caption.setObjectName("pageCaption")
        self.zoom_text = QLabel()
        self.buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        for key, text, slot in (
            ("previous", N_("◀ Trang trước (PgUp)"), self.previous),
            ("next", N_("Trang sau (PgDn) ▶"), self.next),
            ("zoom_out", N_("Thu nhỏ (-)"), self.zoom_out),
            ("zoom_in", N_("Phóng to (+)"), self.zoom_in),
            ("fit", N_("Vừa khung (0)"), self.fit),
            ("rotate", N_("Xoay (R)"), self.rotate),
            ("close", N_("Đóng (Esc)"), self.reject),
        ):
            button = QPushButton()
            button.setProperty("source_text", text)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # arrows page through, never move focus
            button.clicked.connect(slot)
            self.buttons[key] = button
            bar.addWidget(button)
            if key == "next":
                bar.addStretch(1)
        bar.insertWidget(2, self.caption, 0)
        bar.addWidget(self.zoom_text)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        K = Qt.Key
        self._keys: dict[int, Callable[[], None]] = {
            **dict.fromkeys((K.Key_PageDown, K.Key_Right, K.Key_Down, K.Key_Space), self.next),
            **dict.fromkeys((K.Key_PageUp, K.Key_Left, K.Key_Up, K.Key_Backspace), self.previous),
            K.Key_Home: lambda: self.show_page(0),
            K.Key_End: lambda: self.show_page(len(self.pages) - 1),
            **dict.fromkeys((K.Key_Plus, K.Key_Equal), self.zoom_in),
            K.Key_Minus: self.zoom_out,
            K.Key_0: self.fit,
            K.Key_R: self.rotate,
        }
        screen = self.screen().availableGeometry().size()
        self.resize(min(1200, screen.width() - 24), min(900, screen.height() - 48))
        self.retranslate(tr)
        self.show_page(self.index)

    def keyPressEvent(self, event) -> None:
        """The viewer's keys (module docstring); Esc closes (QDialog's own)."""
        action = self._keys.get(event.key())
        if event.key() == Qt.Key.Key_R and event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            action = lambda: self.rotate(-90)  # noqa: E731
        if action is None:
            super().keyPressEvent(event)
            return
        event.accept()
        action()

    def retranslate(self, tr: Translator) -> None:
        self._tr = tr
        self.setWindowTitle(self.title or tr("Xem trang"))
        for button in self.buttons.values():
            button.setText(tr(button.property("source_text")))
        self._caption()

    # --- paging -----------------------------------------------------------------------------------
    def show_page(self, index: int) -> None:
        if not self.pages:
            return
        self.index = max(0, min(index, len(self.pages) - 1))
        self._caption()
        image = self._cache.get(self.index)
        if image is not None:
            self._cache.move_to_end(self.index)
            self.view.set_image(image)
            self._zoom_text()
            self.page_shown.emit(self.index)
        else:
            self.view.set_image(None)
            self._load(self.index)
        self._load(self.index + 1)  # the next page is usually wanted next: decode it ahead

    def _load(self, index: int) -> None:
        if not 0 <= index < len(self.pages) or index in self._cache or index in self._loading:
            return
        self._loading.add(index)
        self.runner.io(load_page_image, self.pages[index], VIEW_SIDE,
                       on_done=partial(self._loaded, index),
                       on_error=partial(self._failed, index))

    def _loaded(self, index: int, image: QImage) -> None:
        self._loading.discard(index)
        self._cache[index] = image
        while len(self._cache) > CACHE_PAGES:
            self._cache.popitem(last=False)
        if index == self.index:
            self.view.set_image(image)
            self._zoom_text()
            self.page_shown.emit(index)

    def _failed(self, index: int, exc: BaseException) -> None:
        self._loading.discard(index)
        if index == self.index:
            self.caption.setText(self._tr("Không đọc được trang: {detail}", detail=str(exc) or repr(exc)))

    def next(self) -> None:
        self.show_page(self.index + 1)

    def previous(self) -> None:
        self.show_page(self.index - 1)

    # --- zoom and rotation ------------------------------------------------------------------------
    def zoom_in(self) -> None:
        self._set_zoom(self.view.zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        self._set_zoom(self.view.zoom / ZOOM_STEP)

    def _set_zoom(self, zoom: float) -> None:
        self.view.fit = False
        self.view.zoom = max(ZOOM_MIN, min(ZOOM_MAX, zoom))
        self.view.apply()
        self._zoom_text()

    def fit(self) -> None:
        self.view.fit = True
        self.view.apply()
        self._zoom_text()

    def rotate(self, degrees: int = 90) -> None:
        """Turns the view only: what is stored is not changed (the scan dialog's "Xoay 90°"
        rotates the page itself)."""
        self.view.rotation = (self.view.rotation + degrees) % 360
        self.view.apply()
        self._zoom_text()

    # --- labels -----------------------------------------------------------------------------------
    def _caption(self) -> None:
        if not self.pages:
            self.caption.setText(self._tr("Chưa có trang nào."))
            return
        self.caption.setText(self._tr("Trang {n}/{total} · {label}", n=self.index + 1, total=len(self.pages),
                                      label=self.pages[self.index].label))
        self.buttons["previous"].setEnabled(self.index > 0)
        self.buttons["next"].setEnabled(self.index < len(self.pages) - 1)

    def _zoom_text(self) -> None:
        rotation = f" · {self.view.rotation}°" if self.view.rotation else ""
        self.zoom_text.setText(f"{self.view.zoom * 100:.0f} %{rotation}")


class ThumbnailStrip(QListWidget):
    """A row of page thumbnails (rendered on the I/O pool); Enter or a double click opens the
    viewer at that page (``open_requested``)."""

    open_requested = Signal(int)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self.pages: list[PageRef] = []
        self._generation = 0
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        self.setIconSize(QSize(STRIP_THUMB, STRIP_THUMB))
        self.setGridSize(QSize(STRIP_THUMB + 28, STRIP_THUMB + 34))
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setFixedHeight(STRIP_THUMB + 56)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.itemActivated.connect(lambda item: self.open_requested.emit(self.row(item)))

    def set_pages(self, pages: list[PageRef], captions: list[str]) -> None:
        """Show ``pages`` (thumbnails arrive as they are rendered); a newer call wins."""
        self._generation += 1
        generation = self._generation
        self.clear()
        self.pages = pages
        for index, (ref, caption) in enumerate(zip(pages, captions)):
            item = QListWidgetItem(caption)
            item.setToolTip(ref.label)
            self.addItem(item)
            self.runner.io(load_page_image, ref, STRIP_THUMB * 2,
                           on_done=partial(self._thumb, generation, index))

    def _thumb(self, generation: int, index: int, image: QImage) -> None:
        if generation != self._generation or index >= self.count():
            return  # another dossier's pages since
        icon = QPixmap.fromImage(image).scaled(
            STRIP_THUMB, STRIP_THUMB, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        self.item(index).setIcon(QIcon(icon))

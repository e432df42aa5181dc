"""Pages from files: multi-page PDF (rendered with pypdfium2), JPEG, PNG, multi-page TIFF.

Every check that can refuse a file runs before any page is handed on, and limits are explicit:
an empty, truncated or foreign file, a pixel bomb or an over-long PDF gets a clear Vietnamese
error. Runs on a worker thread (file I/O and rendering).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from desk_app.domain.errors import ValidationError
from desk_app.scanning.page import RawPage

MAX_PAGES_PER_FILE = 100  # a dossier component is a few pages; 500 is a mistake, not a document
MAX_PIXELS = 80_000_000  # A3 at 600 dpi is 70 Mpx; beyond that it is a bomb, not a scan
PDF_RENDER_DPI = 200
A4_WIDTH_IN = 8.27
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff")
SUFFIXES = (".pdf",) + IMAGE_SUFFIXES

Progress = Callable[[int, int], None]  # (pages done, pages in total)


def guess_dpi(image: Image.Image) -> int:
    """The file's own resolution, or one inferred from an A4 portrait width."""
    dpi = image.info.get("dpi")
    if dpi:
        try:
            value = round(float(dpi[0]))
        except (TypeError, ValueError, IndexError):
            value = 0
        if 72 <= value <= 1200:
            return value
    short_side = min(image.size)
    return max(72, min(600, round(short_side / A4_WIDTH_IN)))


def _check_readable(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ValidationError("Không tìm thấy tệp {name}.", field="file", name=path.name) from exc
    except OSError as exc:
        raise ValidationError("Không đọc được tệp {name}: {detail}.", field="file", name=path.name, detail=exc.strerror) from exc
    if not data:
        raise ValidationError("Tệp {name} rỗng (0 byte).", field="file", name=path.name)
    return data


def _too_many(name: str, pages: int, limit: int) -> ValidationError:
    return ValidationError(
        "Tệp {name} có {pages} trang, vượt giới hạn {limit} trang mỗi tệp. Hãy tách tệp thành nhiều phần.",
        field="file", name=name, pages=pages, limit=limit,
    )


def _bomb(name: str, width: int, height: int) -> ValidationError:
    return ValidationError(
        "Ảnh {name} quá lớn ({width}×{height} điểm ảnh): có thể là tệp độc hại, không nhập.",
        field="file", name=name, width=width, height=height,
    )


def count_pages(path: Path, *, max_pages: int = MAX_PAGES_PER_FILE) -> int:
    """Validate ``path`` cheaply (headers, page count, pixel size) and return its page count."""
    return sum(1 for _ in _page_loaders(Path(path), max_pages=max_pages))


def read_pages(
    path: Path, *, max_pages: int = MAX_PAGES_PER_FILE, progress: Progress | None = None
) -> Iterator[RawPage]:
    """Yield the file's pages one at a time (one decoded page in memory at once)."""
    loaders = list(_page_loaders(Path(path), max_pages=max_pages))
    for i, load in enumerate(loaders, 1):
        page = load()
        if progress:
            progress(i, len(loaders))
        yield page


def _page_loaders(path: Path, *, max_pages: int) -> Iterator[Callable[[], RawPage]]:
    data = _check_readable(path)
    if data[:5] == b"%PDF-" or path.suffix.lower() == ".pdf":
        yield from _pdf_loaders(path, data, max_pages)
    else:
        yield from _image_loaders(path, data, max_pages)


def _pdf_loaders(path: Path, data: bytes, max_pages: int) -> Iterator[Callable[[], RawPage]]:
    # Every pdfium call under the one lock (desk_app/pdfium_lock.py): a preview or a print may
    # render on another thread meanwhile. Each page opens the document again, so nothing of
    # pdfium outlives the lock (a finalizer run later on another thread would call pdfium).
    from desk_app.pdfium_lock import page_sizes, render_page

    try:
        sizes = page_sizes(data)
    except Exception as exc:
        raise ValidationError(
            "Tệp PDF {name} bị hỏng hoặc không đọc được (có thể tải về chưa hết).", field="file", name=path.name
        ) from exc
    total = len(sizes)
    if total == 0:
        raise ValidationError("Tệp PDF {name} không có trang nào.", field="file", name=path.name)
    if total > max_pages:
        raise _too_many(path.name, total, max_pages)
    scale = PDF_RENDER_DPI / 72
    for index, (width, height) in enumerate(sizes):
        if width * scale * height * scale > MAX_PIXELS:
            raise _bomb(path.name, round(width * scale), round(height * scale))

        def load(index: int = index) -> RawPage:
            try:
                image = render_page(data, index, scale=scale, grayscale=False)
            except Exception as exc:
                raise ValidationError(
                    "Không hiển thị được trang {page} của tệp {name}.", field="file", page=index + 1, name=path.name
                ) from exc
            return RawPage(image, PDF_RENDER_DPI, f"{path.name} p.{index + 1}")

        yield load


def _image_loaders(path: Path, data: bytes, max_pages: int) -> Iterator[Callable[[], RawPage]]:
    try:
        with warnings.catch_warnings():  # the pixel count is checked below, with a clear message
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError as exc:
        raise ValidationError(
            "Tệp {name} không phải ảnh hay PDF được hỗ trợ (PDF, JPEG, PNG, TIFF).", field="file", name=path.name
        ) from exc
    except Image.DecompressionBombError as exc:  # over twice Pillow's limit: refused before the size is known
        raise _bomb(path.name, *_header_size(data)) from exc
    if image.format not in ("JPEG", "PNG", "TIFF", "MPO"):
        raise ValidationError(
            "Tệp {name} không phải ảnh hay PDF được hỗ trợ (PDF, JPEG, PNG, TIFF).", field="file", name=path.name
        )
    frames = getattr(image, "n_frames", 1)
    if frames > max_pages:
        raise _too_many(path.name, frames, max_pages)
    for index in range(frames):
        try:
            image.seek(index)
        except EOFError as exc:
            raise _truncated(path.name) from exc
        if image.width * image.height > MAX_PIXELS:
            raise _bomb(path.name, image.width, image.height)
        # Decode now: a truncated file must be refused before anything is stored.
        try:
            frame = image.copy()
            frame.load()
        except Image.DecompressionBombError as exc:
            raise _bomb(path.name, image.width, image.height) from exc
        except (OSError, SyntaxError, ValueError) as exc:
            raise _truncated(path.name) from exc
        dpi = guess_dpi(image)
        origin = f"{path.name} p.{index + 1}" if frames > 1 else path.name

        def load(frame: Image.Image = frame, dpi: int = dpi, origin: str = origin) -> RawPage:
            return RawPage(frame, dpi, origin)

        yield load


def _header_size(data: bytes) -> tuple[int, int]:
    """Width and height as the file's header states them, read by the format's own Pillow
    plugin without decoding and without the pixel-count check of ``Image.open`` (which refuses
    a huge image before telling its size). (0, 0) when no supported header can be read."""
    from PIL import JpegImagePlugin, PngImagePlugin, TiffImagePlugin  # noqa: F401  (register in Image.OPEN)

    for fmt in ("PNG", "JPEG", "TIFF"):
        factory, accept = Image.OPEN[fmt]
        if accept is None or accept(data[:16]):
            try:
                return factory(io.BytesIO(data), "").size
            except Exception:  # a damaged header: the message still says "too large"
                return 0, 0
    return 0, 0


def _truncated(name: str) -> ValidationError:
    return ValidationError(
        "Tệp ảnh {name} bị cắt cụt hoặc hỏng (có thể sao chép chưa hết).", field="file", name=name
    )


def find_input(path: Path) -> Path:
    """Refuse unknown suffixes early with the list of accepted ones."""
    if path.suffix.lower() not in SUFFIXES:
        raise ValidationError(
            "Tệp {name} không phải ảnh hay PDF được hỗ trợ (PDF, JPEG, PNG, TIFF).", field="file", name=path.name
        )
    return path

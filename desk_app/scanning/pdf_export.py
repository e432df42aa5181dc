"""One PDF from stored pages without re-encoding anything: img2pdf embeds each page's JBIG2, G4
or JPEG stream as it is (a JBIG2 file without its file header and end segments, as
/JBIG2Decode); a mixed page's overlay JPEG is then added with pikepdf as a second image
XObject (raw DCT stream, byte for byte the stored file) drawn over the page at its box; a page
with recognised words gets them as an invisible text layer (``desk_app.ocr.text_layer``) laid
over it as a form XObject, so the PDF is searchable and copyable and its images unchanged.

Pure function of bytes in, bytes out; any thread.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from PIL import Image

from desk_app.ocr.engine import Word


@dataclass(frozen=True)
class PdfPage:
    data: bytes  # the page file (JBIG2, G4 TIFF or JPEG)
    width: int  # page pixels
    height: int
    overlay: bytes | None = None  # JPEG
    overlay_box: tuple[int, int, int, int] | None = None  # x, y, w, h in page pixels
    words: Sequence[Word] = field(default=(), repr=False)  # recognised words, boxes in text_size pixels
    text_size: tuple[int, int] | None = None  # the recognised image's size (None: width, height)


def build_pdf(pages: list[PdfPage], *, title: str) -> bytes:
    import img2pdf

    data = img2pdf.convert([p.data for p in pages], title=title, producer="desk_app")
    if not any(p.overlay or p.words for p in pages):
        return data
    import pikepdf

    with pikepdf.Pdf.open(io.BytesIO(data)) as pdf:
        for page, source in zip(pdf.pages, pages):
            if source.overlay and source.overlay_box:
                _add_overlay(pdf, page, source, source.overlay, source.overlay_box)
            if source.words:
                _add_text_layer(pdf, page, source)
        out = io.BytesIO()
        # Streams keep their encoding: DCT, JBIG2 and CCITT data are written as they are.
        pdf.save(out, compress_streams=True, recompress_flate=False)
        return out.getvalue()


def _add_overlay(pdf, page, source: PdfPage, overlay: bytes, box: tuple[int, int, int, int]) -> None:
    import pikepdf

    with Image.open(io.BytesIO(overlay)) as jpeg:  # header only: size and colour space
        width, height, mode = jpeg.width, jpeg.height, jpeg.mode
    image = pikepdf.Stream(pdf, overlay)
    image.Type = pikepdf.Name.XObject
    image.Subtype = pikepdf.Name.Image
    image.Width, image.Height, image.BitsPerComponent = width, height, 8
    image.ColorSpace = pikepdf.Name.DeviceGray if mode == "L" else pikepdf.Name.DeviceRGB
    image.Filter = pikepdf.Name.DCTDecode
    name = page.add_resource(image, pikepdf.Name.XObject, prefix="Ov")
    # Page pixels -> points from the page's own box (img2pdf sizes it from the image's dpi).
    x0, y0, x1, y1 = (float(v) for v in page.mediabox)
    sx, sy = (x1 - x0) / source.width, (y1 - y0) / source.height
    x, y, w, h = box
    placement = f"q {w * sx:.4f} 0 0 {h * sy:.4f} {x0 + x * sx:.4f} {y1 - (y + h) * sy:.4f} cm {name} Do Q"
    page.contents_add(pikepdf.Stream(pdf, placement.encode()), prepend=False)


def _add_text_layer(pdf, page, source: PdfPage) -> None:
    import pikepdf

    from desk_app.ocr.text_layer import text_layer_pdf

    x0, y0, x1, y1 = (float(v) for v in page.mediabox)
    size = source.text_size or (source.width, source.height)
    layer = text_layer_pdf(source.words, image_size=size, page_size=(x1 - x0, y1 - y0))
    with pikepdf.Pdf.open(io.BytesIO(layer)) as text_pdf:
        form = pdf.copy_foreign(text_pdf.pages[0].as_form_xobject())
    name = page.add_resource(form, pikepdf.Name.XObject, prefix="Txt")
    page.contents_add(pikepdf.Stream(pdf, f"q 1 0 0 1 {x0:.4f} {y0:.4f} cm {name} Do Q".encode()), prepend=False)

"""An invisible, copyable text layer for an exported page: the recognised words drawn in text
render mode 3 (neither filled nor stroked) at their boxes, with an embedded DejaVu subset so
the copied text keeps its Vietnamese diacritics (reportlab writes the ToUnicode map).

The page image is not touched: ``scanning/pdf_export.py`` lays this PDF page over the page as a
form XObject. Pure function, any thread.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from desk_app.ocr.engine import Word


def text_layer_pdf(words: Sequence[Word], *, image_size: tuple[int, int], page_size: tuple[float, float]) -> bytes:
    """One PDF page of ``page_size`` points holding ``words`` (boxes in pixels of an image of
    ``image_size``) as invisible text, each word stretched to its box width."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    from desk_app.forms.fonts import REGULAR, register_fonts

    register_fonts()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=page_size, pageCompression=1)
    sx = page_size[0] / max(1, image_size[0])
    sy = page_size[1] / max(1, image_size[1])
    for word in words:
        if not word.text.strip() or word.w <= 0 or word.h <= 0:
            continue
        size = max(1.0, word.h * sy * 0.9)
        natural = stringWidth(word.text, REGULAR, size)
        text = pdf.beginText()
        text.setTextRenderMode(3)
        text.setFont(REGULAR, size)
        if natural > 0:
            text.setHorizScale(100.0 * word.w * sx / natural)
        # Baseline near the bottom of the word's box (descenders are below it).
        text.setTextOrigin(word.x * sx, page_size[1] - (word.y + word.h) * sy + word.h * sy * 0.2)
        text.textOut(word.text)
        pdf.drawText(text)
    pdf.showPage()
    pdf.save()
    return out.getvalue()

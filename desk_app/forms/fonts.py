"""The fonts embedded in every form PDF.

DejaVu Sans covers every Vietnamese letter as a precomposed glyph, so the PDF text layer holds
the applicant's name exactly as typed (NFC) and the PDF prints the same on a Windows PC that
has no such font installed. The TTF files ship in resources/fonts (Bitstream Vera licence).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Literal

from desk_app.paths import resources_dir

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
FAMILY = "DejaVu"

_lock = threading.Lock()


def font_files() -> dict[str, Path]:
    folder = resources_dir() / "fonts"
    return {REGULAR: folder / "DejaVuSans.ttf", BOLD: folder / "DejaVuSans-Bold.ttf"}


def register_fonts() -> None:
    """Register the fonts with reportlab (its registry is per process; idempotent, any thread)."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    with _lock:
        if BOLD in pdfmetrics.getRegisteredFontNames():
            return
        for name, path in font_files().items():
            pdfmetrics.registerFont(TTFont(name, str(path)))
        # <b> inside a Paragraph picks the bold face of the family (there is no italic face:
        # italics fall back to upright, which Vietnamese forms rarely need).
        # The upright entries go last: reportlab maps a face back to the last (bold, italic) given.
        mappings: tuple[tuple[Literal[0, 1], Literal[0, 1], str], ...] = (
            (0, 1, REGULAR),
            (1, 1, BOLD),
            (0, 0, REGULAR),
            (1, 0, BOLD),
        )
        for bold, italic, face in mappings:
            addMapping(REGULAR, bold, italic, face)

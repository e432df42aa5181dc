"""QR and Code128 symbols as module patterns, drawn as vector rectangles.

Why vectors: raster code images pasted into a PDF failed to decode at some sizes and dpi
(docs/platform.md), while filled rectangles decode from 150 dpi renders. Adjacent dark modules
are merged into one rectangle so no hairline seams appear between them when rasterised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

QUIET_MODULES = 4  # QR quiet zone (ISO/IEC 18004 asks for 4 modules)
BAR_QUIET_MODULES = 10  # Code128 quiet zone (10 X each side)
EC_LEVELS = ("L", "M", "Q", "H")


@dataclass(frozen=True)
class QRSymbol:
    text: str
    matrix: tuple[tuple[bool, ...], ...]  # dark = True, without quiet zone
    version: int
    ec: str

    @property
    def size(self) -> int:
        return len(self.matrix)


def qr_symbol(text: str, *, ec: str = "M") -> QRSymbol:
    """Encode ``text`` (UTF-8, byte mode when needed) at the smallest version for ``ec``."""
    import qrcode
    from qrcode import constants

    level = {
        "L": constants.ERROR_CORRECT_L,
        "M": constants.ERROR_CORRECT_M,
        "Q": constants.ERROR_CORRECT_Q,
        "H": constants.ERROR_CORRECT_H,
    }[ec]
    qr = qrcode.QRCode(error_correction=level, border=0)
    qr.add_data(text.encode("utf-8"))
    qr.make(fit=True)
    return QRSymbol(text, tuple(tuple(bool(v) for v in row) for row in qr.get_matrix()), qr.version, ec)


def code128_pattern(text: str) -> str:
    """The bar/space modules of ``text`` in Code128 ('1' = bar), without quiet zones.
    python-barcode picks code sets A/B/C (C for runs of 4+ digits) and adds the checksum."""
    from barcode.codex import Code128

    return Code128(text).build()[0]


def _runs(bits: tuple[bool, ...] | str) -> list[tuple[int, int]]:
    """(start, length) of each run of dark modules."""
    runs: list[tuple[int, int]] = []
    start = None
    for i, bit in enumerate(bits):
        dark = bit is True or bit == "1"
        if dark and start is None:
            start = i
        elif not dark and start is not None:
            runs.append((start, i - start))
            start = None
    if start is not None:
        runs.append((start, len(bits) - start))
    return runs


def draw_qr(canvas: Any, symbol: QRSymbol, *, x: float, y: float, module: float) -> float:
    """Draw ``symbol`` with its quiet zone; (x, y) = bottom-left of the quiet zone, units of
    the canvas (points). Returns the side length including the quiet zone."""
    side = (symbol.size + 2 * QUIET_MODULES) * module
    top = y + side - QUIET_MODULES * module
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(symbol.matrix):
        row_y = top - (r + 1) * module
        for start, length in _runs(row):
            canvas.rect(x + (QUIET_MODULES + start) * module, row_y, length * module, module, stroke=0, fill=1)
    canvas.restoreState()
    return side


def draw_bars(
    canvas: Any, pattern: str, *, x: float, y: float, module: float, height: float, vertical: bool = False
) -> float:
    """Draw a Code128 pattern with its quiet zones; (x, y) = bottom-left. ``vertical`` runs
    the bars along the page (used on narrow thermal paper). Returns the length along the code."""
    length = (len(pattern) + 2 * BAR_QUIET_MODULES) * module
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    for start, run in _runs(pattern):
        offset = (BAR_QUIET_MODULES + start) * module
        if vertical:
            # Read from top to bottom: the first module is at the top.
            canvas.rect(x, y + length - offset - run * module, height, run * module, stroke=0, fill=1)
        else:
            canvas.rect(x + offset, y, run * module, height, stroke=0, fill=1)
    canvas.restoreState()
    return length


def bars_length(pattern: str, module: float) -> float:
    return (len(pattern) + 2 * BAR_QUIET_MODULES) * module

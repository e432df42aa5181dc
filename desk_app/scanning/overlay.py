"""Mixed pages: the whole page as bilevel CCITT G4 (the text, lossless and small) plus one JPEG
overlay at 150 dpi covering only the area with colour or a grey photo (a seal, a signature in
blue ink, an ID photo). A full page of text costs 170-210 KB as one colour JPEG at the q40
legibility floor (the text edges are the bytes); as G4 + overlay it costs 55-105 KB, and the
text outside the overlay stays sharp at the scan resolution.

The overlay is drawn opaquely over the G4 page at its box (in the PDF export too). The G4 page
is complete on its own (the seal is there in black), so a viewer that shows only the page still
shows everything. One overlay per page: several coloured areas share the box around all of them;
when that box covers most of the page the page is stored as one JPEG as before.

Pure functions; any thread.
"""

from __future__ import annotations

import io
from math import gcd

from PIL import Image, ImageFilter

from desk_app.scanning import encode
from desk_app.scanning.page import Overlay

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (end exclusive), page pixels

PAD_INCH = 0.1  # around the coloured pixels: blur, colour fringes and JPEG blocks at the edge
MAX_SHARE = 0.6  # of the page area; above it one JPEG of the whole page is smaller than G4 + overlay


def union_box(boxes: list[Box], size: tuple[int, int], dpi: int, out_dpi: int) -> Box | None:
    """The padded box around all ``boxes``, clipped to the page and aligned so that it scales
    to whole pixels at ``out_dpi`` (at 200 dpi -> 150: multiples of 4 page pixels); ``None``
    when there are no boxes."""
    if not boxes:
        return None
    pad = round(dpi * PAD_INCH)
    x0 = max(0, min(b[0] for b in boxes) - pad)
    y0 = max(0, min(b[1] for b in boxes) - pad)
    x1 = min(size[0], max(b[2] for b in boxes) + pad)
    y1 = min(size[1], max(b[3] for b in boxes) + pad)
    step = dpi // gcd(dpi, out_dpi) if dpi > out_dpi else 1
    if step > 16:  # an odd resolution (e.g. 157 dpi): placement is then exact to a fraction of a pixel
        step = 1
    x0, y0 = x0 - x0 % step, y0 - y0 % step
    x1 = min(size[0], x1 + (-x1) % step)
    y1 = min(size[1], y1 + (-y1) % step)
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def fits(box: Box | None, size: tuple[int, int]) -> bool:
    """Whether an overlay on ``box`` is worth it (colour is not everywhere)."""
    if box is None:
        return False
    return (box[2] - box[0]) * (box[3] - box[1]) <= MAX_SHARE * size[0] * size[1]


def ink_level(grey: Image.Image, bw: Image.Image) -> int:
    """The median grey of the pixels the bilevel page marks as ink. A colour overlay maps it to
    black, so its text is as dark as the G4 text around it (no grey patch around a seal)."""
    import numpy as np

    ink = ~np.asarray(bw)
    return int(np.median(np.asarray(grey)[ink])) if ink.any() else 0


def make_overlay(
    img: Image.Image, box: Box, dpi: int, *, paper: int, budget: int, floor: int, ink: int = 0
) -> Overlay:
    """The JPEG of ``box`` (page pixels of ``img``, RGB or L) at 150 dpi, with the page's own
    paper (and ink) levels, the best quality in [floor, q75] that fits ``budget`` bytes."""
    crop = img.crop(box)
    small, out_dpi = encode.scale_to(crop, dpi, encode.COLOUR_DPI)
    small = encode.whiten_paper(small, paper, ink).filter(ImageFilter.GaussianBlur(encode.COLOUR_SMOOTHING))
    data, quality = encode.encode_jpeg_within(small, out_dpi, budget=budget, floor=floor, ceiling=encode.COLOUR_QUALITY_MAX)
    return Overlay(data, (box[0], box[1], box[2] - box[0], box[3] - box[1]), out_dpi, quality)


def compose(page: Image.Image, overlay_jpeg: bytes, box: tuple[int, int, int, int]) -> Image.Image:
    """The page as a viewer shows it: ``page`` (the decoded bilevel page) with the overlay on its
    box (x, y, w, h), scaled back to page pixels. For thumbnails and checks."""
    over = Image.open(io.BytesIO(overlay_jpeg))
    x, y, w, h = box
    base = page.convert(over.mode if over.mode in ("RGB", "L") else "RGB")
    base.paste(over.convert(base.mode).resize((w, h), Image.Resampling.BILINEAR), (x, y))
    return base


def rotate_box(box: tuple[int, int, int, int], size: tuple[int, int], turns: int) -> tuple[int, int, int, int]:
    """``box`` (x, y, w, h) on a page of ``size`` after ``turns`` quarter turns counter-clockwise
    (as ``Image.Transpose.ROTATE_90`` turns the page)."""
    x, y, w, h = box
    width, height = size
    for _ in range(turns % 4):
        x, y, w, h = y, width - x - w, h, w
        width, height = height, width
    return x, y, w, h

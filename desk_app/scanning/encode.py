"""Turning a page image into compact bytes: adaptive-threshold bilevel pages as lossless JBIG2
(CCITT G4 TIFF where the JBIG2 coder is not installed), JPEG for grey and colour. The encoders
write formats that img2pdf embeds without re-encoding. Pure functions; any thread.
"""

from __future__ import annotations

import io
import logging

import numpy as np
from PIL import Image, ImageFilter

BRADLEY_T = 0.22  # ink = darker than the local mean by more than 22 %
# Bradley compares a pixel with its neighbourhood only, so inside a uniform dark area wider than
# the window (a black sheet, a filled box, a heavy bar) nothing is darker than its mean and the
# area came out white: a solid black sheet was stored as a white page. A pixel this dark is ink
# on any page (paper scans at 200-250, pale tinted paper stays above 120).
ALWAYS_INK = 80
COLOUR_DPI = 150
# Colour pages: the highest JPEG quality whose file fits the budget, never below the floor.
# The floor q40: on 2x crops of 13-14 pt Vietnamese text at 150 dpi, q40 keeps the hook and
# tilde marks clean while q25 already smears them into block artefacts. A dense full page of
# text plus a seal sits at the floor (over budget); a page with less text gets a better quality
# within the same budget.
COLOUR_BUDGET = 150 * 1024
COLOUR_QUALITY = 40  # floor, and the quality a rotated colour page is re-encoded at
COLOUR_QUALITY_MAX = 75
COLOUR_SMOOTHING = 0.6  # px at 150 dpi: removes scanner grain, which JPEG would spend most bytes on
GREY_DPI = 200  # forced grey
PHOTO_DPI = 150  # auto mode, a grey photograph on the page
GREY_QUALITY = 45


def adaptive_threshold(grey: Image.Image, dpi: int) -> Image.Image:
    """Bradley-Roth adaptive threshold: compare each pixel with the mean of a window about
    1/8 inch wide, so uneven lighting and grey paper do not turn into black areas. Isolated
    single black pixels (scanner noise) are removed and 1-pixel bumps and notches on glyph
    edges are evened out: both cost G4 bytes (a ragged edge turns cheap "same position as the
    line above" codes into longer ones) and carry no text."""
    radius = max(4, round(dpi / 16))
    mean = np.asarray(grey.filter(ImageFilter.BoxBlur(radius)), dtype=np.float32)
    g = np.asarray(grey, dtype=np.float32)
    ink = g < mean * (1.0 - BRADLEY_T)
    ink &= g < 210  # never mark light paper texture as ink, whatever its neighbourhood
    ink |= g < ALWAYS_INK  # nor dark areas as paper (see ALWAYS_INK)
    ink = smooth_edges(ink)
    return _bool_to_bilevel(~ink)


def smooth_edges(ink: np.ndarray) -> np.ndarray:
    """One pass over a bilevel page (True = ink), all decisions from the input pixels:
    - an ink pixel with no ink among its 8 neighbours is speckle: removed;
    - an ink pixel touching ink on one side only (1 of 4 direct, 3 of 8 neighbours) is a bump
      on an edge: removed;
    - a paper pixel with ink on 3 or 4 direct sides is a notch in an edge: filled.
    A 1-pixel diagonal or straight hairline (thin strokes, accents) has 2 neighbours along its
    length and is kept whole, which a plain majority filter would not do. Measured on generated
    pages: G4 2-3 % smaller, ink area and topology (holes, pieces) unchanged."""
    p = np.pad(ink, 1).astype(np.uint8)
    h, w = ink.shape
    direct = p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:]
    diagonal = p[:-2, :-2] + p[:-2, 2:] + p[2:, :-2] + p[2:, 2:]
    around = direct + diagonal
    remove = ink & ((around == 0) | ((direct == 1) & (around == 3)))
    fill = ~ink & (direct >= 3)
    return (ink & ~remove) | fill


def _bool_to_bilevel(white: np.ndarray) -> Image.Image:
    packed = np.packbits(white, axis=1)
    h, w = white.shape
    return Image.frombytes("1", (w, h), packed.tobytes())


def encode_bilevel(bw: Image.Image, dpi: int) -> bytes:
    """A bilevel page as it is stored: lossless JBIG2, ~1.6x smaller than G4 on text pages
    (docs/scanning.md, "Below the G4 floor"), when its compiled coder is installed (the
    ``jbig2`` extra: numba) and ready (``jbig2.ready``: compiled by the start-up warm-up);
    otherwise, or should the coder fail, CCITT G4. Readers take both (``page.open_page``)."""
    # Imported here: numba takes ~1 s to load, once per process, on the worker that encodes the
    # first page; the desk's start path never pays it.
    from desk_app.scanning import jbig2

    if jbig2.ready():
        try:
            return jbig2.encode(~np.asarray(bw.convert("1")), dpi)
        except Exception:  # the page is kept whatever happens to the new coder
            logging.getLogger(__name__).exception("JBIG2 encoding failed; page stored as CCITT G4")
    return encode_g4(bw, dpi)


def encode_g4(bw: Image.Image, dpi: int) -> bytes:
    out = io.BytesIO()
    # One strip: img2pdf then embeds the G4 stream as is (several strips would be re-encoded).
    bw.save(out, format="TIFF", compression="group4", dpi=(dpi, dpi), strip_size=1 << 30)
    return out.getvalue()


def paper_level(img: Image.Image) -> int:
    """The grey level levels are stretched from (see ``whiten_paper``), measured on a whole page."""
    grey = img.convert("L") if img.mode != "L" else img
    hist = np.asarray(grey.reduce(4).histogram(), dtype=np.int64)
    cumulative = np.cumsum(hist) / max(1, hist.sum())
    paper = int(np.searchsorted(cumulative, 0.60))  # most of a page is paper
    return max(paper - 12, 128)


def whiten_paper(img: Image.Image, paper: int | None = None, ink: int = 0) -> Image.Image:
    """Stretch levels so the paper becomes white: flat areas then cost JPEG almost nothing.
    ``paper`` comes from the whole page when ``img`` is a crop of it (a crop of a seal or a
    photo is mostly not paper); levels at or below ``ink`` become black."""
    paper = paper_level(img) if paper is None else paper
    lut = [max(0, min(255, round((v - ink) * 255 / (paper - ink)))) for v in range(256)]
    return img.point(lut * (3 if img.mode == "RGB" else 1))


def scale_to(img: Image.Image, dpi: int, target_dpi: int) -> tuple[Image.Image, int]:
    if dpi <= target_dpi:
        return img, dpi
    size = (round(img.width * target_dpi / dpi), round(img.height * target_dpi / dpi))
    return img.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0), target_dpi


def encode_jpeg(img: Image.Image, dpi: int, *, quality: int) -> bytes:
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=quality, dpi=(dpi, dpi), optimize=True, progressive=True, subsampling="4:2:0")
    return out.getvalue()


def encode_jpeg_within(
    img: Image.Image, dpi: int, *, budget: int, floor: int, ceiling: int
) -> tuple[bytes, int]:
    """The best JPEG quality in [floor, ceiling] whose file is at most ``budget`` bytes, by
    bisection (2-5 encodes, file size grows with quality). When even the floor is over budget
    the floor is kept: legibility comes before the size target. Returns (bytes, quality)."""
    best = encode_jpeg(img, dpi, quality=floor)
    if len(best) > budget:
        return best, floor
    top = encode_jpeg(img, dpi, quality=ceiling)
    if len(top) <= budget:
        return top, ceiling
    lo, hi, best_q = floor, ceiling, floor  # lo fits, hi does not
    while hi - lo > 3:  # 3 quality steps change the size by ~4 %: close enough to the budget
        mid = (lo + hi) // 2
        data = encode_jpeg(img, dpi, quality=mid)
        if len(data) <= budget:
            lo, best, best_q = mid, data, mid
        else:
            hi = mid
    return best, best_q

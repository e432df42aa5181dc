"""Looking at a page before encoding it: does it carry colour (a red seal, a photo), is it a
blank back from the feeder, how tilted is it. Works on small reductions so each check costs a
few milliseconds at 300 dpi. Pure functions; any thread.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

# A pixel counts as coloured when its chroma (max - min of R, G, B) at ~50 dpi exceeds this:
# averaging at 50 dpi removes the colour fringes scanners leave at black text edges, while a
# red seal or a photo keeps its chroma.
CHROMA_MIN = 48
COLOUR_FRACTION = 0.0015  # 0.15 % of the page: a seal of 2 cm already covers ~0.5 %
INK_DELTA = 60  # grey levels darker than the local paper to count as ink
BLANK_INK_FRACTION = 0.0008  # below this (inside the margins) a page is a blank back
# Continuous tone (a grey photograph) is looked for in 1/3-inch tiles at 100 dpi, lightly smoothed
# against scanner grain. A tile is photo-like when most of its pixels are mid-grey (neither paper
# nor ink), it is not text on a shadow (mostly one local paper tone plus dark ink: a book gutter)
# and it has texture (a flat grey band or table shading is not a photo). Measured on generated
# pages: dense 13 pt text has at most 48 % mid-grey pixels in a tile and no photo-like tile; a
# 4 x 5 cm photo makes 25 tiles (2.9 % of an A4 page).
TONE_DPI = 100
TONE_TILE = 33  # pixels at TONE_DPI: 1/3 inch, 8.4 mm
TONE_MID_SHARE = 0.5
TONE_MIN_STD = 4.0
PHOTO_FRACTION = 0.01  # of the page in photo-like tiles: about 6 cm², a 2 x 3 cm portrait


def reduce_to(img: Image.Image, dpi: int, target_dpi: int) -> Image.Image:
    factor = max(1, round(dpi / target_dpi))
    return img.reduce(factor) if factor > 1 else img


def colour_mask(img: Image.Image, dpi: int) -> tuple[np.ndarray, float]:
    """Coloured pixels at ~50 dpi, and the size of one of them in page pixels."""
    if img.mode not in ("RGB", "RGBA", "CMYK", "P", "LA", "PA"):
        return np.zeros((1, 1), bool), float(img.width)
    rgb = reduce_to(img.convert("RGB"), dpi, 50)
    arr = np.asarray(rgb, dtype=np.int16)
    chroma = arr.max(axis=2) - arr.min(axis=2)
    return chroma > CHROMA_MIN, img.width / rgb.width


def colour_fraction(img: Image.Image, dpi: int) -> float:
    return float(colour_mask(img, dpi)[0].mean())


def has_colour(img: Image.Image, dpi: int) -> bool:
    return colour_fraction(img, dpi) > COLOUR_FRACTION


def ink_fraction(grey: Image.Image, dpi: int) -> float:
    """Share of ink pixels inside a 6 % margin, relative to the local paper brightness."""
    small = reduce_to(grey, dpi, 100)
    w, h = small.size
    mx, my = round(w * 0.06), round(h * 0.06)
    small = small.crop((mx, my, w - mx, h - my))
    paper = small.filter(ImageFilter.BoxBlur(max(4, small.width // 40)))
    a = np.asarray(small, dtype=np.int16)
    b = np.asarray(paper, dtype=np.int16)
    return float(((b - a) > INK_DELTA).mean())


def is_blank(grey: Image.Image, dpi: int) -> bool:
    """Light paper with (almost) no ink. A dark or black sheet is never blank."""
    if float(np.median(np.asarray(reduce_to(grey, dpi, 25)))) < 128:
        return False
    return ink_fraction(grey, dpi) < BLANK_INK_FRACTION


# A page with hardly any ink but a wide spread of tones (a gradient, a photo filling the page) or a
# mostly dark one is not text: thresholding it to black and white would lose its content. Measured
# on generated pages at 25 dpi: text pages spread 72 levels (p10..p90) with 10-13 % ink; a
# full-page gradient spreads 144 with no ink.
CONTINUOUS_MAX_INK = 0.02
CONTINUOUS_MIN_SPREAD = 100
DARK_MEDIAN = 128


def _tones(grey: Image.Image, dpi: int) -> tuple[float, float, float]:
    a = np.asarray(reduce_to(grey, dpi, 25))
    p10, p50, p90 = np.percentile(a, (10, 50, 90))
    return float(p10), float(p50), float(p90)


def is_continuous_page(grey: Image.Image, dpi: int) -> bool:
    """A gradient, a page-sized photo or a mostly dark page: keep it grey, never bilevel."""
    p10, p50, p90 = _tones(grey, dpi)
    if ink_fraction(grey, dpi) >= CONTINUOUS_MAX_INK:
        return False
    return p90 - p10 > CONTINUOUS_MIN_SPREAD or p50 < DARK_MEDIAN


def page_warning(grey: Image.Image, dpi: int) -> str:
    """"black" for a (nearly) all-black page, "white" for an all-white one with no ink, else "":
    usually a lid left open or a sheet fed the wrong way; the user is asked before saving."""
    p10, _p50, p90 = _tones(grey, dpi)
    if p90 < 40:
        return "black"
    if p10 > 200 and ink_fraction(grey, dpi) < BLANK_INK_FRACTION:
        return "white"
    return ""


def estimate_skew(grey: Image.Image, dpi: int, *, limit: float = 5.0) -> float:
    """Tilt in degrees (counter-clockwise positive, as ``Image.rotate`` takes it) by the
    projection-profile method: text lines give the sharpest row profile when level.
    Coarse 0.5° steps over ±limit, then 0.1° around the best."""
    small = reduce_to(grey, dpi, 75)
    a = np.asarray(small, dtype=np.int16)
    paper = np.asarray(small.filter(ImageFilter.BoxBlur(8)), dtype=np.int16)
    ink = Image.fromarray(((paper - a) > 40).astype(np.uint8) * 255, "L")
    if np.asarray(ink).mean() < 0.3:  # almost no ink: nothing to align on
        return 0.0

    def score(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, resample=Image.Resampling.NEAREST), dtype=np.float32).sum(axis=1)
        return float(np.square(np.diff(rows)).sum())

    coarse = np.arange(-limit, limit + 0.01, 0.5)
    best = max(coarse, key=score)
    fine = np.arange(best - 0.4, best + 0.41, 0.1)
    return round(float(max(fine, key=score)), 2)


def continuous_tone_fraction(grey: Image.Image, dpi: int) -> float:
    """Share of the page in photo-like tiles (see TONE_* above)."""
    tiles, _ = photo_tiles(grey, dpi)
    return float(tiles.mean()) if tiles.size else 0.0


def photo_tiles(grey: Image.Image, dpi: int) -> tuple[np.ndarray, float]:
    """Photo-like tiles (see TONE_* above) and the size of one tile in page pixels."""
    small = reduce_to(grey, dpi, TONE_DPI).filter(ImageFilter.BoxBlur(1))
    a = np.asarray(small, dtype=np.int16)
    t = TONE_TILE
    rows, cols = a.shape[0] // t, a.shape[1] // t
    if not rows or not cols:
        return np.zeros((0, 0), bool), 0.0
    tiles = a[: rows * t, : cols * t].reshape(rows, t, cols, t).transpose(0, 2, 1, 3).reshape(rows, cols, t * t)
    paper = float(np.percentile(a, 60))  # most of a page is paper
    mid = ((tiles > 60) & (tiles < paper - 45)).mean(axis=2)
    local_paper = np.percentile(tiles, 90, axis=2)[..., None]
    on_local_paper = (np.abs(tiles - local_paper) <= 30).mean(axis=2)
    ink = (tiles < local_paper - 70).mean(axis=2)
    text_on_shadow = (on_local_paper > 0.5) & (ink > 0.03)
    photo = (mid > TONE_MID_SHARE) & ~text_on_shadow & (tiles.std(axis=2) > TONE_MIN_STD)
    return photo, t * grey.width / small.width


def has_photo(grey: Image.Image, dpi: int) -> bool:
    """A grey photograph (or other continuous-tone area) large enough that bilevel would
    destroy it."""
    return continuous_tone_fraction(grey, dpi) >= PHOTO_FRACTION


# --- where the colour or the photo is (mixed pages: bilevel page + a small JPEG overlay) ------
# Regions are found on a coarse grid: cells of REGION_CELL mask pixels (0.16 inch at 50 dpi)
# holding at least REGION_MIN_PIXELS coloured pixels; touching cells form one region. A lone
# cell with fewer pixels is scanner noise. The grid keeps the labelling cheap (a few thousand
# cells) even when colour is everywhere.
REGION_CELL = 8
REGION_MIN_PIXELS = 2


def _components(cells: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Bounding boxes (row0, col0, row1, col1; end exclusive) of 8-connected groups of True."""
    seen = np.zeros_like(cells, dtype=bool)
    boxes = []
    rows, cols = cells.shape
    for r0, c0 in zip(*np.nonzero(cells)):
        if seen[r0, c0]:
            continue
        stack = [(r0, c0)]
        seen[r0, c0] = True
        top, left, bottom, right = r0, c0, r0, c0
        while stack:
            r, c = stack.pop()
            top, left, bottom, right = min(top, r), min(left, c), max(bottom, r), max(right, c)
            for rr in (r - 1, r, r + 1):
                for cc in (c - 1, c, c + 1):
                    if 0 <= rr < rows and 0 <= cc < cols and cells[rr, cc] and not seen[rr, cc]:
                        seen[rr, cc] = True
                        stack.append((rr, cc))
        boxes.append((int(top), int(left), int(bottom) + 1, int(right) + 1))
    return boxes


def colour_regions(img: Image.Image, dpi: int) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) in page pixels around each coloured area (a seal, a signature in
    blue ink, a photo), tight to the coloured pixels."""
    mask, scale = colour_mask(img, dpi)
    k = REGION_CELL
    h, w = mask.shape
    padded = np.pad(mask, ((0, -h % k), (0, -w % k)))
    counts = padded.reshape(padded.shape[0] // k, k, padded.shape[1] // k, k).sum(axis=(1, 3))
    boxes = []
    for r0, c0, r1, c1 in _components(counts >= REGION_MIN_PIXELS):
        ys, xs = np.nonzero(mask[r0 * k : r1 * k, c0 * k : c1 * k])
        boxes.append((
            round((c0 * k + xs.min()) * scale), round((r0 * k + ys.min()) * scale),
            round((c0 * k + xs.max() + 1) * scale), round((r0 * k + ys.max() + 1) * scale),
        ))
    return boxes


def photo_regions(grey: Image.Image, dpi: int) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) in page pixels around groups of photo-like tiles, one tile wider
    on each side: a tile the photo covers less than half of is not photo-like."""
    tiles, scale = photo_tiles(grey, dpi)
    return [
        (round((c0 - 1) * scale), round((r0 - 1) * scale), round((c1 + 1) * scale), round((r1 + 1) * scale))
        for r0, c0, r1, c1 in _components(tiles)
    ]

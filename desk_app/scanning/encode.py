"""Turning a page image into compact bytes: adaptive-threshold bilevel CCITT G4 TIFF for text,
JPEG for grey and colour. The encoders write formats that img2pdf embeds without re-encoding.
Pure functions; any thread.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFilter

BRADLEY_T = 0.22  # ink = darker than the local mean by more than 22 %
COLOUR_DPI = 150
COLOUR_QUALITY = 40
COLOUR_SMOOTHING = 0.6  # px at 150 dpi: removes scanner grain, which JPEG would spend most bytes on
GREY_DPI = 200
GREY_QUALITY = 45


def adaptive_threshold(grey: Image.Image, dpi: int) -> Image.Image:
    """Bradley-Roth adaptive threshold: compare each pixel with the mean of a window about
    1/8 inch wide, so uneven lighting and grey paper do not turn into black areas. Isolated
    single black pixels (scanner noise) are removed: they cost G4 bytes and carry no text."""
    radius = max(4, round(dpi / 16))
    mean = np.asarray(grey.filter(ImageFilter.BoxBlur(radius)), dtype=np.float32)
    g = np.asarray(grey, dtype=np.float32)
    ink = g < mean * (1.0 - BRADLEY_T)
    ink &= g < 210  # never mark light paper texture as ink, whatever its neighbourhood
    ink = _despeckle(ink)
    return _bool_to_bilevel(~ink)


def _despeckle(ink: np.ndarray) -> np.ndarray:
    """Drop ink pixels that have no ink among their 4 direct neighbours."""
    p = np.pad(ink, 1)
    neighbours = p[:-2, 1:-1] | p[2:, 1:-1] | p[1:-1, :-2] | p[1:-1, 2:]
    return ink & neighbours


def _bool_to_bilevel(white: np.ndarray) -> Image.Image:
    packed = np.packbits(white, axis=1)
    h, w = white.shape
    return Image.frombytes("1", (w, h), packed.tobytes())


def encode_g4(bw: Image.Image, dpi: int) -> bytes:
    out = io.BytesIO()
    # One strip: img2pdf then embeds the G4 stream as is (several strips would be re-encoded).
    bw.save(out, format="TIFF", compression="group4", dpi=(dpi, dpi), strip_size=1 << 30)
    return out.getvalue()


def whiten_paper(img: Image.Image) -> Image.Image:
    """Stretch levels so the paper becomes white: flat areas then cost JPEG almost nothing."""
    grey = img.convert("L") if img.mode != "L" else img
    hist = np.asarray(grey.reduce(4).histogram(), dtype=np.int64)
    cumulative = np.cumsum(hist) / max(1, hist.sum())
    paper = int(np.searchsorted(cumulative, 0.60))  # most of a page is paper
    paper = max(paper - 12, 128)
    lut = [min(255, round(v * 255 / paper)) for v in range(256)]
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

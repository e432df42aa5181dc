"""One page from capture to stored bytes, in the automatic or a forced mode.

auto: colour content (a red seal, a photo) -> the page as bilevel plus a colour JPEG overlay at
150 dpi of the coloured area (``overlay``), or one colour JPEG at 150 dpi when colour is on most of
the page; a grey photograph (large continuous-tone area, no colour) likewise with a grey overlay
(or one grey JPEG at 150 dpi), since bilevel would destroy it; otherwise text -> straightened,
adaptive threshold, bilevel at the scan resolution (lossless JBIG2, or CCITT G4 without the JBIG2
coder: ``encode.encode_bilevel``). Forced modes per document:
text, grey (JPEG at up to 200 dpi) or color. CPU-bound, no I/O: runs on a worker thread (the
UI's I/O pool, the CLI's main thread), never the UI thread.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from PIL import Image, ImageFilter, ImageOps

from desk_app.domain.errors import ValidationError
from desk_app.scanning import analysis, encode, overlay
from desk_app.scanning.modes import MODES
from desk_app.scanning.page import Overlay, ProcessedPage, RawPage, open_page

MIN_SKEW = 0.15  # degrees; below this straightening only blurs


def check_mode(mode: str) -> str:
    mode = (mode or "auto").lower()
    mode = {"gray": "grey", "colour": "color"}.get(mode, mode)
    if mode not in MODES:
        raise ValidationError("Chế độ không hợp lệ: {value}. Chọn auto, text, grey hoặc color.", field="mode", value=mode)
    return mode


def normalise_image(img: Image.Image) -> Image.Image:
    """Any Pillow mode -> L or RGB, upright per EXIF, transparent areas on white."""
    img = ImageOps.exif_transpose(img) or img
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        base = Image.new("RGB", rgba.size, (255, 255, 255))
        base.paste(rgba, mask=rgba.getchannel("A"))
        return base
    if img.mode in ("1", "L"):
        return img.convert("L")
    if img.mode.startswith("I") or img.mode == "F":
        return ImageOps.autocontrast(img.convert("I").point(lambda v: v * (1 / 256)).convert("L"))
    return img.convert("RGB")


def choose_mode(
    img: Image.Image, dpi: int, mode: str, grey: Image.Image | None = None, *, colour: bool | None = None
) -> str:
    """The stored mode; in auto, also whether a grey page is a photo ("photo": grey at 150 dpi).
    ``colour``: ``analysis.has_colour`` when the caller already measured it."""
    if mode != "auto":
        return mode
    if colour if colour is not None else analysis.has_colour(img, dpi):
        return "color"
    grey = grey if grey is not None else (img.convert("L") if img.mode != "L" else img)
    if analysis.is_continuous_page(grey, dpi):
        return "grey"
    return "photo" if analysis.has_photo(grey, dpi) else "text"


def process(raw: RawPage, *, mode: str = "auto", drop_blank: bool = False, deskew: bool = True) -> ProcessedPage | None:
    """Encode one page; ``None`` when ``drop_blank`` and the page is a blank back. A page that
    is all black or all white carries a ``warning`` ("black"/"white") to ask about before saving."""
    page = _encode(raw, mode=mode, drop_blank=drop_blank, deskew=deskew)
    if page is None:
        return None
    image = raw.image if raw.image.mode == "L" else raw.image.convert("L")
    warning = analysis.page_warning(image, raw.dpi)
    return dataclasses.replace(page, warning=warning) if warning else page


def _encode(raw: RawPage, *, mode: str, drop_blank: bool, deskew: bool) -> ProcessedPage | None:
    mode = check_mode(mode)
    img = normalise_image(raw.image)
    dpi = raw.dpi
    grey = img.convert("L") if img.mode != "L" else img
    colour = None  # measured once: the blank test and the mode choice both need it
    if drop_blank:
        colour = analysis.has_colour(img, dpi)
        if not colour and analysis.is_blank(grey, dpi):
            return None
    stored = choose_mode(img, dpi, mode, grey, colour=colour)
    angle = analysis.estimate_skew(grey, dpi) if deskew else 0.0
    if abs(angle) >= MIN_SKEW:
        fill = 255 if img.mode == "L" else (255, 255, 255)
        img = img.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=_paper_fill(grey, fill))
        grey = img.convert("L") if img.mode != "L" else img
    else:
        angle = 0.0
    if mode == "auto" and stored in ("color", "photo"):
        mixed = process_mixed(img, grey, dpi, stored, angle, raw.origin)
        if mixed is not None:
            return mixed
    if stored == "text":
        bw = encode.adaptive_threshold(grey, dpi)
        return ProcessedPage(encode.encode_bilevel(bw, dpi), "text", bw.width, bw.height, dpi, angle, raw.origin)
    if stored in ("grey", "photo"):
        small, out_dpi = encode.scale_to(grey, dpi, encode.GREY_DPI if stored == "grey" else encode.PHOTO_DPI)
        small = encode.whiten_paper(small).filter(ImageFilter.GaussianBlur(encode.COLOUR_SMOOTHING))
        if stored == "grey":
            data = encode.encode_jpeg(small, out_dpi, quality=encode.GREY_QUALITY)
        else:  # a photo keeps the best quality that fits the colour page budget
            data, _ = encode.encode_jpeg_within(small, out_dpi, budget=encode.COLOUR_BUDGET,
                                                floor=encode.GREY_QUALITY, ceiling=encode.COLOUR_QUALITY_MAX)
        return ProcessedPage(data, "grey", small.width, small.height, out_dpi, angle, raw.origin)
    rgb = img.convert("RGB")
    small, out_dpi = encode.scale_to(rgb, dpi, encode.COLOUR_DPI)
    small = encode.whiten_paper(small).filter(ImageFilter.GaussianBlur(encode.COLOUR_SMOOTHING))
    data, _ = encode.encode_jpeg_within(
        small, out_dpi, budget=encode.COLOUR_BUDGET, floor=encode.COLOUR_QUALITY, ceiling=encode.COLOUR_QUALITY_MAX
    )
    return ProcessedPage(data, "color", small.width, small.height, out_dpi, angle, raw.origin)


def process_mixed(
    img: Image.Image, grey: Image.Image, dpi: int, stored: str, angle: float = 0.0, origin: str = ""
) -> ProcessedPage | None:
    """Colour or a grey photo on part of the page: the page as G4 plus a 150 dpi JPEG overlay of
    that part (see ``overlay``); ``None`` when the part is most of the page."""
    if stored == "color":
        source, boxes, floor = img.convert("RGB"), analysis.colour_regions(img, dpi), encode.COLOUR_QUALITY
    else:
        source, boxes, floor = grey, analysis.photo_regions(grey, dpi), encode.GREY_QUALITY
    box = overlay.union_box(boxes, img.size, dpi, encode.COLOUR_DPI)
    if box is None or not overlay.fits(box, img.size):
        return None
    bw = encode.adaptive_threshold(grey, dpi)
    page = encode.encode_bilevel(bw, dpi)
    # A grey photo keeps its dark tones; on a colour page the darkest tones are text and signature.
    ink = overlay.ink_level(grey, bw) if stored == "color" else 0
    over = overlay.make_overlay(source, box, dpi, paper=encode.paper_level(grey),
                                budget=encode.COLOUR_BUDGET - len(page), floor=floor, ink=ink)
    mode = "color" if stored == "color" else "grey"
    return ProcessedPage(page, mode, bw.width, bw.height, dpi, angle, origin, overlay=over)


def _paper_fill(grey: Image.Image, white):
    """Fill uncovered corners with the paper's own tone, so they do not show as dark wedges."""
    level = int(np.percentile(np.asarray(grey.reduce(8)), 67))
    return level if isinstance(white, int) else (level, level, level)


def rotate_processed(page: ProcessedPage, quarter_turns: int) -> ProcessedPage:
    """Rotate a stored-form page by 90° steps (the dialog's rotate button). A bilevel page
    stays lossless; a JPEG (page or overlay) is re-encoded once at the same quality; an
    overlay's box turns with the page."""
    import io

    turns = quarter_turns % 4
    if not turns:
        return page
    method = {1: Image.Transpose.ROTATE_90, 2: Image.Transpose.ROTATE_180, 3: Image.Transpose.ROTATE_270}[turns]
    img = open_page(page.data)
    img.load()
    img = img.transpose(method)
    over = page.overlay
    if page.mode == "text" or over is not None:
        data = encode.encode_bilevel(img.convert("1"), page.dpi)
    else:
        quality = encode.GREY_QUALITY if page.mode == "grey" else encode.COLOUR_QUALITY
        data = encode.encode_jpeg(img, page.dpi, quality=quality)
    if over is not None:
        jpeg = Image.open(io.BytesIO(over.data)).transpose(method)
        box = overlay.rotate_box(over.box, (page.width, page.height), turns)
        over = Overlay(encode.encode_jpeg(jpeg, over.dpi, quality=over.quality), box, over.dpi, over.quality)
    return ProcessedPage(data, page.mode, img.width, img.height, page.dpi, page.skew_degrees, page.origin, over)

"""A text page is at least as small as a standard CCITT G4 tool makes it: ImageMagick's
``convert -threshold 50% -compress Group4`` on the same pixels (docs/scanning.md, "Against a
standard CCITT G4 tool"; bench/bench_pages.py measures every page kind). Checked for what is
stored (lossless JBIG2 with the jbig2 extra) and for the desk's own G4 of the same bilevel page
(what an install without the extra stores)."""

from __future__ import annotations

from bench.bench_pages import imagemagick, imagemagick_g4
from desk_app.scanning import encode, pipeline
from desk_app.scanning.page import RawPage, open_page
from desk_app.scanning.samples import text_page
from tests.conftest import require


def test_text_page_is_no_larger_than_imagemagick_g4():
    convert = imagemagick()
    require(convert is not None, "ImageMagick (apt package imagemagick)")
    assert convert is not None
    image = text_page(200, tilt=0.7, point_size=14, leading=1.5)
    page = pipeline.process(RawPage(image, 200))
    assert page is not None and page.mode == "text"
    standard, _seconds = imagemagick_g4(convert, image, deskew=False)
    own_g4 = len(encode.encode_g4(open_page(page.data).convert("1"), 200))
    assert page.bytes <= own_g4 <= standard, f"stored {page.bytes} B, own G4 {own_g4} B, ImageMagick G4 {standard} B"

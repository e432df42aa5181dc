"""Page compression benchmark: KB and ms per page of the automatic mode against two baselines
from the same pixels, on generated A4 pages with Vietnamese text (text only, with a red seal,
with a grey photo) at 200 and 300 dpi:
- grey JPEG q75 (what a scanner's "save as PDF" typically stores);
- our own CCITT G4 of the stored bilevel page (``our G4 KB``: what an install without the
  ``jbig2`` extra stores; with it, text pages are stored as lossless JBIG2);
- a standard CCITT G4 tool: ImageMagick ``convert in.png -threshold 50% -compress Group4
  out.tif``, without and with ``-deskew 40%`` before the threshold (the pages are tilted 0.7°
  as fed by hand). G4 keeps one bit per pixel: on the seal and photo pages it drops the colour
  and the photo's greys, which the automatic mode keeps in an overlay;
mixed pages also against one JPEG of the whole page (the previous way); and pages per minute
from the SANE test device (feeder, 200 dpi). The ImageMagick columns time the whole ``convert``
process (start-up included). Results and reading: docs/scanning.md.

Run standalone: .venv/bin/python bench/bench_pages.py (ImageMagick: apt package imagemagick;
without it the G4 columns say so, and with CI=true the bench fails).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TypedDict

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desk_app.scanning import encode, pipeline
from desk_app.scanning.page import RawPage, open_page
from desk_app.scanning.samples import photo_page, text_page


class PageLayout(TypedDict):
    point_size: float
    leading: float


LAYOUTS: dict[str, PageLayout] = {
    "typical 14pt/1.5": {"point_size": 14, "leading": 1.5},
    "densest 13pt/1.2": {"point_size": 13, "leading": 1.2},
}
REPEAT = 3


def jpeg_q75(img) -> tuple[int, float]:
    t = time.perf_counter()
    out = io.BytesIO()
    img.convert("L").save(out, "JPEG", quality=75)
    return len(out.getvalue()), time.perf_counter() - t


def imagemagick() -> str | None:
    """The ImageMagick ``convert`` (``magick`` in version 7) on PATH, checked by its version
    line (a stand-in script of the same name does not count)."""
    for name in ("magick", "convert"):
        found = shutil.which(name)
        if found:
            out = subprocess.run([found, "-version"], capture_output=True, text=True)
            if out.stdout.startswith("Version: ImageMagick"):
                return found
    return None


def imagemagick_g4(convert: str, img, *, deskew: bool) -> tuple[int, float]:
    """Bytes of the G4 TIFF ImageMagick writes for ``img``, and the seconds ``convert`` took."""
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "in.png", Path(tmp) / "out.tif"
        img.convert("L").save(source)
        t = time.perf_counter()
        subprocess.run([convert, str(source), *(["-deskew", "40%"] if deskew else []),
                        "-threshold", "50%", "-compress", "Group4", str(target)], check=True)
        return target.stat().st_size, time.perf_counter() - t


def timed(img, dpi, mode="auto"):
    times, page = [], None
    for _ in range(REPEAT):
        t = time.perf_counter()
        page = pipeline.process(RawPage(img, dpi), mode=mode)
        times.append(time.perf_counter() - t)
    return page, min(times)


def bench_compression() -> int:
    """Auto mode; for colour and photo pages (stored mixed: G4 + a 150 dpi JPEG overlay) also the
    previous way, one JPEG of the whole page at 150 dpi (the forced colour/grey-photo path)."""
    convert = imagemagick()
    if convert is None:
        print("ImageMagick not installed (apt package imagemagick): the G4 baseline columns are empty")
        if os.environ.get("CI") == "true":
            return 1
    print(f"{'page':34} {'dpi':>4} {'stored':>12} {'KB':>7} {'ms':>6} {'jpegq75 KB':>11} {'ratio':>6}"
          f" {'our G4 KB':>9} {'IM G4 KB':>9} {'ms':>5} {'+deskew KB':>10} {'ms':>5} {'ours/G4':>8}"
          f" {'one-JPEG KB':>12} {'ms':>6}")
    pages = [(f"{name}{' + red seal' if seal else ''}", dpi, text_page(dpi, seal=seal, tilt=0.7, **layout))
             for name, layout in LAYOUTS.items() for seal in (False, True) for dpi in (200, 300)]
    pages += [("typical + grey photo", dpi, photo_page(dpi)) for dpi in (200, 300)]
    for label, dpi, img in pages:
        page, seconds = timed(img, dpi)
        base, _ = jpeg_q75(img)
        stored = f"{page.mode}{'+overlay' if page.overlay else ''}"
        line = (f"{label:34} {dpi:>4} {stored:>12} {page.bytes / 1024:7.1f} {seconds * 1000:6.0f}"
                f" {base / 1024:11.1f} {base / page.bytes:5.1f}x")
        # The same bilevel page as CCITT G4 (what is stored without the jbig2 extra).
        line += f" {len(encode.encode_g4(open_page(page.data).convert('1'), dpi)) / 1024:9.1f}"
        if convert is not None:
            g4, g4_s = imagemagick_g4(convert, img, deskew=False)
            g4d, g4d_s = imagemagick_g4(convert, img, deskew=True)
            line += (f" {g4 / 1024:9.1f} {g4_s * 1000:5.0f} {g4d / 1024:10.1f} {g4d_s * 1000:5.0f}"
                     f" {page.bytes / min(g4, g4d):7.2f}x")
        else:
            line += f" {'-':>9} {'-':>5} {'-':>10} {'-':>5} {'-':>8}"
        if page.overlay is not None:  # before: the whole page as one JPEG at 150 dpi
            grey, colour = page.mode == "grey", page.mode == "color"
            before, before_s = (timed(img, dpi, "color") if colour else
                                (_photo_as_one_jpeg(img, dpi), 0.0) if grey else (None, 0.0))
            if before:  # (the photo path's time is not measured separately: "-")
                line += f" {before.bytes / 1024:12.1f} {before_s * 1000:6.0f}" if before_s else f" {before.bytes / 1024:12.1f} {'-':>6}"
        print(line)
    return 0


def _photo_as_one_jpeg(img, dpi):
    """The previous auto path for a grey photo page: one grey JPEG at 150 dpi within the budget."""
    from PIL import ImageFilter

    from desk_app.scanning.page import ProcessedPage

    small, out_dpi = encode.scale_to(img.convert("L"), dpi, encode.PHOTO_DPI)
    small = encode.whiten_paper(small).filter(ImageFilter.GaussianBlur(encode.COLOUR_SMOOTHING))
    data, _ = encode.encode_jpeg_within(small, out_dpi, budget=encode.COLOUR_BUDGET,
                                        floor=encode.GREY_QUALITY, ceiling=encode.COLOUR_QUALITY_MAX)
    return ProcessedPage(data, "grey", small.width, small.height, out_dpi)


def bench_sane(pages: int = 10) -> None:
    try:
        import sane  # noqa: F401
    except ImportError:
        print("SANE: python-sane not installed, skipped")
        return
    folder = Path(tempfile.mkdtemp()) / "sane.d"
    folder.mkdir()
    (folder / "dll.conf").write_text("test\n")
    (folder / "test.conf").write_text(Path("/etc/sane.d/test.conf").read_text().replace("geometry_max 200.0", "geometry_max 300.0"))
    os.environ["SANE_CONFIG_DIR"] = str(folder)
    from desk_app.scanning.sources import ScanSettings
    from desk_app.scanning.sources.sane_backend import SaneBackend
    from desk_app.services.digitise import process_scan

    backend = SaneBackend()
    for colour, picture in ((False, "Grid"), (True, "Color pattern")):
        settings = ScanSettings(source="feeder", dpi=200, colour=colour, max_pages=pages, options={"test_picture": picture})
        t = time.perf_counter()
        raw = list(backend.scan("test:0", settings))
        scan_s = time.perf_counter() - t
        t = time.perf_counter()
        kept, _ = process_scan([backend], "test:0", settings)
        total_s = time.perf_counter() - t
        print(f"SANE test:0 feeder 200 dpi {'colour' if colour else 'grey'} ({picture}): {len(raw)} pages; capture only "
              f"{60 * len(raw) / scan_s:.0f} ppm; capture + processing {60 * len(kept) / total_s:.0f} ppm "
              f"(modes {sorted({p.mode for p in kept})}, {sum(p.bytes for p in kept) / len(kept) / 1024:.1f} KB/page)")
    shutil.rmtree(folder.parent, ignore_errors=True)


if __name__ == "__main__":
    failed = bench_compression()
    bench_sane()
    raise SystemExit(failed)

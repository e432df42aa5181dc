"""Page compression benchmark: KB and ms per page of the automatic mode against grey JPEG q75
from the same pixels, on generated A4 pages with Vietnamese text (text only, with a red seal,
with a grey photo) at 200 and 300 dpi; mixed pages also against one JPEG of the whole page (the
previous way); and pages per minute from the SANE test device (feeder, 200 dpi).

Run standalone: .venv/bin/python bench/bench_pages.py
"""

from __future__ import annotations

import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desk_app.scanning import pipeline
from desk_app.scanning.page import RawPage
from desk_app.scanning.samples import photo_page, text_page

LAYOUTS = {"typical 14pt/1.5": dict(point_size=14, leading=1.5), "densest 13pt/1.2": dict(point_size=13, leading=1.2)}
REPEAT = 3


def jpeg_q75(img) -> tuple[int, float]:
    t = time.perf_counter()
    out = io.BytesIO()
    img.convert("L").save(out, "JPEG", quality=75)
    return len(out.getvalue()), time.perf_counter() - t


def timed(img, dpi, mode="auto"):
    times, page = [], None
    for _ in range(REPEAT):
        t = time.perf_counter()
        page = pipeline.process(RawPage(img, dpi), mode=mode)
        times.append(time.perf_counter() - t)
    return page, min(times)


def bench_compression() -> None:
    """Auto mode; for colour and photo pages (stored mixed: G4 + a 150 dpi JPEG overlay) also the
    previous way, one JPEG of the whole page at 150 dpi (the forced colour/grey-photo path)."""
    print(f"{'page':34} {'dpi':>4} {'stored':>12} {'KB':>7} {'ms':>6} {'jpegq75 KB':>11} {'ratio':>6}"
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
        if page.overlay is not None:  # before: the whole page as one JPEG at 150 dpi
            grey, colour = page.mode == "grey", page.mode == "color"
            before, before_s = (timed(img, dpi, "color") if colour else
                                (_photo_as_one_jpeg(img, dpi), 0.0) if grey else (None, 0.0))
            if before:  # (the photo path's time is not measured separately: "-")
                line += f" {before.bytes / 1024:12.1f} {before_s * 1000:6.0f}" if before_s else f" {before.bytes / 1024:12.1f} {'-':>6}"
        print(line)


def _photo_as_one_jpeg(img, dpi):
    """The previous auto path for a grey photo page: one grey JPEG at 150 dpi within the budget."""
    from PIL import ImageFilter

    from desk_app.scanning import encode
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
    bench_compression()
    bench_sane()

"""The lossless JBIG2 generic-region encoder (desk_app/scanning/jbig2.py), checked by decoders
that are not ours: jbig2dec (the reference decoder) and pdfium rendering the page from a PDF
that img2pdf built, both to the exact bitmap; plus our own reader of the same files."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from desk_app.scanning import encode, jbig2, pipeline
from desk_app.scanning.page import RawPage, open_page
from desk_app.scanning.samples import text_page
from tests.conftest import ROOT, require


def jbig2dec(data: bytes, tmp_path: Path) -> np.ndarray:
    """The reference decoder's bitmap of a standalone JBIG2 file (True = black)."""
    require(shutil.which("jbig2dec") is not None, "jbig2dec is not installed (apt-get install jbig2dec)")
    src, out = tmp_path / "page.jb2", tmp_path / "page.pbm"
    src.write_bytes(data)
    run = subprocess.run(["jbig2dec", "-t", "pbm", "-o", str(out), str(src)], capture_output=True, text=True)
    assert run.returncode == 0 and "error" not in run.stderr.lower(), run.stderr
    with Image.open(out) as pbm:
        return ~np.asarray(pbm.convert("1"))


def pdfium_render(data: bytes) -> np.ndarray:
    """The page as pdfium draws it from a PDF in which img2pdf embedded the file (/JBIG2Decode),
    at one device pixel per image pixel (True = black)."""
    import img2pdf
    import pikepdf
    import pypdfium2 as pdfium

    pdf_bytes = img2pdf.convert(data)
    with pikepdf.Pdf.open(io.BytesIO(pdf_bytes)) as pdf:
        (image,) = pdf.pages[0].get_images().values()
        assert str(image.Filter) == "/JBIG2Decode"
        width, height = int(image.Width), int(image.Height)
    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        page = pdf[0]
        # pypdfium2 rounds the bitmap size up: a hair under dpi/72 gives exactly one pixel per
        # image pixel (200 dpi x 595.44 pt would make 1654.0000001 -> 1655).
        scale = width / page.get_width() * (1 - 1e-9)
        grey = np.asarray(page.render(scale=scale, grayscale=True).to_pil().convert("L"))
    finally:
        pdf.close()
    # The page box is in points rounded by img2pdf: one row or column more at most, blank.
    assert grey.shape[0] - height in (0, 1) and grey.shape[1] - width in (0, 1)
    assert grey[height:].min(initial=255) >= 128 and grey[:, width:].min(initial=255) >= 128
    return grey[:height, :width] < 128


def pdfium_render_embedded(data: bytes) -> np.ndarray:
    """The page drawn by pdfium from a PDF written here, not by img2pdf: the image stream holds
    the embedded organisation as the PDF specification puts it (no file header, no end-of-page
    or end-of-file segment), drawn at 4 points a pixel and rendered at scale 1/4 (both exact in
    binary), so even a 1-pixel page is a valid PDF page."""
    import pikepdf
    import pypdfium2 as pdfium

    width, height = (int.from_bytes(data[24 + k:28 + k], "big") for k in (0, 4))
    embedded = data[13:-22]  # after the file header, before end of page + end of file
    assert data[-22:] == b"\x00\x00\x00\x021\x00\x01\x00\x00\x00\x00\x00\x00\x00\x033\x00\x01\x00\x00\x00\x00"
    pdf = pikepdf.new()
    image = pikepdf.Stream(pdf, embedded)
    image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    image.Width, image.Height, image.BitsPerComponent = width, height, 1
    image.ColorSpace, image.Filter = pikepdf.Name.DeviceGray, pikepdf.Name.JBIG2Decode
    content = pikepdf.Stream(pdf, f"q {4 * width} 0 0 {4 * height} 0 0 cm /Im0 Do Q".encode())
    pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, 4 * width, 4 * height], Contents=content,
        Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image)),
    )))
    out = io.BytesIO()
    pdf.save(out)
    doc = pdfium.PdfDocument(out.getvalue())
    try:
        grey = np.asarray(doc[0].render(scale=0.25, grayscale=True).to_pil().convert("L"))
    finally:
        doc.close()
    assert grey.shape == (height, width)
    return grey < 128


def stored_text_page(dpi: int, *, seed: int = 3) -> np.ndarray:
    """A generated scan (bench_pages' generator, the typical layout: 14 pt, 1.5 lines) through
    the text pipeline: the bilevel page."""
    scan = text_page(dpi, tilt=0.7, seed=seed, point_size=14, leading=1.5)
    page = pipeline.process(RawPage(scan, dpi), mode="text")
    assert page is not None
    return ~np.asarray(open_page(page.data).convert("1"))


@pytest.fixture(scope="module")
def page_200() -> np.ndarray:
    return stored_text_page(200)


def edge_cases() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    cases = {
        "all white": np.zeros((40, 37), bool),
        "all black": np.ones((33, 64), bool),
        "1 pixel": np.ones((1, 1), bool),
        "1 pixel tall": rng.random((1, 501)) < 0.4,
        "1 pixel wide": rng.random((300, 1)) < 0.4,
        "odd width, noise": rng.random((61, 97)) < 0.5,  # no context helps: the worst case
        "sparse dots": rng.random((80, 203)) < 0.01,
    }
    stripes = np.zeros((48, 75), bool)
    stripes[::2, 3:70] = True  # no row equals the one above: typical prediction codes every row
    stripes[20:30] = True  # ... and here every row does
    cases["rows repeated and alternating"] = stripes
    return cases


@pytest.mark.parametrize("tpgdon", [False, True])
@pytest.mark.parametrize("name", list(edge_cases()))
def test_edge_cases_decode_to_the_exact_bitmap(name, tpgdon, tmp_path):
    ink = edge_cases()[name]
    data = jbig2.encode(ink, 300, tpgdon=tpgdon)
    assert np.array_equal(jbig2dec(data, tmp_path), ink)
    assert np.array_equal(pdfium_render_embedded(data), ink)
    assert np.array_equal(jbig2.decode(data), ink)


def test_generated_page_decodes_exactly_with_jbig2dec_and_pdfium(page_200, tmp_path):
    data = jbig2.encode(page_200, 200)
    assert np.array_equal(jbig2dec(data, tmp_path), page_200)
    assert np.array_equal(pdfium_render(data), page_200)
    assert np.array_equal(jbig2.decode(data), page_200)


def test_typical_prediction_decodes_exactly_on_a_page(page_200, tmp_path):
    data = jbig2.encode(page_200, 200, tpgdon=True)
    assert np.array_equal(jbig2dec(data, tmp_path), page_200)
    assert np.array_equal(pdfium_render(data), page_200)


def test_a4_300dpi_page_is_at_least_1_4x_smaller_than_g4(tmp_path):
    """The adoption rule's size half, on the page the benchmark measures (ratio ~1.57)."""
    ink = stored_text_page(300, seed=1)
    g4 = encode.encode_g4(Image.fromarray(~ink), 300)
    data = jbig2.encode(ink, 300)
    assert len(g4) / len(data) >= 1.4
    assert np.array_equal(jbig2dec(data, tmp_path), ink)


def test_plain_python_coder_writes_and_reads_the_same_bytes(tmp_path):
    """Without numba (here: its JIT switched off) the same loops run as Python, slowly, with
    the same output, and read back."""
    require(jbig2.compiled(), "numba not installed: the module already runs as plain Python")
    ink = edge_cases()["odd width, noise"].copy()
    ink[20:30] = ink[19]  # rows typical prediction skips
    ink[40:] = False  # white paper: the white-run paths
    np.save(tmp_path / "ink.npy", ink)
    code = (
        "import sys, numpy as np; from desk_app.scanning import jbig2; assert not jbig2.compiled();"
        f"ink = np.load({str(tmp_path / 'ink.npy')!r}); data = jbig2.encode(ink, 200, tpgdon=True);"
        "assert np.array_equal(jbig2.decode(data), ink); sys.stdout.buffer.write(data)"
    )
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stderr.decode()
    assert run.stdout == jbig2.encode(ink, 200, tpgdon=True)


def test_a_too_small_buffer_grows_instead_of_overflowing():
    ink = edge_cases()["odd width, noise"]
    padded = np.zeros((ink.shape[0] + 2, ink.shape[1] + 8), dtype=np.uint8)
    padded[2:, 4:-4] = ink
    assert jbig2._encode_region(padded, ink.shape[0], ink.shape[1], False, np.zeros(300, np.uint8)) == -1
    assert np.array_equal(jbig2.decode(jbig2.encode(ink, 200)), ink)


def test_resolution_survives_img2pdf():
    """img2pdf divides pixels per metre by 39.37 and truncates: the page keeps its size."""
    import img2pdf
    import pikepdf

    for dpi in (150, 200, 300):
        data = jbig2.encode(np.zeros((dpi, dpi * 2), bool), dpi)
        with pikepdf.Pdf.open(io.BytesIO(img2pdf.convert(data))) as pdf:
            x0, y0, x1, y1 = (float(v) for v in pdf.pages[0].mediabox)
        assert (round(x1 - x0, 2), round(y1 - y0, 2)) == (144.0, 72.0)


def test_reader_refuses_what_it_does_not_read():
    data = jbig2.encode(np.ones((4, 4), bool), 200)
    other_template = bytearray(data)
    other_template[13 + 30 + 11 + 17] |= 0x02  # the region's flags: GBTEMPLATE 1
    for bad, why in (
        (b"II*\x00" + data[4:], "not a one-page"),
        (data[:60], "truncated"),
        (bytes(other_template), "not in the form"),
    ):
        with pytest.raises(ValueError, match=why):
            jbig2.decode(bad)
    with pytest.raises(ValueError, match="empty"):
        jbig2.encode(np.zeros((0, 5), bool), 200)


def test_stored_pages_are_jbig2_and_old_g4_pages_read_the_same(page_200):
    """The page-encoding seam: bilevel pages are stored as JBIG2; a G4 page stored before reads
    to the same pixels, and the viewer draws both alike."""
    from desk_app.scanning.page import is_jbig2
    from desk_app.ui.page_viewer import render_pil

    bw = Image.fromarray(~page_200)
    stored, old = encode.encode_bilevel(bw, 200), encode.encode_g4(bw, 200)
    assert is_jbig2(stored) and not is_jbig2(old)
    assert open_page(stored).tobytes() == open_page(old).tobytes() == bw.tobytes()
    assert render_pil(stored, None, None, 800).tobytes() == render_pil(old, None, None, 800).tobytes()


def test_without_the_compiled_coder_pages_are_stored_as_g4(page_200, monkeypatch):
    from desk_app.scanning.page import is_jbig2

    monkeypatch.setattr(jbig2, "_COMPILED", False)
    data = encode.encode_bilevel(Image.fromarray(~page_200), 200)
    assert not is_jbig2(data) and Image.open(io.BytesIO(data)).info["compression"] == "group4"


def test_a_failing_coder_still_stores_the_page_as_g4(monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise MemoryError("no room")

    ink = edge_cases()["sparse dots"]
    monkeypatch.setattr(jbig2, "encode", broken)
    data = encode.encode_bilevel(Image.fromarray(~ink), 200)
    assert np.array_equal(~np.asarray(open_page(data)), ink)
    assert "stored as CCITT G4" in caplog.text


def test_a_damaged_jbig2_page_is_a_clear_error():
    data = jbig2.encode(edge_cases()["odd width, noise"], 200)
    with pytest.raises(ValueError):
        open_page(data[:-60])


def test_warm_up_compiles_the_coder_before_the_first_scan_and_says_when_there_is_none():
    """The desk warms the coder on a background thread after start (services/warmup.py): a
    fresh process that warmed up encodes its first real page without compiling anything."""
    require(jbig2.compiled(), "numba not installed")
    code = (
        "import time; from desk_app.services.warmup import warm_up_page_coder;"
        "from desk_app.scanning import jbig2; from desk_app.scanning.samples import text_page;"
        "import numpy as np; assert warm_up_page_coder() is True;"
        "ink = np.asarray(text_page(100, seed=2).convert('1')) == 0; t = time.perf_counter();"
        "jbig2.encode(ink, 100); print(time.perf_counter() - t)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    # A compile takes seconds; a warmed coder encodes a 100 dpi page in milliseconds.
    assert float(run.stdout.strip()) < 2.0
    # What the app starts after its window is up: a separate low-priority process (the UI
    # process's interpreter lock stays free), which leaves the compiled coder in the cache.
    from desk_app.services.warmup import start_page_coder_warm_up

    process = start_page_coder_warm_up()
    assert process is not None and process.wait(timeout=300) == 0
    off = subprocess.run(
        [sys.executable, "-c", "from desk_app.services.warmup import warm_up_page_coder; print(warm_up_page_coder())"],
        capture_output=True, text=True, cwd=ROOT, timeout=120, env={**os.environ, "NUMBA_DISABLE_JIT": "1"},
    )
    assert off.stdout.strip() == "False", off.stderr


def test_pages_wait_for_the_warm_up_as_g4_and_never_compile_in_the_desk_process(tmp_path):
    """Right after an install the coder is not compiled yet: a page scanned then (the set-up
    wizard's test scan) is stored as G4 at once instead of compiling for 10-35 s with the
    interpreter lock held; once the start-up warm-up process has compiled it, pages are JBIG2."""
    require(jbig2.compiled(), "numba not installed")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}  # no warm-up has run for this user
    code = (
        "import time; from PIL import Image; from desk_app.scanning import encode, jbig2;"
        "from desk_app.scanning.page import is_jbig2; from desk_app.scanning.samples import text_page;"
        "bw = text_page(100, seed=2).convert('1'); t = time.process_time();"
        "data = encode.encode_bilevel(bw, 100);"
        "print(is_jbig2(data), time.process_time() - t)"
    )
    before = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert before.returncode == 0, before.stderr
    is_jbig2_page, cpu = before.stdout.split()
    assert is_jbig2_page == "False" and float(cpu) < 1.0  # G4, nothing compiled
    warm = subprocess.run(
        [sys.executable, "-c", "from desk_app.services.warmup import warm_up_page_coder; print(warm_up_page_coder())"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300,
    )
    assert warm.stdout.strip() == "True", warm.stderr
    after = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert after.returncode == 0, after.stderr
    assert after.stdout.split()[0] == "True"

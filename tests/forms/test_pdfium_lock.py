"""pdfium is not thread-safe: every pypdfium2 use in the app goes through the one lock in
desk_app/pdfium_lock.py. Instrumented with the lock's owner, not timing: every raw pdfium
function is wrapped to note a call made by a thread that does not hold the lock. Print
preview, printing, PDF import and the self-test's read-back run from several threads at
once; each must give the same result as alone, and no pdfium call may run outside the lock."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdfium2.raw as pdfium_raw
import pytest
from reportlab.lib.pagesizes import A5
from reportlab.pdfgen import canvas

from desk_app import pdfium_lock
from desk_app.scanning.imports import read_pages
from desk_app.ui.printing.preview import page_images
from desk_app.ui.printing.printer import print_pdf

ROUNDS = 4


def _pdf(pages: int, label: str) -> bytes:
    out = io.BytesIO()
    sheet = canvas.Canvas(out, pagesize=A5)
    for page in range(pages):
        sheet.setFont("Helvetica", 28)
        sheet.drawString(40, 400, f"{label} page {page + 1}")
        sheet.rect(40 + 20 * page, 100, 120, 60, fill=1)
        sheet.showPage()
    sheet.save()
    return out.getvalue()


@pytest.fixture
def outside_lock(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every FPDF*/FORM_* function of the raw bindings, wrapped: a call from a thread that
    does not own the pdfium lock is recorded (the helpers look the functions up at call time)."""
    calls: list[str] = []

    def guarded(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            if pdfium_lock.owner() != threading.get_ident():
                calls.append(f"{name} on {threading.current_thread().name}")
            return fn(*args, **kwargs)

        return call

    for name in dir(pdfium_raw):
        fn = getattr(pdfium_raw, name)
        if name.startswith(("FPDF", "FORM_")) and callable(fn) and not isinstance(fn, type):
            monkeypatch.setattr(pdfium_raw, name, guarded(name, fn))
    return calls


def _import_pages(path: Path) -> list[bytes]:
    return [page.image.convert("L").tobytes() for page in read_pages(path)]


def _preview(pdf: bytes) -> list[bytes]:
    # Row by row without the padding at the end of each row (not part of the picture).
    pixels = []
    for image in page_images(pdf, dpi=60):
        data, stride, width = bytes(image.constBits()), image.bytesPerLine(), 3 * image.width()
        pixels.append(b"".join(data[row * stride:row * stride + width] for row in range(image.height())))
    return pixels


def _print(pdf: bytes, out: Path) -> int:
    return int(print_pdf(pdf, output_file=out)["pages"])


def _readback(pdf: bytes) -> bytes:
    return pdfium_lock.render_page(pdf, 0, scale=100 / 72, grayscale=True).tobytes()


def test_the_instrument_sees_a_call_outside_the_lock(outside_lock):
    """The check can fail: pypdfium2 used directly (as the app did before) is caught."""
    import pypdfium2

    document = pypdfium2.PdfDocument(_pdf(1, "bare"))
    document.close()
    assert any(name.startswith("FPDF_LoadMemDocument") for name in outside_lock)


def test_concurrent_preview_print_import_and_readback_run_pdfium_one_at_a_time(qapp, outside_lock, tmp_path):
    receipt = _pdf(2, "receipt")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(_pdf(5, "scan"))
    jobs: dict[str, Callable[[int], Any]] = {
        "preview": lambda _i: _preview(receipt),
        "print": lambda i: _print(receipt, tmp_path / f"printed-{i}.pdf"),
        "import": lambda _i: _import_pages(scan),
        "readback": lambda _i: _readback(receipt),
    }
    expected = {name: job(99) for name, job in jobs.items()}  # each alone
    assert not outside_lock, outside_lock[:5]
    assert len(expected["preview"]) == 2 and expected["print"] == 2 and len(expected["import"]) == 5

    results: dict[str, list[Any]] = {name: [] for name in jobs}
    errors: list[BaseException] = []
    start = threading.Barrier(len(jobs) * 2)

    def worker(name: str, copy: int) -> None:
        try:
            start.wait()
            for i in range(ROUNDS):
                results[name].append(jobs[name](copy * ROUNDS + i))
        except BaseException as exc:  # reported below, with the thread's name
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(name, copy), name=f"{name}-{copy}") for name in jobs for copy in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert not outside_lock, outside_lock[:5]
    for name, answers in results.items():
        assert len(answers) == 2 * ROUNDS
        assert all(answer == expected[name] for answer in answers), name
    assert pdfium_lock.owner() is None

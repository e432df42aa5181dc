"""Recognised page text: Tesseract (vie) on stored pages, once per file, resumable, in the search
index and as an invisible text layer in exported PDFs; CLI `desk ocr`. Real engine, real files."""

from __future__ import annotations

import json
import shutil
import threading

import pytest
from PIL import ImageStat

from desk_app.scanning import samples
from tests.conftest import desk_cli, require
from tests.scanning.conftest import DOC, DOC2, save_pages

WORD = "Hạnh"  # in every generated page's text


def _engine_ready() -> bool:
    from desk_app.ocr.engine import TesseractEngine

    return TesseractEngine().available()


@pytest.fixture(autouse=True)
def tesseract():
    require(_engine_ready(), "tesseract-ocr with tesseract-ocr-vie is not installed")


@pytest.fixture
def page_file(tmp_path):
    lines: list[str] = []
    image = samples.text_page(200, tilt=0.4, lines_out=lines, seed=3)
    return save_pages(tmp_path / "page.png", [image], dpi=(200, 200)), lines


def test_pages_are_recognised_once_searchable_and_resumable(desk, dossier, page_file):
    path, lines = page_file
    code = dossier.code
    stored = desk.digitise.attach_files(code, DOC, [path])
    desk.digitise.attach_files(code, DOC2, [path])  # the same file again: same SHA-256
    assert desk.ocr.pending_count(code) == 2
    assert desk.queue.search("lap tu do hanh phuc") == []  # not yet recognised

    first = desk.ocr.run_pending(max_pages=0)  # a stop before any work (a restart) keeps them pending
    assert first["pages"] == 0 and first["pending"] == 2
    result = desk.ocr.run_pending()
    assert result["pages"] == 1 and result["pending"] == 0  # one file, recognised once
    progress = {p["document"]: p for p in desk.ocr.progress(code)}
    assert progress[DOC]["recognised"] == 1 and progress[DOC2]["recognised"] == 1

    # Folded like the rest: no diacritics needed, đ -> d; the hit says it matched in pages.
    hits = desk.queue.search("doc lap tu do hanh phuc")
    assert [h["code"] for h in hits] == [code] and hits[0]["matched_in_pages"] is True
    by_phone = desk.queue.search("0912345678")  # in the record, not on the page
    assert by_phone[0]["code"] == code and by_phone[0]["matched_in_pages"] is False
    text = desk.ocr.page_text(stored[0]["sha256"])["text"]
    expected = " ".join(lines).split()
    found = set(text.split())
    assert sum(w in found for w in expected) / len(expected) > 0.95  # with diacritics, exactly
    assert "Độc" in found and WORD in found


def test_exported_pdf_has_copyable_text_over_unchanged_image(desk, dossier, page_file, tmp_path):
    import pikepdf
    import pypdfium2 as pdfium

    path, _lines = page_file
    code = dossier.code
    desk.digitise.attach_files(code, DOC, [path])
    before = desk.digitise.export_pdfs(code, tmp_path / "before")[0]
    desk.ocr.run_pending()
    after = desk.digitise.export_pdfs(code, tmp_path / "after")[0]

    def image_streams(pdf_path):
        with pikepdf.open(pdf_path) as pdf:
            return [bytes(obj.read_raw_bytes()) for obj in pdf.objects
                    if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"]

    assert image_streams(before["path"]) == image_streams(after["path"])  # the G4 page as stored
    doc = pdfium.PdfDocument(after["path"])
    text = doc[0].get_textpage().get_text_range()
    assert "Độc" in text.split() and "HÒA" in text.split()  # copyable with its diacritics
    assert pdfium.PdfDocument(before["path"])[0].get_textpage().get_text_range().strip() == ""
    # Invisible: the rendered page is the same with and without the text layer.
    render = lambda p: pdfium.PdfDocument(p)[0].render(scale=0.5).to_pil().convert("L").tobytes()  # noqa: E731
    assert render(before["path"]) == render(after["path"])


def test_damaged_file_is_kept_as_failed_and_does_not_block_others(desk, dossier, page_file):
    path, _ = page_file
    code = dossier.code
    rows = desk.digitise.attach_files(code, DOC, [path])
    other = samples.text_page(200, seed=9)
    second = save_pages(path.parent / "p2.png", [other], dpi=(200, 200))
    desk.digitise.attach_files(code, DOC2, [second])
    desk.digitise.blobs.path_for(rows[0]["sha256"]).write_bytes(b"not an image any more")
    result = desk.ocr.run_pending()
    assert result == {**result, "pages": 1, "failed": 1, "pending": 0}
    progress = {p["document"]: p for p in desk.ocr.progress(code)}
    assert progress[DOC]["failed"] == 1 and progress[DOC2]["recognised"] == 1


def test_cli_ocr_wait_and_search(tmp_path, page_file, intake_json):
    path, _ = page_file
    data = tmp_path / "desk"

    def ok(*args):
        result = desk_cli(*args)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    ok("init", "--data", str(data), "--unit-code", "000.31.14.H14", "--desk", "3", "--commune-code", "01273")
    result = desk_cli("intake", "--allow-missing", "--data", str(data), "--json", "-", input=json.dumps(intake_json, ensure_ascii=False))
    assert result.returncode == 0, result.stderr
    code = json.loads(result.stdout)["code"]
    ok("attach", "--data", str(data), code, "--document", DOC, str(path))
    out = ok("ocr", "--data", str(data), code, "--wait")
    assert out["pages"] == 1 and out["pending"] == 0 and out["seconds"] > 0
    hits = ok("search", "--data", str(data), "doc lap tu do")
    assert hits[0]["code"] == code and hits[0]["matched_in_pages"] is True
    assert ok("ocr", "--data", str(data))["pages"] == 0  # nothing left: recognised once
    # A very weak PC switches background recognition off (the app's worker then idles).
    off = ok("ocr", "--data", str(data), "--off")
    assert off["enabled"] is False and off["engine"].startswith("tesseract") and off["pending"] == 0
    assert ok("ocr", "--data", str(data), "--status")["enabled"] is False
    assert ok("ocr", "--data", str(data), "--on")["enabled"] is True


def test_missing_engine_is_a_clear_error(tmp_path):
    data = tmp_path / "desk"
    desk_cli("init", "--data", str(data), "--unit-code", "000.31.14.H14", "--desk", "3", "--commune-code", "01273")
    result = desk_cli("ocr", "--data", str(data), env={"DESK_TESSERACT": str(tmp_path / "no-such-tesseract"), "PATH": "/nonexistent"})
    assert result.returncode == 1, result.stderr
    error = json.loads(result.stderr)
    assert error["error"] == "ocr_unavailable" and "Tesseract" in error["message"]
    assert shutil.which("tesseract")  # the real one is still there for the other tests


def test_background_worker_resumes_after_a_restart(desk, dossier, tmp_path, clock, intake_json):
    from desk_app.services.context import build_services
    from desk_app.services.ocr_worker import OcrWorker

    code = dossier.code
    files = [save_pages(tmp_path / f"p{i}.png", [samples.text_page(150, seed=20 + i)], dpi=(150, 150)) for i in range(3)]
    desk.digitise.attach_files(code, DOC, files)

    def factory():
        return build_services(desk.data_dir, clock=clock, actor="tester", create=False)

    first = OcrWorker(factory, idle_poll=0.05)
    first.start()
    while desk.ocr.pending_count(code) == 3:  # the first page is being recognised
        threading.Event().wait(0.05)
    # Like closing the app mid-way: the page in hand finishes or stays pending.
    while not first.shutdown(timeout=5):
        pass
    left = desk.ocr.pending_count(code)
    assert left < 3
    second = OcrWorker(factory, idle_poll=0.05)  # the next start picks up the rest
    second.start()
    deadline = 120
    while desk.ocr.pending_count(code) and deadline > 0:
        threading.Event().wait(0.2)
        deadline -= 0.2
    second.shutdown(timeout=30)
    assert desk.ocr.pending_count(code) == 0
    assert first.pages_done + second.pages_done == 3
    # Meanwhile the counter kept working on its own connection.
    assert desk.intake.intake(intake_json).code != code


def test_an_edit_keeps_the_page_words_searchable(desk, dossier, page_file):
    path, _ = page_file
    code = dossier.code
    desk.digitise.attach_files(code, DOC, [path])
    desk.ocr.run_pending()
    desk.edits.edit(code, {"applicant": {"phone": "0987654321"}})
    assert [h["code"] for h in desk.queue.search("doc lap tu do")] == [code]
    assert [h["code"] for h in desk.queue.search("0987654321")] == [code]


def test_search_hits_are_shaded_on_the_page_and_progress_is_known(desk, dossier, page_file):
    """What the dossier page's viewer shows: recognised pages and the searched words' boxes."""
    from desk_app.ui.page_viewer import render_pil
    from desk_app.ui.pages.dossier_pages import load_pages

    path, _ = page_file
    code = dossier.code
    stored_row = desk.digitise.attach_files(code, DOC, [path])[0]
    before = load_pages(desk, code, "doc lap")["pages"][0]
    assert before["recognised"] is False and before["marks"] == ()
    desk.ocr.run_pending()
    page = load_pages(desk, code, "doc lap")["pages"][0]
    assert page["recognised"] is True and len(page["marks"]) >= 2  # "Độc" and "lập" found without diacritics
    assert load_pages(desk, code, "")["pages"][0]["marks"] == ()
    stored = desk.digitise.blobs.read(stored_row["sha256"])
    plain = render_pil(stored, None, None, 800)
    shaded = render_pil(stored, None, None, 800, page["marks"])
    scale = plain.width / stored_row["width"]
    x, y, w, h = page["marks"][0]
    box = (int(x * scale), int(y * scale), int((x + w) * scale), int((y + h) * scale))
    # Yellow over the hit: its paper loses blue, keeps red; the rest of the page is untouched.
    def band_sum(img, band: int) -> float:
        return ImageStat.Stat(img.crop(box).convert("RGB")).sum[band]

    assert band_sum(shaded, 2) < 0.5 * band_sum(plain, 2) and band_sum(shaded, 0) == band_sum(plain, 0)
    assert shaded.getpixel((5, 5)) == plain.getpixel((5, 5))

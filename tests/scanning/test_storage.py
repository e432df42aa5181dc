"""Attaching pages: files before rows, outbox contract, imports of real multi-page files,
bad files refused with nothing changed, verification, PDF export without re-encoding."""

from __future__ import annotations

import io
import json
import re

import pypdfium2 as pdfium
import pytest
from PIL import Image

from desk_app.domain.errors import StoreError, ValidationError
from desk_app.scanning.samples import text_page
from desk_app.store.blobs import BlobStore
from tests.scanning.conftest import DOC, DOC2, save_pages


def bilevel_png(path, width: int, height: int):
    """A valid white 1-bit PNG written row by row (Pillow would need width × height bytes of
    memory to make it): a real pixel bomb, ~150 KB on disk for 30000 × 30000."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    packer = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # filter byte "none", then white pixels
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
                     + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


def state(desk):
    db = desk.store.db.conn
    return (
        db.execute("SELECT count(*) FROM dossier_pages").fetchone()[0],
        db.execute("SELECT count(*) FROM outbox").fetchone()[0],
        sorted(desk.digitise.blobs.iter_all()),
    )


@pytest.fixture
def pages_pdf(tmp_path):
    """A real 3-page PDF (made with Pillow, rendered back by pypdfium2)."""
    imgs = [text_page(100, seed=i).convert("RGB") for i in range(3)]
    return save_pages(tmp_path / "hoso.pdf", imgs, format="PDF", resolution=100)


def test_attach_multipage_tiff_and_pdf_writes_rows_outbox_and_files(desk, dossier, tmp_path, pages_pdf):
    tiff = save_pages(tmp_path / "scan.tif", [text_page(200, seed=5), text_page(200, seal=True, seed=6)],
                      format="TIFF", compression="tiff_lzw", dpi=(200, 200))
    out = desk.digitise.attach_files(dossier.code, "to khai dang ky khai sinh", [tiff, pages_pdf])
    assert [p["page_no"] for p in out] == [1, 2, 3, 4, 5]
    assert [p["mode"] for p in out[:2]] == ["text", "color"]
    assert all(p["document"] == DOC for p in out)
    for p in out:
        assert set(p) >= {"sha256", "bytes", "mode", "width", "height", "dpi"}
        assert BlobStore(desk.data_dir / "files").read(p["sha256"]) and desk.digitise.blobs.has(p["sha256"])
    row = desk.store.db.conn.execute(
        "SELECT idempotency_key, kind, dossier_code, payload FROM outbox WHERE kind = 'dossier.pages'"
    ).fetchone()
    assert re.fullmatch(r"[0-9a-f-]{36}", row[0]) and row[2] == dossier.code
    payload = json.loads(row[3])
    assert payload["dossier_code"] == dossier.code and payload["document"] == DOC
    assert payload["dossier_uuid"] == desk.store.find_dossier_row(dossier.code)["uuid"]
    assert [p["sha256"] for p in payload["pages"]] == [p["sha256"] for p in out]
    assert set(payload["pages"][0]) >= {"sha256", "bytes", "mode", "width", "height", "dpi", "page_no"}
    # every file, the seal page's colour overlay included
    assert out[1]["overlay_sha256"] and out[0]["overlay_sha256"] is None
    assert payload["files"] == sorted({p["sha256"] for p in out} | {out[1]["overlay_sha256"]})
    status = desk.digitise.status(dossier.code)
    assert [d["pages"] for d in status["documents"]] == [5, 0]
    assert status["digitised"] is False  # Giấy chứng sinh is required and still on paper only


def test_second_batch_appends_and_status_turns_digitised(desk, dossier, tmp_path):
    png = tmp_path / "a.png"
    text_page(200).save(png, dpi=(200, 200))
    desk.digitise.attach_files(dossier.code, DOC, [png])
    again = desk.digitise.attach_files(dossier.code, DOC, [png], mode="grey")
    assert again[0]["page_no"] == 2 and again[0]["mode"] == "grey"
    desk.digitise.attach_files(dossier.code, DOC2, [png])
    status = desk.digitise.status(dossier.code)
    assert status["digitised"] is True and all(d["digitised"] for d in status["documents"])
    assert desk.store.db.conn.execute("SELECT count(*) FROM outbox WHERE kind='dossier.pages'").fetchone()[0] == 3


def _bad_files(tmp_path):
    good = tmp_path / "good.png"
    text_page(100).save(good)
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    cut = tmp_path / "cut.png"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    cut_jpg = tmp_path / "cut.jpg"
    buf = io.BytesIO()
    text_page(100).save(buf, "JPEG")
    cut_jpg.write_bytes(buf.getvalue()[:3000])
    text = tmp_path / "notes.png"
    text.write_text("không phải ảnh", encoding="utf-8")
    bomb = tmp_path / "bomb.png"
    Image.new("1", (12000, 12000), 1).save(bomb)  # 144 Mpx, a few KB on disk
    huge = bilevel_png(tmp_path / "huge.png", 30000, 30000)  # 900 Mpx: Image.open itself refuses it
    broken_pdf = tmp_path / "broken.pdf"
    broken_pdf.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\n" + b"x" * 100)
    big_pdf = tmp_path / "big.pdf"
    pdf = pdfium.PdfDocument.new()
    for _ in range(500):
        pdf.new_page(595, 842)
    pdf.save(big_pdf)
    return good, {
        "empty": (empty, "rỗng"),
        "truncated png": (cut, "cắt cụt"),
        "truncated jpeg": (cut_jpg, "cắt cụt"),
        "not an image": (text, "không phải ảnh"),
        "pixel bomb": (bomb, "quá lớn (12000×12000 điểm ảnh)"),
        "huge pixel bomb": (huge, "quá lớn (30000×30000 điểm ảnh)"),
        "broken pdf": (broken_pdf, "bị hỏng"),
        "500 pages": (big_pdf, "500 trang"),
        "unknown suffix": (tmp_path / "x.docx", "không phải ảnh"),
    }


def test_bad_files_are_refused_and_nothing_changes(desk, dossier, tmp_path):
    good, bad = _bad_files(tmp_path)
    (tmp_path / "x.docx").write_bytes(b"PK")
    before = state(desk)
    for label, (path, words) in bad.items():
        with pytest.raises(ValidationError) as info:
            desk.digitise.attach_files(dossier.code, DOC, [good, path])
        assert words in info.value.translated(desk.tr), label
        assert path.name in info.value.translated(desk.tr) or label == "500 pages"
        assert state(desk) == before, label


def test_progress_is_reported_per_page(desk, dossier, pages_pdf):
    seen = []
    desk.digitise.attach_files(dossier.code, DOC, [pages_pdf], progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_unknown_document_or_dossier_refused_before_any_work(desk, dossier, pages_pdf):
    with pytest.raises(ValidationError, match="không có giấy tờ"):
        desk.digitise.attach_files(dossier.code, "Sổ hộ khẩu", [pages_pdf])
    from desk_app.domain.errors import NotFoundError

    with pytest.raises(NotFoundError):
        desk.digitise.attach_files("000.31.14.H14-261118-9999", DOC, [pages_pdf])
    assert state(desk)[0] == 0


def test_file_is_on_disk_before_the_row_and_a_failed_commit_leaves_only_an_orphan(desk, dossier, tmp_path, monkeypatch):
    png = tmp_path / "a.png"
    text_page(150).save(png)
    from desk_app.scanning import pipeline
    from desk_app.scanning.imports import read_pages

    page = pipeline.process(next(read_pages(png)))
    original = desk.digitise.pages.add_pages

    def add_pages_then_check(**kw):
        assert desk.digitise.blobs.has(kw["pages"][0]["sha256"])  # written before the row
        raise StoreError("Ổ đĩa đã đầy: không ghi được dữ liệu. Dữ liệu đã lưu trước đó vẫn an toàn.")

    monkeypatch.setattr(desk.digitise.pages, "add_pages", add_pages_then_check)
    with pytest.raises(StoreError):
        desk.digitise.attach(dossier.code, DOC, [page])
    monkeypatch.setattr(desk.digitise.pages, "add_pages", original)
    report = desk.digitise.verify_files()
    assert report["ok"] and report["orphans"] == [page.sha256]
    # the same bytes attached later reuse the file: stored once
    desk.digitise.attach(dossier.code, DOC, [page])
    desk.digitise.attach(dossier.code, DOC2, [page])
    assert list(desk.digitise.blobs.iter_all()) == [page.sha256]
    assert desk.digitise.verify_files()["orphans"] == []


def test_verify_finds_missing_and_altered(desk, dossier, tmp_path):
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    text_page(100, seed=1).save(a)
    text_page(100, seed=2).save(b)
    pages = desk.digitise.attach_files(dossier.code, DOC, [a, b])
    blobs = desk.digitise.blobs
    blobs.path_for(pages[0]["sha256"]).unlink()
    altered = blobs.path_for(pages[1]["sha256"])
    data = bytearray(altered.read_bytes())
    data[-10] ^= 0xFF
    altered.write_bytes(bytes(data))
    report = desk.digitise.verify_files()
    assert not report["ok"]
    assert report["missing"] == [pages[0]["sha256"]] and report["altered"] == [pages[1]["sha256"]]


def _stream_sizes(pdf_path) -> list[int]:
    """Lengths of the image XObject streams (raw, still encoded)."""
    pdf = pdfium.PdfDocument(pdf_path)
    sizes = []
    for page in pdf:
        for obj in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE]):
            sizes.append(len(obj.get_data(decode_simple=False)))
    return sizes


def test_export_pdf_embeds_pages_without_reencoding(desk, dossier, tmp_path):
    tiff = save_pages(tmp_path / "s.tif", [text_page(200, seed=8), text_page(200, seal=True, seed=9)],
                      format="TIFF", dpi=(200, 200))
    pages = desk.digitise.attach_files(dossier.code, DOC, [tiff])
    out = desk.digitise.export_pdfs(dossier.code, tmp_path / "out")
    assert len(out) == 1 and out[0]["pages"] == 2 and out[0]["document"] == DOC
    pdf = pdfium.PdfDocument(out[0]["path"])
    assert len(pdf) == 2
    # page size follows the image's own resolution: A4 either way
    assert pdf[0].get_size() == pytest.approx((595.3, 841.9), abs=2)
    assert pdf[1].get_size() == pytest.approx((595.3, 841.9), abs=2)
    sizes = _stream_sizes(out[0]["path"])
    # the seal page is bilevel + an overlay JPEG: that JPEG is its second image stream, byte for
    # byte (tests/scanning/test_mixed_pages.py compares every stream's bytes)
    jpeg = desk.digitise.blobs.read(pages[1]["overlay_sha256"])
    assert len(sizes) == 3 and sizes[2] == len(jpeg)
    # the page stream is the stored file less its header (JBIG2 file header and end segments,
    # or the G4 TIFF's header around its single strip)
    assert 0 < pages[0]["bytes"] - sizes[0] < 600
    # renders
    image = pdf[0].render(scale=0.5).to_pil()
    assert image.size[0] > 100
    assert out[0]["bytes"] < sum(p["bytes"] for p in pages) + 4096


def test_export_without_pages_is_a_clear_error(desk, dossier, tmp_path):
    with pytest.raises(ValidationError, match="chưa có trang"):
        desk.digitise.export_pdfs(dossier.code, tmp_path / "o")


def test_export_write_failure_is_a_store_error_and_leaves_no_temporary_file(desk, dossier, tmp_path):
    """The PDF is written through desk_common.fsutil.write_atomic: an OSError (here the target name
    is taken by a folder) becomes a clear StoreError, and the temporary file is removed."""
    png = save_pages(tmp_path / "p.png", [text_page(100)], dpi=(100, 100))
    desk.digitise.attach_files(dossier.code, DOC, [png])
    folder = tmp_path / "out" / dossier.code
    (folder / f"01 {DOC}.pdf").mkdir(parents=True)
    with pytest.raises(StoreError) as info:
        desk.digitise.export_pdfs(dossier.code, tmp_path / "out")
    assert "Không ghi được tệp" in info.value.translated(desk.tr)
    assert [p.name for p in folder.iterdir()] == [f"01 {DOC}.pdf"]

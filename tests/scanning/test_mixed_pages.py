"""Mixed pages (G4 page + colour/grey JPEG overlay) through storage, verification, the PDF
export (streams byte for byte, rendered with pdfium), the CLI and sync to a real server."""

from __future__ import annotations

import io
import json

import numpy as np
import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image, TiffImagePlugin

from desk_app.scanning import pipeline
from desk_app.scanning.page import RawPage, is_jbig2, open_page
from desk_app.scanning.samples import photo_page, text_page
from tests.scanning.conftest import DOC, save_pages

TYPICAL = dict(point_size=14, leading=1.5)


@pytest.fixture
def mixed(desk, dossier):
    """One document: a text page, a page with a red seal, a page with a grey photo (200 dpi)."""
    pages = [
        pipeline.process(RawPage(text_page(200, seed=8, **TYPICAL), 200)),
        pipeline.process(RawPage(text_page(200, seal=True, seed=9, **TYPICAL), 200)),
        pipeline.process(RawPage(photo_page(200), 200)),
    ]
    assert [p.overlay is not None for p in pages] == [False, True, True]
    return pages, desk.digitise.attach(dossier.code, DOC, pages)


def page_stream(data: bytes) -> tuple[str, bytes]:
    """The filter and data a PDF embeds for a stored bilevel page: a JBIG2 file without its
    file header and its end-of-page and end-of-file segments (22 bytes), or the CCITT G4 data of
    a one-strip TIFF."""
    if is_jbig2(data):
        return "/JBIG2Decode", data[13:-22]
    img = Image.open(io.BytesIO(data))
    assert isinstance(img, TiffImagePlugin.TiffImageFile)
    offset, count = img.tag_v2[273][0], img.tag_v2[279][0]
    return "/CCITTFaxDecode", data[offset : offset + count]


def filter_name(stream) -> str:
    f = stream.Filter
    return str(f[0] if isinstance(f, pikepdf.Array) else f)


def test_rows_payload_and_attach_json_carry_the_overlay(desk, dossier, mixed):
    pages, out = mixed
    for page, row in zip(pages, out):
        assert row["sha256"] == page.sha256 and row["bytes"] == page.bytes
        assert row["mode"] in ("text", "color", "grey") and row["dpi"] == 200
    seal = out[1]
    assert seal["mode"] == "color" and seal["bytes"] == len(pages[1].data) + seal["overlay_bytes"]
    assert seal["overlay_sha256"] == pages[1].overlay.sha256 and seal["overlay_dpi"] == 150
    assert seal["overlay_box"] == list(pages[1].overlay.box)
    assert out[2]["mode"] == "grey" and out[2]["overlay_sha256"]
    stored = desk.digitise.pages.pages(desk.store.find_dossier_row(dossier.code)["id"])
    assert [r.overlay_box for r in stored] == [None, tuple(seal["overlay_box"]), tuple(out[2]["overlay_box"])]
    assert [r.bytes for r in stored] == [p["bytes"] for p in out]
    assert [r.mixed for r in stored] == [False, True, True]
    payload = json.loads(desk.store.db.conn.execute(
        "SELECT payload FROM outbox WHERE kind = 'dossier.pages'").fetchone()[0])
    assert payload["pages"][1]["overlay_sha256"] == seal["overlay_sha256"]
    assert payload["pages"][1]["overlay_box"] == seal["overlay_box"]
    assert sorted(payload["files"]) == sorted({p["sha256"] for p in out} | {out[1]["overlay_sha256"], out[2]["overlay_sha256"]})
    for sha in payload["files"]:
        assert desk.digitise.blobs.has(sha)


def test_verify_counts_overlays_as_referenced_and_finds_a_missing_one(desk, mixed):
    _, out = mixed
    report = desk.digitise.verify_files()
    assert report["ok"] and report["orphans"] == []
    desk.digitise.blobs.path_for(out[1]["overlay_sha256"]).unlink()
    report = desk.digitise.verify_files()
    assert not report["ok"] and report["missing"] == [out[1]["overlay_sha256"]]


def test_export_pdf_keeps_every_stream_byte_for_byte_and_renders_the_seal(desk, dossier, mixed, tmp_path):
    pages, out = mixed
    [doc] = desk.digitise.export_pdfs(dossier.code, tmp_path / "out")
    assert doc["pages"] == 3
    with pikepdf.Pdf.open(doc["path"]) as pdf:
        streams = []
        for page in pdf.pages:
            images = sorted(page.Resources.XObject.items())  # /Im0 (img2pdf) before /Ov* (overlay)
            streams.append([(filter_name(img), img.read_raw_bytes()) for _, img in images])
    blobs = desk.digitise.blobs
    assert streams[0] == [page_stream(blobs.read(out[0]["sha256"]))]
    for i in (1, 2):
        assert streams[i] == [
            page_stream(blobs.read(out[i]["sha256"])),
            ("/DCTDecode", blobs.read(out[i]["overlay_sha256"])),
        ]
    assert doc["bytes"] < sum(p["bytes"] for p in out) + 6000

    pdf = pdfium.PdfDocument(doc["path"])
    # The text page as pdfium draws it, one device pixel per page pixel (a hair under the page's
    # scale: pypdfium2 rounds the bitmap size up): the stored bitmap exactly.
    stored = ~np.asarray(open_page(pages[0].data))
    scale = pages[0].width / pdf[0].get_width() * (1 - 1e-9)
    drawn = np.asarray(pdf[0].render(scale=scale, grayscale=True).to_pil().convert("L")) < 128
    assert np.array_equal(drawn[: pages[0].height, : pages[0].width], stored)
    assert pdf[1].get_size() == pytest.approx((595.3, 841.9), abs=2)
    shown = np.asarray(pdf[1].render(scale=200 / 72).to_pil().convert("RGB"), dtype=int)
    assert abs(shown.shape[0] - pages[1].height) <= 1 and abs(shown.shape[1] - pages[1].width) <= 1
    x, y, w, h = pages[1].overlay.box
    seal = shown[y : y + h, x : x + w]
    red = (seal[..., 0] - seal[..., 1] > 80) & (seal[..., 0] > 150)
    assert red.mean() > 0.05  # the seal is red where the overlay is
    text = shown[300 : y - 20, 250:1400]  # body text above the seal: black on white (G4)
    dark = text.max(axis=2) < 60
    assert dark.mean() > 0.03 and (text.max(axis=2) - text.min(axis=2)).max() < 30
    # the overlay sits exactly on its box: the rendered seal area matches the stored JPEG
    jpeg = np.asarray(Image.open(io.BytesIO(pages[1].overlay.data)).resize((w, h)), dtype=int)
    assert np.abs(seal - jpeg).mean() < 12


def test_cli_attach_reports_total_and_overlay_and_exports(tmp_path, intake_json):
    from tests.conftest import desk_cli

    data = str(tmp_path / "d")
    assert desk_cli("init", "--data", data, "--unit-code", "000.31.14.H14", "--desk", "2").returncode == 0
    src = tmp_path / "in.json"
    src.write_text(json.dumps(intake_json, ensure_ascii=False), encoding="utf-8")
    code = json.loads(desk_cli("intake", "--allow-missing", "--data", data, "--json", str(src)).stdout)["code"]
    seal = tmp_path / "seal.png"
    text_page(200, seal=True, **TYPICAL).save(seal, dpi=(200, 200))
    r = desk_cli("attach", "--data", data, code, "--document", DOC, str(seal))
    assert r.returncode == 0, r.stderr
    [page] = json.loads(r.stdout)
    assert page["mode"] == "color" and (page["width"], page["height"], page["dpi"]) == (1654, 2339, 200)
    files = tmp_path / "d" / "files"
    on_disk = {p.name: p.stat().st_size for p in files.glob("*/*/*")}
    assert on_disk == {page["sha256"]: page["bytes"] - page["overlay_bytes"], page["overlay_sha256"]: page["overlay_bytes"]}
    assert page["bytes"] <= 150 * 1024 and page["overlay_dpi"] == 150 and len(page["overlay_box"]) == 4
    r = desk_cli("export-pdf", "--data", data, code, "--out", str(tmp_path / "pdf"))
    assert r.returncode == 0, r.stderr
    [doc] = json.loads(r.stdout)
    with pikepdf.Pdf.open(doc["path"]) as pdf:
        assert len(pdf.pages[0].Resources.XObject) == 2
    assert json.loads(desk_cli("verify-files", "--data", data).stdout)["ok"] is True


def test_sync_sends_overlay_files_to_the_server(enrolled, server, intake_json, tmp_path):
    from tests.sync.conftest import add_intake, server_dossiers

    code = add_intake(enrolled, intake_json)[0]
    tiff = save_pages(tmp_path / "s.tif", [text_page(200, seal=True, seed=9, **TYPICAL)], format="TIFF", dpi=(200, 200))
    [page] = enrolled.digitise.attach_files(code, DOC, [tiff])
    assert page["overlay_sha256"]
    summary = enrolled.sync.sync_once()
    assert summary.ok, summary
    [dossier] = server_dossiers(server)
    assert sorted(dossier["files"]) == sorted([page["sha256"], page["overlay_sha256"]])
    stored = server.data / "files" / page["overlay_sha256"][:2] / page["overlay_sha256"][2:4] / page["overlay_sha256"]
    assert stored.read_bytes() == enrolled.digitise.blobs.read(page["overlay_sha256"])


# The sync fixtures (a real server process, an enrolled desk) live in tests/sync/conftest.py.
from tests.sync.conftest import _no_keyring, enrolled, province, server  # noqa: E402,F401

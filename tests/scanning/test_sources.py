"""Scanner sources: the real SANE test device (flatbed, feeder), WIA and TWAIN with their OS
boundary faked (experimental backends), the watched folder, and the CLI end to end."""

from __future__ import annotations

import io
import json
import os
import time

import pytest
from PIL import Image

from desk_app.scanning.samples import blank_back, text_page
from desk_app.scanning.sources import ScannerError, ScanSettings
from desk_app.scanning.sources.sane_backend import SaneBackend
from desk_app.scanning.sources.twain_backend import TwainBackend
from desk_app.scanning.sources.wia_backend import WIA_ERROR_PAPER_EMPTY, WiaBackend
from desk_app.services.digitise import process_scan
from tests.conftest import desk_cli
from tests.scanning.conftest import DOC, DOC2


def test_sane_lists_the_test_device(sane_config):
    devices = SaneBackend().devices()
    test0 = next(d for d in devices if d.id == "test:0")
    assert "feeder" in test0.sources and not test0.experimental


def test_sane_flatbed_scan_a4(sane_config):
    pages = list(SaneBackend().scan("test:0", ScanSettings(dpi=200, options={"test_picture": "Grid"})))
    assert len(pages) == 1
    assert pages[0].image.size == (1653, 2338) and pages[0].dpi == 200


def test_sane_feeder_multi_page_and_processing(sane_config):
    settings = ScanSettings(source="feeder", dpi=150, options={"test_picture": "Grid"})
    seen = []
    pages, dropped = process_scan([SaneBackend()], "test:0", settings, on_page=seen.append)
    assert len(pages) == 10 and dropped == 0  # the test feeder holds 10 sheets
    assert seen == pages and all(p.mode == "text" for p in pages)
    limited, _ = process_scan([SaneBackend()], "test:0", ScanSettings(source="feeder", dpi=100, max_pages=3))
    assert len(limited) == 3


def test_sane_feeder_drops_blank_sheets(sane_config):
    settings = ScanSettings(source="feeder", dpi=100, max_pages=2, options={"test_picture": "Solid white"})
    pages, dropped = process_scan([SaneBackend()], "test:0", settings)
    assert (len(pages), dropped) == (0, 2)


def test_sane_feeder_keeps_black_sheets_and_stores_them_black(sane_config):
    """The test device's default picture, a solid black sheet, is not a blank back (a dark
    sheet never is) and is stored black: the adaptive threshold alone made it a white page. A
    mostly dark page stays grey and carries the "black" warning asked before saving."""
    settings = ScanSettings(source="feeder", dpi=100, max_pages=2, options={"test_picture": "Solid black"})
    pages, dropped = process_scan([SaneBackend()], "test:0", settings)
    assert (len(pages), dropped) == (2, 0)
    for page in pages:
        stored = Image.open(io.BytesIO(page.data))
        assert page.mode == "grey" and page.warning == "black"
        assert stored.convert("L").getextrema()[1] < 40


def test_sane_unknown_device_is_a_clear_error(sane_config):
    with pytest.raises(ScannerError, match="Không tìm thấy máy quét"):
        list(SaneBackend().scan("test:9", ScanSettings()))


def test_cli_scan_attach_export_verify(sane_config, tmp_path, intake_json):
    env = {"SANE_CONFIG_DIR": str(sane_config)}
    data = str(tmp_path / "d")
    assert desk_cli("init", "--data", data, "--unit-code", "000.31.14.H14", "--desk", "2").returncode == 0
    src = tmp_path / "in.json"
    src.write_text(json.dumps(intake_json, ensure_ascii=False), encoding="utf-8")
    code = json.loads(desk_cli("intake", "--allow-missing", "--data", data, "--json", str(src)).stdout)["code"]
    r = desk_cli("scan", "--data", data, code, "--document", DOC2, "--device", "test:0", "--source", "feeder",
                 "--pages", "4", "--dpi", "200", "--option", "test_picture=Grid", env=env)
    assert r.returncode == 0, r.stderr
    scanned = json.loads(r.stdout)
    assert len(scanned["pages"]) == 4 and scanned["pages"][0]["dpi"] == 200
    seal = tmp_path / "seal.jpg"
    text_page(200, seal=True).save(seal, quality=92, dpi=(200, 200))
    r = desk_cli("attach", "--data", data, code, "--document", DOC, str(seal), "--mode", "auto")
    assert r.returncode == 0, r.stderr
    attached = json.loads(r.stdout)
    assert attached[0]["mode"] == "color" and set(attached[0]) >= {"sha256", "bytes", "width", "height", "dpi"}
    status = json.loads(desk_cli("pages", "--data", data, code).stdout)
    assert status["digitised"] is True
    r = desk_cli("export-pdf", "--data", data, code, "--out", str(tmp_path / "pdf"))
    assert r.returncode == 0, r.stderr
    assert sorted(e["pages"] for e in json.loads(r.stdout)) == [1, 4]
    assert json.loads(desk_cli("verify-files", "--data", data).stdout)["ok"] is True
    # damage a file: verify-files fails with a clear message and the list
    sha = attached[0]["sha256"]
    (tmp_path / "d" / "files" / sha[:2] / sha[2:4] / sha).unlink()
    r = desk_cli("verify-files", "--data", data)
    assert r.returncode == 1 and json.loads(r.stderr)["missing"] == [sha]
    # bad input: clear Vietnamese error on stderr, exit 1, nothing written
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    r = desk_cli("attach", "--data", data, code, "--document", DOC, str(empty))
    assert r.returncode == 1 and "rỗng" in json.loads(r.stderr)["message"]
    r = desk_cli("attach", "--lang", "en", "--data", data, code, "--document", DOC, str(empty))
    assert "empty" in json.loads(r.stderr)["message"]


# --- WIA and TWAIN: the OS boundary faked --------------------------------------------------------
class FakeProp:
    def __init__(self, pid, value):
        self.PropertyID, self.Value = pid, value


class FakeProps:
    def __init__(self, props):
        self._p = props
        self.Count = len(props)

    def Item(self, i):
        return self._p[i - 1]


class FakeComError(Exception):
    pass


def png_bytes(img):
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


class FakeWiaItem:
    def __init__(self, sheets):
        self.sheets = list(sheets)
        self.Properties = FakeProps([FakeProp(6146, 0), FakeProp(6147, 0), FakeProp(6148, 0)])
        self.transfers = 0

    def Transfer(self, fmt):
        if not self.sheets:
            raise FakeComError(WIA_ERROR_PAPER_EMPTY, "paper empty")
        data = png_bytes(self.sheets.pop(0))
        self.transfers += 1
        return type("F", (), {"FileData": type("V", (), {"BinaryData": data})()})()


class FakeWiaDevice:
    def __init__(self, sheets, caps):
        self.item = FakeWiaItem(sheets)
        self.Properties = FakeProps([FakeProp(3086, caps), FakeProp(3088, 2), FakeProp(3096, 0)])
        self.Items = FakeProps([self.item])


class FakeWiaManager:
    def __init__(self, device):
        info = type("I", (), {})()
        info.Type = 1
        info.Properties = FakeProps([FakeProp(2, "{6BDD1FC6}\\0001"), FakeProp(7, "Canon DR-C225")])
        info.Connect = lambda: device
        self.DeviceInfos = FakeProps([info])


def test_wia_feeder_duplex_with_blank_backs_dropped():
    sheets = [text_page(100, seed=1), blank_back(100), text_page(100, seed=2), blank_back(100, seed=3)]
    device = FakeWiaDevice(sheets, caps=0x001 | 0x004)
    backend = WiaBackend(lambda: FakeWiaManager(device))
    (info,) = backend.devices()
    assert info.id == "wia:{6BDD1FC6}\\0001" and info.experimental and "duplex" in info.sources
    pages, dropped = process_scan([backend], info.id, ScanSettings(source="duplex", dpi=100))
    assert (len(pages), dropped) == (2, 2)
    assert device.item.Properties.Item(2).Value == 100 and device.Properties.Item(2).Value == 0x005


def test_wia_refuses_feeder_on_flatbed_only_device():
    backend = WiaBackend(lambda: FakeWiaManager(FakeWiaDevice([], caps=0)))
    with pytest.raises(ScannerError, match="khay nạp"):
        list(backend.scan("{6BDD1FC6}\\0001", ScanSettings(source="feeder")))


class FakeTwainSource:
    def __init__(self, sheets, feeder=True):
        self.sheets, self.feeder, self.caps, self.closed = list(sheets), feeder, {}, False

    def set_capability(self, cap, kind, value):
        if cap == 0x1002 and not self.feeder:
            raise RuntimeError("capability not supported")
        self.caps[cap] = value

    def request_acquire(self, show_ui, modal):
        assert show_ui == 0

    def xfer_image_natively(self):
        img = self.sheets.pop(0)
        return img, len(self.sheets)

    def close(self):
        self.closed = True


def test_twain_feeder_and_errors():
    source = FakeTwainSource([text_page(100, seed=i) for i in range(3)])
    manager = type("M", (), {"source_list": ["EPSON DS-530"], "open_source": lambda self, n: source})()
    backend = TwainBackend(lambda: manager, dib_to_bmp=lambda img: png_bytes(img))
    (info,) = backend.devices()
    pages, _ = process_scan([backend], info.id, ScanSettings(source="feeder", dpi=100))
    assert len(pages) == 3 and source.closed and source.caps[0x1118] == 100.0
    flat = FakeTwainSource([], feeder=False)
    manager2 = type("M", (), {"source_list": ["HP"], "open_source": lambda self, n: flat})()
    with pytest.raises(ScannerError, match="khay nạp"):
        list(TwainBackend(lambda: manager2, dib_to_bmp=png_bytes).scan("HP", ScanSettings(source="feeder")))
    assert flat.closed


# --- watched folder ---------------------------------------------------------------------------
def test_watched_folder_takes_only_stable_complete_files(desk, dossier, tmp_path):
    from desk_app.scanning.watch import WatchedFolder

    folder = tmp_path / "copier"
    folder.mkdir()
    watch = WatchedFolder(folder)
    good = folder / "scan001.png"
    text_page(100).save(good)
    (folder / "scan002.pdf.part").write_bytes(b"%PDF-partial")
    (folder / "empty.jpg").write_bytes(b"")
    growing = folder / "scan003.tif"
    growing.write_bytes(b"II*\x00")
    assert watch.poll() == []  # first sight: not yet known to be stable
    with open(growing, "ab") as handle:  # the copier is still writing
        handle.write(b"\x00" * 100)
    os.utime(growing, ns=(time.time_ns(), time.time_ns() + 5_000_000))
    ready = watch.poll()
    assert ready == [good]
    pages = desk.digitise.attach_files(dossier.code, DOC, ready)
    moved = watch.finish(good)
    assert moved.parent.name == "done" and not good.exists() and len(pages) == 1
    bad = watch.poll()
    assert bad == [growing]
    watch.finish(growing, error="hỏng")
    assert (folder / "failed" / "scan003.tif.error.txt").read_text(encoding="utf-8") == "hỏng"
    assert watch.poll() == []


def test_cli_watch_once(tmp_path, intake_json):
    data = str(tmp_path / "d")
    desk_cli("init", "--data", data, "--unit-code", "000.31.14.H14", "--desk", "2")
    src = tmp_path / "in.json"
    src.write_text(json.dumps(intake_json, ensure_ascii=False), encoding="utf-8")
    code = json.loads(desk_cli("intake", "--allow-missing", "--data", data, "--json", str(src)).stdout)["code"]
    folder = tmp_path / "copier"
    folder.mkdir()
    text_page(100).save(folder / "a.png")
    (folder / "b.jpg").write_bytes(b"\xff\xd8 not really")
    r = desk_cli("watch", "--data", data, str(folder), "--code", code, "--document", DOC, "--once", "--interval", "0.2")
    assert r.returncode == 0, r.stderr
    result = {e["file"]: e for e in json.loads(r.stdout)}
    assert len(result["a.png"]["pages"]) == 1 and "error" in result["b.jpg"]
    assert (folder / "done" / "a.png").exists() and (folder / "failed" / "b.jpg").exists()

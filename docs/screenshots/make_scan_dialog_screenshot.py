"""Screenshot of the scan dialog on a 1366 x 768 laptop screen, with pages from the SANE test
device's feeder and imported files (a page with a red seal, a page with a photo):

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/make_scan_dialog_screenshot.py [--lang vi|en]

Uses a private SANE config with only the test backend (as tests/scanning/conftest.py does) and a
throw-away desk; saves docs/screenshots/scan-dialog.png (suffix -en for English).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(OUT)]


def sane_config(folder: Path) -> None:
    """Before the first sane.init(): the test device, its scan area large enough for A4."""
    folder.mkdir()
    (folder / "dll.conf").write_text("test\n")
    text = Path("/etc/sane.d/test.conf").read_text().replace("geometry_max 200.0", "geometry_max 300.0")
    (folder / "test.conf").write_text(text)
    os.environ["SANE_CONFIG_DIR"] = str(folder)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lang", choices=("vi", "en"), default="vi")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sane_config(Path(tmp) / "sane.d")
        return shoot(Path(tmp), args.lang)


def shoot(tmp: Path, lang: str) -> int:
    import shots
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from desk_app.i18n import Translator
    from desk_app.scanning.samples import photo_page, text_page
    from desk_app.scanning.sources.sane_backend import SaneBackend
    from desk_app.services.context import build_services
    from desk_app.ui.scan.dialog import ScanDialog
    from desk_app.ui.tasks import TaskRunner

    wait_until = partial(shots.wait_until, timeout_ms=60000, step_ms=50, what="the dialog")

    app = QApplication(sys.argv[:1])
    data_dir = tmp / "data"
    ctx = build_services(data_dir, actor="canbo.motcua")
    ctx.setup.configure(unit_code="000.31.14.H14", desk=3, commune_code="01273", unit_name="UBND Phường Thục Phán")
    ctx.catalogue.ensure_sample()
    proc = ctx.catalogue.get("1.001193.000.00.00.H14")
    dossier = ctx.intake.intake({
        "procedure_code": proc.code,
        "applicant": {"full_name": "Nguyễn Thị Đào", "id_number": "004199012345", "gender": "Nữ",
                      "birth_date": "1999-05-20", "address": "Phường Thục Phán, Tỉnh Cao Bằng"},
        "documents": [{"name": d.name, "kind": d.kind, "count": d.count} for d in proc.documents],
    })
    ctx.close()
    documents = [d.name for d in dossier.documents]

    files = []
    for name, image in (("to-khai-co-dau.jpg", text_page(150, seed=3, seal=True)),
                        ("giay-co-anh.png", photo_page(150))):
        files.append(str(tmp / name))
        image.save(files[-1], dpi=(150, 150))

    tr = Translator(lang)
    runner = TaskRunner(lambda: build_services(data_dir, tr=tr, actor="canbo.motcua"))
    dialog = ScanDialog(runner, tr, code=dossier.code, documents=documents, backends=lambda: [SaneBackend()])
    dialog.show()
    wait_until(lambda: dialog.device.count() > 0 and dialog.scan_button.isEnabled())
    dialog.device.setCurrentIndex(dialog.device.findText("test:0", flags=Qt.MatchFlag.MatchContains))
    dialog.source.setCurrentIndex(dialog.source.findData("feeder"))
    dialog.max_pages.setValue(3)
    import sane

    device = sane.open("test:0")  # the dialog sets no test option: a grid page, like a form
    device.test_picture = "Grid"
    device.close()
    dialog.start_scan()
    wait_until(lambda: dialog.scan_button.isEnabled() and dialog.pages.count() == 3)
    dialog.document.setCurrentIndex(1)
    dialog.import_files(files)
    wait_until(lambda: dialog.import_button.isEnabled() and dialog.pages.count() == 5)
    dialog.pages.item(3).setSelected(True)
    screen = dialog.screen().geometry()
    name = "scan-dialog.png" if lang == "vi" else f"scan-dialog-{lang}.png"
    shots.grab(OUT / name, dialog, settle_ms=300)
    print(f"saved {name}: dialog {dialog.width()}x{dialog.height()}, frame {dialog.frameGeometry().width()}x"
          f"{dialog.frameGeometry().height()}, screen {screen.width()}x{screen.height()}, "
          f"free {dialog.screen().availableGeometry().width()}x{dialog.screen().availableGeometry().height()}")
    dialog.close()
    runner.shutdown()
    app.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

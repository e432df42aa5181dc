"""Screenshots of issue 8's "see, fix and protect what was taken in" on a 1366 x 768 screen:

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/make_corrections_screenshots.py

A throw-away desk with one dossier whose documents have scanned pages (sample pages: text, a red
seal, a photo). Saves, in docs/screenshots/:
  page-viewer-scan.png     the scan dialog with the page viewer open (zoomed, view rotated)
  dossier-pages.png        the dossier page: thumbnails of every digitised page
  page-viewer-dossier.png  the viewer opened from the dossier page
  dossier-edit.png         "Sửa hồ sơ": a typo in the name, a forgotten document added
  dossier-edited.png       the dossier page after the correction (history: before -> after)
  returned-to.png          "returned": who collects the result (filled from an ID card scan)
Whole-screen grabs, so a dialog shows over its window as the receptionist sees it.
"""

from __future__ import annotations

import sys
import tempfile
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(OUT)]

CARD_QR = "004099001234|123456789|Nguyễn Văn An|15081999|Nam|Tổ 1, Phường Thục Phán, Tỉnh Cao Bằng|10072024"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        return shoot(Path(tmp))


def shoot(tmp: Path) -> int:
    import shots
    from PySide6.QtWidgets import QApplication

    from desk_app.domain.cccd import parse_cccd_qr
    from desk_app.i18n import Translator
    from desk_app.scanning.page import RawPage
    from desk_app.scanning.pipeline import process
    from desk_app.scanning.samples import photo_page, text_page
    from desk_app.services.context import build_services
    from desk_app.ui.app import DeskStartup
    from desk_app.ui.main_window import MainWindow
    from desk_app.ui.scan.dialog import ScanDialog
    from desk_app.ui.tasks import TaskRunner
    from desk_app.ui.wedge import install_scanner_router

    wait_until = partial(shots.wait_until, timeout_ms=30000, step_ms=50)

    def save(name: str) -> None:
        shots.grab(OUT / name, settle_ms=400)
        print("saved", name)

    app = QApplication(sys.argv[:1])
    data_dir = tmp / "data"
    ctx = build_services(data_dir, actor="canbo.motcua")
    ctx.setup.configure(unit_code="000.31.14.H14", desk=3, commune_code="01273", unit_name="UBND Phường Thục Phán")
    ctx.catalogue.ensure_sample()
    proc = ctx.catalogue.get("1.001193.000.00.00.H14")
    docs = [{"name": d.name, "kind": d.kind, "count": d.count} for d in proc.documents]
    dossier = ctx.intake.intake({
        "procedure_code": proc.code,
        "applicant": {"full_name": "Nguyễn Thi Dao", "id_number": "004199012345", "gender": "Nữ", "birth_date": "1999-05-20",
                      "address": "Xóm Nà Rỏa, Phường Thục Phán, Tỉnh Cao Bằng", "phone": "0912345678"},
        "documents": docs[:-1],  # the last one forgotten on the checklist
    })
    code = dossier.code
    pages = {docs[0]["name"]: [text_page(150, seed=1), text_page(150, seed=2, seal=True)],
             docs[1]["name"]: [photo_page(150)]}
    for name, images in pages.items():
        ctx.digitise.attach(code, name, [process(RawPage(image, 150)) for image in images])
    ctx.close()

    tr = Translator("vi")
    runner = TaskRunner(lambda: build_services(data_dir, tr=tr, actor="canbo.motcua"))
    window = MainWindow(runner, tr)
    startup = DeskStartup(window, runner)
    ready: list = []
    startup.ready_callbacks.append(ready.append)
    window.setGeometry(0, 0, 1366, 768)  # no window manager under Xvfb: the whole screen
    window.show()
    startup.start()
    wait_until(lambda: bool(ready))
    window.router = install_scanner_router(window, app)

    # The scan dialog with the viewer over it.
    files = []
    for index, image in enumerate((text_page(150, seed=5, seal=True), text_page(150, seed=6))):
        files.append(str(tmp / f"trang-{index}.png"))
        image.save(files[-1], dpi=(150, 150))
    window.open_dossier(code)
    page = window.dossier
    wait_until(lambda: page.current_code == code)
    dialog = ScanDialog(runner, tr, code=code, documents=[d["name"] for d in docs[:-1]], backends=list, parent=window)
    dialog.show()
    wait_until(lambda: dialog.import_button.isEnabled())
    dialog.import_files(files)
    wait_until(lambda: dialog.import_button.isEnabled() and dialog.pages.count() == 2)
    dialog.view_pages(0)
    viewer = dialog.viewer
    wait_until(lambda: not viewer.view.item.pixmap().isNull())
    viewer.zoom_in()
    viewer.rotate()
    save("page-viewer-scan.png")
    viewer.reject()
    wait_until(lambda: dialog.viewer is None)
    dialog._discard_ok = True  # a screenshot run: leave without the question
    dialog.reject()

    # The dossier page: thumbnails, then the viewer.
    strip = page.pages_box.strip
    wait_until(lambda: strip.count() == 3 and all(not strip.item(i).icon().isNull() for i in range(3)))
    save("dossier-pages.png")
    page.pages_box.open_page(1)
    viewer = page.pages_box.viewer
    wait_until(lambda: not viewer.view.item.pixmap().isNull())
    save("page-viewer-dossier.png")
    viewer.reject()
    wait_until(lambda: page.pages_box.viewer is None)

    # The correction.
    page.edit_dossier()
    wait_until(lambda: page.edit_dialog is not None and page.edit_dialog.isVisible())
    edit = page.edit_dialog
    edit.full_name.setText("Nguyễn Thị Đào")
    edit.catalogue.setCurrentIndex(0)
    edit._add_chosen()
    edit.reason.setText("Sai dấu họ tên; bổ sung giấy tờ đã nhận")
    save("dossier-edit.png")
    edit.save()
    wait_until(lambda: page.edit_dialog is None)
    save("dossier-edited.png")

    # Returned: who collects.
    page.new_status.setCurrentIndex(page.new_status.findData("result_ready"))
    page.apply_status()
    wait_until(lambda: page.dossier.status == "result_ready")
    page.new_status.setCurrentIndex(page.new_status.findData("returned"))
    page.apply_status()
    wait_until(lambda: page.collector_dialog is not None and page.collector_dialog.isVisible())
    window.router.cccd_scanned.emit(parse_cccd_qr(CARD_QR))
    save("returned-to.png")
    page.collector_dialog.check_and_accept()
    wait_until(lambda: page.dossier.status == "returned")
    window.close()
    runner.shutdown()
    app.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

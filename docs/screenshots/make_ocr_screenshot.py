"""Screenshot of a search hit inside a scanned page, on a 1366 x 768 screen:

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/make_ocr_screenshot.py

A throw-away desk with one dossier whose birth-certificate page was recognised (real Tesseract);
the queue is searched for "doc lap" (no diacritics), the hit opened, and the page viewer shows the
page with the found words shaded. Saves docs/screenshots/ocr-search-hit.png (whole screen).
"""

from __future__ import annotations

import sys
import tempfile
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(OUT)]


def main() -> int:
    import shots
    from PySide6.QtWidgets import QApplication

    from desk_app.i18n import Translator
    from desk_app.scanning.page import RawPage
    from desk_app.scanning.pipeline import process
    from desk_app.scanning.samples import text_page
    from desk_app.services.context import build_services
    from desk_app.ui.app import DeskStartup
    from desk_app.ui.main_window import MainWindow
    from desk_app.ui.tasks import TaskRunner

    wait_until = partial(shots.wait_until, timeout_ms=60000, step_ms=50)

    _app = QApplication(sys.argv[:1])  # kept alive for the whole script
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        ctx = build_services(data_dir, actor="canbo.motcua")
        ctx.setup.configure(unit_code="000.31.14.H14", desk=3, commune_code="01273", unit_name="UBND Phường Thục Phán")
        ctx.catalogue.ensure_sample()
        proc = ctx.catalogue.get("1.001193.000.00.00.H14")
        docs = [{"name": d.name, "kind": d.kind, "count": d.count} for d in proc.documents]
        code = ctx.intake.intake({
            "procedure_code": proc.code,
            "applicant": {"full_name": "Hoàng Thị Lụa", "id_number": "004198012345", "gender": "Nữ",
                          "birth_date": "1998-03-02", "address": "Tổ 1, Phường Thục Phán, Tỉnh Cao Bằng"},
            "documents": docs,
        }).code
        ctx.digitise.attach(code, docs[0]["name"], [process(RawPage(text_page(200, seed=4), 200))])
        print(ctx.ocr.run_pending())
        ctx.close()

        tr = Translator("vi")
        runner = TaskRunner(lambda: build_services(data_dir, tr=tr, actor="canbo.motcua"))
        window = MainWindow(runner, tr)
        startup = DeskStartup(window, runner)
        ready: list = []
        startup.ready_callbacks.append(ready.append)
        window.setGeometry(0, 0, 1366, 768)
        window.show()
        startup.start()
        wait_until(lambda: bool(ready))
        window.show_page("queue")
        queue = window.built("queue")
        queue.search.setText("doc lap")
        queue.search.textEdited.emit("doc lap")
        wait_until(lambda: queue.model.rowCount() == 1)
        window.open_dossier(code)
        box = window.dossier.pages_box
        wait_until(lambda: box.strip.count() == 1 and bool(box.pages) and bool(box.pages[0]["marks"]))
        box.open_page(0)
        viewer = box.viewer
        wait_until(lambda: not viewer.view.item.pixmap().isNull())
        viewer.zoom_in()
        viewer.zoom_in()
        shots.grab(OUT / "ocr-search-hit.png", settle_ms=600)
        print("saved ocr-search-hit.png")
        viewer.reject()
        runner.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

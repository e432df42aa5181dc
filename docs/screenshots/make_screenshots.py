"""Screenshots of the intake, queue and dossier pages for the README.

    xvfb-run -a .venv/bin/python docs/screenshots/make_screenshots.py [--lang vi|en]

Builds a throw-away desk with a few Vietnamese citizens, drives the real window the way a
receptionist would (the ID card is "scanned" as keystrokes into the name field) and saves
docs/screenshots/{intake,intake-saved,queue,dossier}.png (suffix -en for English).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(OUT)]

from shots import grab, type_text, wait, wait_until  # noqa: E402

from desk_app.i18n import Translator  # noqa: E402
from desk_app.services.context import build_services  # noqa: E402
from desk_app.ui.app import DeskStartup  # noqa: E402
from desk_app.ui.main_window import MainWindow  # noqa: E402
from desk_app.ui.tasks import TaskRunner  # noqa: E402

CARD = "004199012345|082345678|Nguyễn Thị Đào|20051999|Nữ|Xóm Nà Rỏa, Phường Thục Phán, Tỉnh Cao Bằng|10072024"
CITIZENS = [
    ("Nông Văn Thắng", "004088001111", "Nam", "1988-01-02", "1.001193.000.00.00.H14", "0912345678"),
    ("Lý Thị Hoa", "004195002222", "Nữ", "1995-03-04", "1.000894.000.00.00.H14", "0987654321"),
    ("Hoàng Văn Đức", "004070003333", "Nam", "1970-06-07", "1.001022.000.00.00.H14", ""),
    ("Bế Thị Hằng", "004301004444", "Nữ", "2001-09-10", "1.001669.000.00.00.H14", "0356789012"),
    ("Đàm Quang Huy", "004092005555", "Nam", "1992-12-01", "1.004884.000.00.00.H14", "0868123456"),
    ("Nguyễn Thị Đào", "004199012345", "Nữ", "1999-05-20", "1.001193.000.00.00.H14", "0912000111"),
]


def seed(data_dir: Path) -> None:
    ctx = build_services(data_dir, actor="canbo.motcua")
    ctx.setup.configure(unit_code="000.31.14.H14", desk=3, commune_code="01273", unit_name="UBND Phường Thục Phán")
    ctx.catalogue.ensure_sample()
    for index, (name, id_number, gender, birth, procedure, phone) in enumerate(CITIZENS):
        proc = ctx.catalogue.get(procedure)
        dossier = ctx.intake.intake({
            "procedure_code": procedure,
            "applicant": {"full_name": name, "id_number": id_number, "gender": gender, "birth_date": birth,
                          "address": "Phường Thục Phán, Tỉnh Cao Bằng", "phone": phone},
            "documents": [{"name": d.name, "kind": d.kind, "count": d.count} for d in proc.documents[:2]],
        })
        if index == 1:
            ctx.queue.set_status(dossier.code, "transferred", note="Chuyển công chức tư pháp – hộ tịch")
    ctx.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lang", choices=("vi", "en"), default="vi")
    args = parser.parse_args()
    suffix = "" if args.lang == "vi" else f"-{args.lang}"
    app = QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        seed(data_dir)
        tr = Translator(args.lang)
        runner = TaskRunner(lambda: build_services(data_dir, tr=tr, actor="canbo.motcua"))
        window = MainWindow(runner, tr)
        window.resize(1280, 780)
        startup = DeskStartup(window, runner)
        ready: list = []
        startup.ready_callbacks.append(ready.append)
        window.show()
        window.activateWindow()
        startup.start()
        wait_until(lambda: ready and window.intake.finder.matches.count() > 0)
        # As the app does: the counter scanner's keys are read by the application-wide router.
        from desk_app.ui.wedge import install_scanner_router

        window.router = install_scanner_router(window, app)

        page = window.intake
        page.full_name.setFocus()
        wait(50)
        type_text(CARD + "\n")  # the counter scanner
        type_text("0912 345 678")
        page.email.setFocus()
        type_text("dao.nguyen@example.vn")
        page.finder.search.setFocus()
        type_text("khai sinh")
        wait_until(lambda: page.finder.matches.count() > 0 and page.finder._shown_id == page.finder._query_id)
        type_text("\n")
        wait_until(lambda: page.finder.procedure is not None)
        for row in page.checklist.row_widgets():
            row.received.setChecked(row.required)  # every required document, so the save asks nothing
        page.notes.setText("Khai sinh cho con thứ hai")
        page.full_name.setFocus()
        wait(300)
        grab(OUT / f"intake{suffix}.png", window)
        saved: list = []
        page.saved.connect(saved.append)
        page.save()
        wait_until(lambda: saved)
        wait(200)
        grab(OUT / f"intake-saved{suffix}.png", window)

        window.show_page("queue")
        wait_until(lambda: window.queue.model.rowCount() == len(CITIZENS) + 1 and window.queue.model.total is not None)
        window.queue.table.selectRow(1)
        wait(300)
        grab(OUT / f"queue{suffix}.png", window)

        window.open_dossier(window.queue.model.code_at(4))
        wait_until(lambda: window.dossier.dossier is not None)
        wait(300)
        grab(OUT / f"dossier{suffix}.png", window)
        window.close()
        runner.shutdown()
    print("saved", *(f"{name}{suffix}.png" for name in ("intake", "intake-saved", "queue", "dossier")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

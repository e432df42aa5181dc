"""Screenshots of the backup settings on a 1366 x 768 screen: the main window and the backup
dialog over it, on a desk with a few dossiers, before and after "back up now":

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/make_backup_screenshot.py [--lang vi|en]

Saves docs/screenshots/backup-settings-first.png (no backup yet: the status-bar warning) and
backup-settings.png (after "back up now"), suffix -en for English: the whole screen, so the
dialog is seen where a receptionist sees it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(OUT)]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lang", choices=("vi", "en"), default="vi")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        return shoot(Path(tmp), args.lang)


def shoot(tmp: Path, lang: str) -> int:
    import shots
    from PySide6.QtWidgets import QApplication

    from desk_app.i18n import Translator
    from desk_app.services.context import build_services
    from desk_app.ui.app import DeskStartup
    from desk_app.ui.backup_ui import install_backups
    from desk_app.ui.main_window import MainWindow
    from desk_app.ui.tasks import TaskRunner

    wait_until = partial(shots.wait_until, timeout_ms=60000)

    app = QApplication(sys.argv[:1])
    data_dir = tmp / "data"
    ctx = build_services(data_dir, actor="canbo.motcua")
    ctx.setup.configure(unit_code="000.31.14.H14", desk=3, commune_code="01273", unit_name="UBND Phường Thục Phán")
    ctx.catalogue.ensure_sample()
    birth = {"procedure_code": "1.001193.000.00.00.H14", "documents": [{"name": "Tờ khai đăng ký khai sinh"}],
             "applicant": {"full_name": "Nguyễn Thị Đào", "id_number": "004199012345", "gender": "Nữ",
                           "birth_date": "1999-05-20", "address": "Phường Thục Phán"}}
    for _ in range(3):
        ctx.intake.intake(birth)
    ctx.close()

    tr = Translator(lang)
    runner = TaskRunner(lambda: build_services(data_dir, tr=tr, actor="canbo.motcua"))
    window = MainWindow(runner, tr)
    window.resize(1366, 768)
    startup = DeskStartup(window, runner)
    ready: list[dict] = []
    startup.ready_callbacks.append(ready.append)
    controller = install_backups(window, runner, data_dir)
    window.show()
    startup.start()
    wait_until(lambda: bool(ready))
    controller.start()
    wait_until(lambda: controller.state is not None)
    controller.open_dialog()
    wait_until(lambda: controller.dialog is not None and controller.dialog.isVisible())
    (tmp / "usb").mkdir()  # a USB drive, plugged in
    controller.dialog.folder.setText(str(tmp / "usb" / "sao-luu"))
    suffix = "" if lang == "vi" else f"-{lang}"
    # Before the first backup: the warning in the status bar, no result yet.
    shots.grab(OUT / f"backup-settings-first{suffix}.png", settle_ms=400)
    controller.dialog.now_button.click()
    wait_until(lambda: controller.state.get("last") is not None and not controller.running)
    shots.grab(OUT / f"backup-settings{suffix}.png", settle_ms=400)
    print(f"saved backup-settings{suffix}.png and backup-settings-first{suffix}.png: "
          f"screen {window.screen().geometry().width()}x{window.screen().geometry().height()}")
    controller.dialog.close()
    window.close()
    runner.shutdown()
    app.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

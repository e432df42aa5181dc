"""Screenshots of the scanner router at the counter, in a real window at 1366x768.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/make_keystroke_screenshots.py

The app's scanner router is installed as main() does. Key events carry window-system-like
timestamps: the receptionist's keys 150 ms apart, the scanner's 3 ms apart. Saves
docs/screenshots/intake-scan-stalled.png (the ID card scanned into "Ghi chú" after a note was
typed, the scanner stalling 300 ms mid-payload: the card fills the form, the note stays) and
intake-name-refused.png (a name with digits refused on Ctrl+S, next to the field).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(OUT)]

from shots import grab, wait, wait_until  # noqa: E402

from desk_app.i18n import Translator  # noqa: E402
from desk_app.services.context import build_services  # noqa: E402
from desk_app.ui.app import DeskStartup  # noqa: E402
from desk_app.ui.main_window import MainWindow  # noqa: E402
from desk_app.ui.tasks import TaskRunner  # noqa: E402
from desk_app.ui.wedge import install_scanner_router  # noqa: E402

CARD = "004199012345|082345678|Nguyễn Thị Đào|20051999|Nữ|Xóm Nà Rỏa, Phường Thục Phán, Tỉnh Cao Bằng|10072024"
STAMP = [50_000_000]


def key(ch: str, gap_ms: int, code: int = 0) -> None:
    """One key press and release into the focused widget, ``gap_ms`` after the last key."""
    STAMP[0] += gap_ms
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        event = QKeyEvent(kind, code, Qt.KeyboardModifier.NoModifier, ch)
        event.setTimestamp(STAMP[0])
        QApplication.sendEvent(QApplication.focusWidget(), event)


def type_text(text: str) -> None:
    for ch in text:
        key(ch, 150)


def main() -> int:
    app = QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        ctx = build_services(data_dir, actor="canbo.motcua")
        ctx.setup.configure(unit_code="000.31.14.H14", desk=3, commune_code="01273", unit_name="UBND Phường Thục Phán")
        ctx.catalogue.ensure_sample()
        ctx.close()
        tr = Translator("vi")
        runner = TaskRunner(lambda: build_services(data_dir, tr=tr, actor="canbo.motcua"))
        window = MainWindow(runner, tr)
        window.resize(1366, 768)
        startup = DeskStartup(window, runner)
        ready: list = []
        startup.ready_callbacks.append(ready.append)
        window.show()
        window.activateWindow()
        startup.start()
        wait_until(lambda: ready and window.intake.finder.matches.count() > 0)
        router = install_scanner_router(window, app)
        page = window.intake

        page.finder.search.setFocus()
        type_text("khai sinh")
        wait_until(lambda: page.finder.matches.count() > 0 and page.finder._shown_id == page.finder._query_id)
        key("\r", 150, Qt.Key.Key_Return)
        wait_until(lambda: page.finder.procedure is not None)
        for row in page.checklist.row_widgets()[:3]:
            row.received.setChecked(True)
        page.notes.setFocus()
        wait_until(lambda: QApplication.focusWidget() is page.notes)
        type_text("Khai sinh cho con thứ hai")
        for index, ch in enumerate(CARD):  # the scanner, stalling 300 ms after 40 characters
            key(ch, 150 if index == 0 else 300 if index == 40 else 3)
        key("\r", 3, Qt.Key.Key_Return)
        wait_until(lambda: not router.holding)
        assert page.full_name.text() == "Nguyễn Thị Đào", page.full_name.text()
        assert page.notes.text() == "Khai sinh cho con thứ hai", page.notes.text()
        wait(300)
        grab(OUT / "intake-scan-stalled.png", window)

        page.reset()
        page.full_name.setFocus()
        wait_until(lambda: QApplication.focusWidget() is page.full_name)
        type_text("Nguyễn Văn 2")
        QTest.keyClick(page.full_name, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        wait_until(lambda: page.errors.message("full_name") != "")
        wait(300)
        grab(OUT / "intake-name-refused.png", window)
        router.uninstall(app)
        window.close()
        runner.shutdown()
    print("saved intake-scan-stalled.png intake-name-refused.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Open the real main window on a screen of a given size, choose a procedure with 30 documents
by typing its code, walk the checklist with the keyboard, and report (JSON on stdout) where the
form's controls landed. Run in its own process (the screen size is fixed when Qt starts):

    QT_QPA_PLATFORM=offscreen:configfile=screen.json python -m tests.ui.screen_probe DATA [--shot PNG]

or under ``xvfb-run -a -s "-screen 0 1366x768x24"`` for a screenshot as a user sees it.
Used by tests/ui/test_counter_fit.py and for docs/screenshots/intake-30-documents.png.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

PROCEDURE_CODE = "9.000030.000.00.00.H14"


def make_desk(data_dir: Path) -> None:
    """A configured desk whose catalogue also holds a procedure listing 30 documents (every
    third one optional)."""
    from desk_app.domain.calendar import VN_TZ
    from desk_app.domain.catalogue import Procedure, RequiredDocument
    from desk_app.services.context import build_services

    ctx = build_services(data_dir, actor="tester")
    try:
        ctx.setup.configure(unit_code="000.31.14.H14", desk=3, commune_code="01273")
        ctx.catalogue.ensure_sample()
        docs = [RequiredDocument(f"Giấy tờ thứ {i} của hồ sơ đất đai" + (" (nếu có)" if i % 3 == 0 else ""))
                for i in range(1, 31)]
        proc = Procedure(PROCEDURE_CODE, "Thủ tục thử có ba mươi giấy tờ", 5, documents=docs)
        ctx.store.replace_procedures([proc], source="probe", now=datetime.now(VN_TZ).isoformat())
    finally:
        ctx.close()


def wait_until(condition, timeout_ms: int = 10000) -> bool:
    from PySide6.QtTest import QTest

    waited = 0
    while not condition():
        if waited >= timeout_ms:
            return False
        QTest.qWait(20)
        waited += 20
    return True


def on_screen(widget, screen_rect) -> dict:
    """Whether all of ``widget`` is painted (not clipped by a scroll area or the window) and
    inside the screen's free area."""
    from PySide6.QtCore import QRect

    top_left = widget.mapToGlobal(widget.rect().topLeft())
    rect = QRect(top_left, widget.size())
    region = widget.visibleRegion().boundingRect()
    return {
        "visible": widget.isVisible(),
        "unclipped": widget.isVisible() and region == widget.rect(),
        "inside_screen": screen_rect.contains(rect),
        "whole": widget.width() >= widget.sizeHint().width(),  # not squeezed below its text
        "rect": [rect.x(), rect.y(), rect.width(), rect.height()],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    parser.add_argument("--shot", type=Path, default=None)
    args = parser.parse_args(argv)
    make_desk(args.data)

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from desk_app.i18n import Translator
    from desk_app.services.context import build_services
    from desk_app.ui.app import DeskStartup
    from desk_app.ui.main_window import MainWindow
    from desk_app.ui.sync_status import install_sync
    from desk_app.ui.tasks import TaskRunner

    _app = QApplication(sys.argv[:1])  # kept alive for the whole probe
    tr = Translator("vi")
    runner = TaskRunner(lambda: build_services(args.data, tr=tr, actor="tester"))
    window = MainWindow(runner, tr)
    window.resize(1280, 780)  # as main() asks
    sync_loop = install_sync(window, runner, tr, data_dir=args.data, start=False)
    startup = DeskStartup(window, runner)
    ready: list[dict] = []
    startup.ready_callbacks.append(ready.append)
    window.show()
    QTest.qWaitForWindowExposed(window)
    window.activateWindow()
    startup.start()
    page = window.intake
    out: dict = {"ready": wait_until(lambda: bool(ready) and page.finder.matches.count() > 0)}
    page.finder.search.setFocus()
    QTest.keyClicks(page.finder.search, PROCEDURE_CODE)
    wait_until(lambda: page.finder.matches.count() == 1)
    QTest.keyClick(page.finder.search, Qt.Key.Key_Return)
    out["chosen"] = wait_until(lambda: len(page.checklist.row_widgets()) == 30)
    QTest.qWait(200)  # layouts settle
    # Walk down to the last document with the keyboard and tick it.
    for _ in range(29):
        focused = QApplication.focusWidget()
        assert focused is not None  # the checklist has the keyboard
        QTest.keyClick(focused, Qt.Key.Key_Down)
    focused = QApplication.focusWidget()
    assert focused is not None
    QTest.keyClick(focused, Qt.Key.Key_Space)
    QTest.qWait(200)
    rows = page.checklist.row_widgets()
    screen = window.screen().availableGeometry()
    frame = window.frameGeometry()
    out["screen"] = [screen.width(), screen.height()]
    out["window"] = [frame.x(), frame.y(), frame.width(), frame.height()]
    out["window_inside_screen"] = screen.contains(frame)
    out["focus_is_last_row"] = QApplication.focusWidget() is rows[-1].received
    out["last_row_ticked"] = rows[-1].received.isChecked()
    out["widgets"] = {
        name: on_screen(widget, screen)
        for name, widget in {
            "save": page.save_button, "sets": page.sets, "notes": page.notes,
            "status_bar": window.statusBar(), "sync_now": sync_loop.widget.sync_button,
            "last_row": rows[-1].received, "extra_document": page.checklist.extra_name,
        }.items()
    }
    # The status bar at its longest: offline, why and when the next try is, records waiting.
    from datetime import datetime as clock_time

    sync_loop.widget.show_status({
        "enrolled": True, "state": "offline", "online": False, "outbox_depth": 12, "pending": 12,
        "bytes_pending": 2_400_000, "oldest_unsent_seconds": 3 * 86400, "quarantined": 1,
        "last_confirmed_sync": "2026-11-28T16:59:00+07:00", "conflicts": 0,
        "last_error": {"reason": "unreachable", "category": "transport", "detail": ""},
    })
    sync_loop.widget.show_next_try(clock_time.now())
    QTest.qWait(200)
    frame = window.frameGeometry()
    out["offline_window_inside_screen"] = screen.contains(frame)
    out["offline_widgets"] = {name: on_screen(widget, screen) for name, widget in {
        "save": page.save_button, "sync_now": sync_loop.widget.sync_button,
        "sync_error": sync_loop.widget.error_label, "sync_waiting": sync_loop.widget.outbox_label,
        "sync_state": sync_loop.widget.state_label, "status_bar": window.statusBar()}.items()}
    if args.shot:
        window.grab().save(str(args.shot))
    print(json.dumps(out, ensure_ascii=False), flush=True)
    window.close()
    sync_loop.shutdown()
    runner.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Fixtures for the Qt UI tests (offscreen): a real data folder, the real TaskRunner with its
DB thread, the real main window, and a keyboard that types Vietnamese.

``QTest.keyClicks`` aborts on non-ASCII text (docs/platform.md), so text is typed as one
KeyPress/KeyRelease pair per character carrying the character as its text, sent to whatever
widget has focus, as a keyboard (or a keyboard-wedge scanner) would. Each key event carries a
timestamp, as the window system's do: a person's keys ``HUMAN_GAP_MS`` apart, a scanner's
``SCANNER_GAP_MS`` apart (the scanner router tells them apart by these gaps).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from desk_app.i18n import Translator

if TYPE_CHECKING:
    from desk_app.services.dossier_view import DossierView

UNIT_CODE = "000.31.14.H14"
HUMAN_GAP_MS = 150
SCANNER_GAP_MS = 4


class Keyboard:
    """Types into the focused widget, like a person at the counter."""

    stamp = 10_000_000  # ms, shared: the events of one test run never go back in time

    def __init__(self, qtbot):
        self.qtbot = qtbot

    @classmethod
    def next_stamp(cls, gap_ms: int) -> int:
        Keyboard.stamp += gap_ms
        return Keyboard.stamp

    def send(self, target: QWidget, key: int, text: str, gap_ms: int) -> None:
        """One key press and release, ``gap_ms`` after the previous key."""
        stamp = self.next_stamp(gap_ms)
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text)
            event.setTimestamp(stamp + (1 if kind == QEvent.Type.KeyRelease else 0))
            QApplication.sendEvent(target, event)

    @staticmethod
    def focus() -> QWidget:
        widget = QApplication.focusWidget()
        assert widget is not None, "nothing has keyboard focus"
        return widget

    def type(self, text: str) -> None:
        for ch in text:
            if ch == "\n":
                self.press(Qt.Key.Key_Return)
                continue
            self.send(self.focus(), 0, ch, HUMAN_GAP_MS)

    def scan(self, text: str, *, enter: bool = True, gap_ms: int = SCANNER_GAP_MS) -> None:
        """A keyboard-wedge scanner: ``text`` a few ms per key, then Enter, into the widget
        that has focus (the router holds the keys, so focus never moves meanwhile)."""
        target = self.focus()
        for index, ch in enumerate(text):
            self.send(target, 0, ch, HUMAN_GAP_MS if index == 0 else gap_ms)  # a pause before the scan
        if enter:
            self.send(target, Qt.Key.Key_Return, "\r", gap_ms)

    def press(self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        """A special key (Tab, Enter, F2, Ctrl+S...), through Qt's shortcut handling."""
        QTest.keyClick(self.focus(), key, modifier)

    def tab(self, times: int = 1) -> None:
        for _ in range(times):
            self.press(Qt.Key.Key_Tab)


@pytest.fixture
def keyboard(qtbot):
    return Keyboard(qtbot)


@pytest.fixture
def data_dir(tmp_path, clock):
    """A configured desk (desk 3 of Phường Thục Phán) with the sample catalogue, closed again
    so the UI's DB thread opens the file itself."""
    from desk_app.services.context import build_services

    path = tmp_path / "data"
    ctx = build_services(path, clock=clock, actor="tester")
    ctx.setup.configure(unit_code=UNIT_CODE, desk=3, commune_code="01273")
    ctx.catalogue.ensure_sample()
    ctx.close()
    return path


def open_window(qtbot, data_dir, clock, *, language: str = "vi", warm_up=None):
    from desk_app.services.context import build_services
    from desk_app.ui.app import DeskStartup
    from desk_app.ui.main_window import MainWindow
    from desk_app.ui.tasks import TaskRunner

    tr = Translator(language)
    runner = TaskRunner(lambda: build_services(data_dir, tr=tr, clock=clock, actor="tester"))
    window = MainWindow(runner, tr)
    window.resize(1280, 780)
    startup = DeskStartup(window, runner, warm_up=warm_up)
    ready: list[dict] = []
    startup.ready_callbacks.append(ready.append)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    startup.start()
    return window, runner, startup, ready


def open_review(qtbot, data_dir, clock, view: str, rows: int):
    """The main window with the supervisor's pages (a desk without accounts: all allowed),
    showing the review list's ``view`` once it lists ``rows`` dossiers: (window, runner, page)."""
    from desk_app.ui.accounts import install_accounts

    window, runner, startup, ready = open_window(qtbot, data_dir, clock)
    install_accounts(window, runner, startup)
    qtbot.waitUntil(lambda: bool(ready), timeout=10000)
    window.show_page("review")
    review = window.page("review")
    review.view.setCurrentIndex(review.view.findData(view))
    qtbot.waitUntil(lambda: review.table.rowCount() == rows, timeout=10000)
    return window, runner, review


@pytest.fixture
def desk_window(qtbot, data_dir, clock):
    """The main window on a configured desk, started and with the catalogue shown, with the
    scanner router installed as main() does (``window.router``; slips:
    tests/ui/test_scanner_router.py)."""
    from desk_app.ui.wedge import install_scanner_router

    window, runner, startup, ready = open_window(qtbot, data_dir, clock)
    window.router = install_scanner_router(window, QApplication.instance())
    qtbot.waitUntil(lambda: bool(ready) and window.intake.finder.matches.count() > 0, timeout=10000)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.intake.full_name, timeout=5000)
    yield window
    window.router.uninstall(QApplication.instance())
    window.close()
    runner.shutdown()


def settled(qtbot, runner, lane: str = "db") -> None:
    """Wait until every job queued before now on the DB thread (or the reader, ``lane="read"``)
    has run and answered: jobs run in order, so a no-op queued now answers last. What a test
    waits for before asserting that nothing happened (instead of a fixed wait)."""
    done: list = []
    getattr(runner, lane)(lambda _services: None, on_done=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=10000)


def seed_dossiers(data_dir, clock, intakes: list[dict]) -> list[DossierView]:
    """Record dossiers through the real intake service (a second connection, as the CLI would)."""
    from desk_app.services.context import build_services

    ctx = build_services(data_dir, clock=clock, actor="tester")
    try:
        return [ctx.intake.intake(item) for item in intakes]
    finally:
        ctx.close()

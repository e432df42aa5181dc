"""Windows fit a 1366x768-class screen: the print preview and the main window with its status bar
(the intake page's own fit at 1366x768 and 1280x720: tests/ui/test_counter_fit.py)."""

from __future__ import annotations

from PySide6.QtCore import QPoint

from desk_app.i18n import Translator


def test_preview_fits_a_small_screen(qtbot):
    from desk_app.ui.printing.preview import PreviewDialog
    from desk_app.ui.widgets import available_area

    class NoWork:
        def render(self, *args, **kwargs):  # the preview renders on the runner's render executor
            pass

    dialog = PreviewDialog(NoWork(), Translator("vi"), b"", "t")
    qtbot.addWidget(dialog)
    area = available_area(dialog)
    assert dialog.height() <= area.height() - 40 and dialog.width() <= area.width()
    assert dialog.height() <= 860


def test_main_window_fits_the_screen(qtbot, desk_window):
    area = desk_window.screen().availableGeometry()
    assert desk_window.width() <= area.width() and desk_window.height() <= area.height()
    status = desk_window.statusBar()
    bottom = status.mapTo(desk_window, QPoint(0, status.height())).y()
    assert bottom <= desk_window.height()

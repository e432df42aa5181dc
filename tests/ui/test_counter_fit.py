"""The intake page fits a commune PC's screen with any checklist: a procedure with 30 documents
at 1366×768 and 1280×720 keeps Save, Số bộ, Ghi chú and the sync status bar on the screen; the
checklist scrolls inside its panel and follows the keyboard; the focused row is highlighted.

The screen size is fixed when Qt starts, so each size runs the real window in its own process
(tests/ui/screen_probe.py) on Qt's offscreen platform configured with that screen."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt

from tests.conftest import ROOT


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1280, 720)])
def test_thirty_documents_fit_the_screen(tmp_path, width, height):
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "pc", "x": 0, "y": 0, "width": width, "height": height,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}"}
    done = subprocess.run([sys.executable, "-m", "tests.ui.screen_probe", str(tmp_path / "data")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["ready"] and report["chosen"]
    assert report["screen"] == [width, height]
    assert report["window_inside_screen"], report["window"]
    for name in ("save", "sets", "notes", "status_bar", "sync_now", "extra_document"):
        widget = report["widgets"][name]
        assert widget["visible"] and widget["unclipped"] and widget["inside_screen"], (name, widget)
    # Offline with records waiting (the longest status bar): why, the next try and the waiting
    # time stay whole, and "Đồng bộ ngay" stays on the screen.
    assert report["offline_window_inside_screen"]
    for name, widget in report["offline_widgets"].items():
        assert widget["visible"] and widget["unclipped"] and widget["inside_screen"] and widget["whole"], (name, widget)
    # Down 29 times from the first document reached the last one, scrolled into view, and Space
    # ticked it.
    assert report["focus_is_last_row"] and report["last_row_ticked"]
    assert report["widgets"]["last_row"]["unclipped"] and report["widgets"]["last_row"]["inside_screen"]


def test_the_row_space_will_tick_is_highlighted(qtbot, keyboard, desk_window):
    page = desk_window.intake
    page.finder.search.setFocus()
    qtbot.waitUntil(lambda: page.finder.search.hasFocus(), timeout=2000)
    keyboard.type("khai sinh\n")
    qtbot.waitUntil(lambda: len(page.checklist.row_widgets()) == 4, timeout=5000)
    first, second = (row.received for row in page.checklist.row_widgets()[:2])
    qtbot.waitUntil(lambda: first.hasFocus(), timeout=2000)

    def background(box):
        image = box.grab().toImage()
        return image.pixelColor(image.width() - 3, image.height() // 2).name()

    assert background(first) == "#ffe082"  # the focused row
    assert background(second) != "#ffe082"
    keyboard.press(Qt.Key.Key_Down)
    assert second.hasFocus()
    assert background(second) == "#ffe082" and background(first) != "#ffe082"

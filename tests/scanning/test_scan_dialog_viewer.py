"""The scan dialog's page viewer (enlarge, zoom, rotate the view, page through with the keys,
pages decoded off the UI thread) and Esc / close with unsaved pages asking first. Driven by
real key events (offscreen Qt)."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from desk_app.scanning.samples import text_page
from tests.scanning.conftest import DOC, DOC2, save_pages

pytestmark = pytest.mark.ui


@pytest.fixture
def runner(desk, qtbot):
    from desk_app.ui.tasks import TaskRunner

    r = TaskRunner(lambda: desk)
    yield r
    r.finish()  # leave the desk (owned by the fixture) open


@pytest.fixture
def dialog(qtbot, desk, dossier, runner, tmp_path):
    from desk_app.ui.scan.dialog import ScanDialog

    dlg = ScanDialog(runner, desk.tr, code=dossier.code, documents=[DOC, DOC2], backends=list)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.import_button.isEnabled(), timeout=10000)
    tiff = save_pages(tmp_path / "p.tif", [text_page(100, seed=i + 1) for i in range(3)], format="TIFF", dpi=(100, 100))
    dlg.import_files([str(tiff)])
    qtbot.waitUntil(lambda: dlg.pages.count() == 3 and dlg.import_button.isEnabled(), timeout=30000)
    return dlg


def test_viewer_pages_zooms_rotates_with_keys_off_the_ui_thread(qtbot, dialog, monkeypatch, runner, desk, dossier):
    from desk_app.ui import page_viewer

    threads = []
    real = page_viewer.load_page_image

    def spy(ref, side):
        threads.append(threading.current_thread().name)
        return real(ref, side)

    monkeypatch.setattr(page_viewer, "load_page_image", spy)
    dialog.pages.setFocus()
    dialog.pages.setCurrentRow(1)
    QTest.keyClick(dialog.pages, Qt.Key.Key_Return)  # Enter on a page opens it large
    qtbot.waitUntil(lambda: dialog.viewer is not None and dialog.viewer.isVisible(), timeout=5000)
    # Enter opened the page only: it did not also press the dialog's default "save" button.
    done = []
    runner.db(lambda services: None, on_done=done.append)  # behind any save the key could have queued
    qtbot.waitUntil(lambda: bool(done), timeout=10000)
    assert desk.digitise.status(dossier.code)["documents"][0]["pages"] == 0 and dialog.isVisible()
    viewer = dialog.viewer
    qtbot.waitUntil(lambda: not viewer.view.item.pixmap().isNull(), timeout=10000)
    assert viewer.index == 1 and "2/3" in viewer.caption.text()
    assert threads and all(name.startswith("desk-io") for name in threads)
    fit = viewer.view.zoom
    QTest.keyClick(viewer, Qt.Key.Key_Plus)
    QTest.keyClick(viewer, Qt.Key.Key_Plus)
    assert viewer.view.zoom == pytest.approx(fit * 1.25 * 1.25)
    QTest.keyClick(viewer, Qt.Key.Key_Minus)
    assert viewer.view.zoom == pytest.approx(fit * 1.25)
    QTest.keyClick(viewer, Qt.Key.Key_R)
    assert viewer.view.rotation == 90 and "90°" in viewer.zoom_text.text()
    QTest.keyClick(viewer, Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: viewer.index == 2 and not viewer.view.item.pixmap().isNull(), timeout=10000)
    QTest.keyClick(viewer, Qt.Key.Key_PageDown)  # the last page stays
    assert viewer.index == 2
    QTest.keyClick(viewer, Qt.Key.Key_PageUp)
    QTest.keyClick(viewer, Qt.Key.Key_Left)
    assert viewer.index == 0
    QTest.keyClick(viewer, Qt.Key.Key_0)
    assert viewer.view.fit
    QTest.keyClick(viewer, Qt.Key.Key_Escape)  # closes the viewer only
    qtbot.waitUntil(lambda: dialog.viewer is None, timeout=5000)
    assert dialog.isVisible() and dialog.pages.count() == 3 and dialog.pages.currentRow() == 0
    # Rotating the view changed no page: the stored pages are as imported.
    assert [dialog.pages.item(r).data(0x0100).width for r in range(3)] == [text_page(100, seed=1).width] * 3


def test_escape_with_unsaved_pages_asks_and_keeps_them_by_default(qtbot, dialog):
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: dialog.discard_box is not None and dialog.discard_box.isVisible(), timeout=5000)
    box = dialog.discard_box
    assert "3" in box.text()
    QTest.keyClick(box, Qt.Key.Key_Escape)  # a second Esc answers "keep"
    qtbot.waitUntil(lambda: dialog.discard_box is None, timeout=5000)
    assert dialog.isVisible() and dialog.pages.count() == 3
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: dialog.discard_box is not None, timeout=5000)
    QTest.keyClick(dialog.discard_box, Qt.Key.Key_Return)  # Enter: the default is "keep" too
    qtbot.waitUntil(lambda: dialog.discard_box is None, timeout=5000)
    assert dialog.isVisible()
    dialog.close()  # the window's X asks the same
    qtbot.waitUntil(lambda: dialog.discard_box is not None, timeout=5000)
    assert dialog.isVisible()
    box = dialog.discard_box
    discard = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole)
    qtbot.mouseClick(discard, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert dialog.result() == 0  # rejected: nothing saved


def test_escape_without_pages_closes_at_once(qtbot, desk, dossier, runner):
    from desk_app.ui.scan.dialog import ScanDialog

    dlg = ScanDialog(runner, desk.tr, code=dossier.code, documents=[DOC], backends=list)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.import_button.isEnabled(), timeout=10000)
    QTest.keyClick(dlg, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=5000)
    assert dlg.discard_box is None

"""The scan dialog without a scanner: importing files (button path, drag and drop), progress,
bad files, reordering, delete, assign and per-document modes (offscreen Qt)."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from desk_app.scanning.samples import text_page
from tests.scanning.conftest import DOC, DOC2, save_pages

pytestmark = pytest.mark.ui
PAGE = 0x0100  # PAGE_ROLE


@pytest.fixture
def runner(desk, qtbot):
    from desk_app.ui.tasks import TaskRunner

    r = TaskRunner(lambda: desk)
    yield r
    r.finish()  # leave the desk (owned by the fixture) open


@pytest.fixture
def dialog(qtbot, desk, dossier, runner):
    from desk_app.ui.scan.dialog import ScanDialog

    dlg = ScanDialog(runner, desk.tr, code=dossier.code, documents=[DOC, DOC2], backends=list)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.import_button.isEnabled(), timeout=10000)  # device listing done (none)
    assert dlg.device.count() == 0 and not dlg.scan_button.isEnabled()
    return dlg


def pages(dpi=100, n=1, **kw):
    return [text_page(dpi, seed=i + 1, **kw) for i in range(n)]


def origins(dlg) -> list[str]:
    return [dlg.pages.item(r).data(PAGE).origin for r in range(dlg.pages.count())]


def wait_idle(qtbot, dlg):
    qtbot.waitUntil(lambda: dlg.import_button.isEnabled(), timeout=30000)


def test_import_pdf_tiff_png_jpeg_with_progress(qtbot, dialog, tmp_path):
    pdf = save_pages(tmp_path / "hoso.pdf", [p.convert("RGB") for p in pages(n=3)], format="PDF", resolution=100)
    tiff = save_pages(tmp_path / "cccd.tif", pages(n=2), format="TIFF", dpi=(100, 100))
    png = save_pages(tmp_path / "anh.png", pages(), dpi=(100, 100))
    jpeg = save_pages(tmp_path / "dau.jpg", pages(seal=True), dpi=(100, 100))
    seen = []
    dialog.jobs.bridge.progress.connect(lambda done, total: seen.append((done, total)))
    dialog.import_files([str(pdf), str(tiff), str(png), str(jpeg)])
    assert not dialog.import_button.isEnabled() and dialog.stop_button.isEnabled()
    wait_idle(qtbot, dialog)
    assert dialog.pages.count() == 7, dialog.status.text()
    assert origins(dialog) == ["hoso.pdf p.1", "hoso.pdf p.2", "hoso.pdf p.3", "cccd.tif p.1", "cccd.tif p.2",
                               "anh.png", "dau.jpg"]
    assert seen[0] == (0, 7) and seen[-1] == (7, 7) and len(seen) == 8
    assert all(not dialog.pages.item(r).icon().isNull() for r in range(7))
    assert [dialog.pages.item(r).data(PAGE).mode for r in range(7)] == ["text"] * 6 + ["color"]
    assert dialog.pages.item(0).text().startswith(f"1. {DOC}\n")
    assert "7" in dialog.status.text() and not dialog.progress.isVisible()


def test_bad_files_show_a_clear_error_and_change_nothing(qtbot, dialog, tmp_path):
    good = save_pages(tmp_path / "good.png", pages(), dpi=(100, 100))
    dialog.import_files([str(good)])
    wait_idle(qtbot, dialog)
    assert dialog.pages.count() == 1
    bomb = tmp_path / "bomb.png"
    Image.new("1", (12000, 12000), 1).save(bomb)  # 144 Mpx, a few KB on disk
    truncated = tmp_path / "cut.jpg"
    save_pages(truncated, pages(), quality=90)
    truncated.write_bytes(truncated.read_bytes()[: truncated.stat().st_size // 2])
    big_pdf = tmp_path / "big.pdf"
    pdf = pdfium.PdfDocument.new()
    for _ in range(500):
        pdf.new_page(595, 842)
    pdf.save(big_pdf)
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    for path, words in ((bomb, "quá lớn"), (truncated, "cắt cụt"), (big_pdf, "500 trang"), (empty, "rỗng")):
        dialog.import_files([str(good), str(path)])  # a good file first: it must not stay either
        wait_idle(qtbot, dialog)
        assert words in dialog.status.text() and path.name in dialog.status.text(), dialog.status.text()
        assert origins(dialog) == ["good.png"]


def test_file_gone_mid_import_takes_that_imports_pages_out_again(qtbot, dialog, tmp_path):
    """A file that vanishes after the checks (a USB stick pulled): the pages of this import
    already shown are removed; pages from earlier imports stay."""
    first = save_pages(tmp_path / "first.png", pages(), dpi=(100, 100))
    dialog.import_files([str(first)])
    wait_idle(qtbot, dialog)
    pdf = save_pages(tmp_path / "long.pdf", [p.convert("RGB") for p in pages(dpi=150, n=6)], format="PDF",
                     resolution=150)
    later = save_pages(tmp_path / "later.png", pages(), dpi=(100, 100))
    shown = []

    def on_progress(done, total):
        if done == 1:
            later.unlink()  # while the worker is still on the PDF's other pages
        shown.append(dialog.pages.count())

    dialog.jobs.bridge.progress.connect(on_progress)
    dialog.import_files([str(pdf), str(later)])
    wait_idle(qtbot, dialog)
    assert max(shown) >= 2  # the PDF's pages were on screen
    assert "later.png" in dialog.status.text()
    assert origins(dialog) == ["first.png"]


def drop_on(widget, mime: QMimeData) -> bool:
    """What a file manager's drag does: enter (accepted or not), then drop. Returns whether
    the enter was accepted."""
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    enter = QDragEnterEvent(QPoint(20, 20), *args)
    QApplication.sendEvent(widget, enter)
    if enter.isAccepted():
        QApplication.sendEvent(widget, QDropEvent(QPointF(20, 20), *args))
    return enter.isAccepted()


def test_files_dropped_on_the_dialog_are_imported(qtbot, dialog, tmp_path):
    png = save_pages(tmp_path / "keo-tha.png", pages(), dpi=(100, 100))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(png))])
    dialog.show()
    qtbot.waitExposed(dialog)
    for target in (dialog, dialog.pages.viewport()):  # on the dialog, or on the page list
        assert drop_on(target, mime)
        assert not dialog.import_button.isEnabled()  # the import started
        wait_idle(qtbot, dialog)
    assert origins(dialog) == ["keo-tha.png", "keo-tha.png"]
    text = QMimeData()
    text.setText("không phải tệp")
    assert not drop_on(dialog, text)
    assert dialog.pages.count() == 2 and dialog.import_button.isEnabled()


def drag_rows(view, source_row: int, target_row: int) -> None:
    """What QListWidget's internal-move drop does with the rows (offscreen Qt cannot run a real
    drag loop: QDrag.exec returns at once without a platform mouse): move the row in the model,
    which emits rowsMoved like a drop does. The view settings that make a drop move rows
    (rather than only icons on screen) are checked in the test."""
    from PySide6.QtCore import QModelIndex

    assert view.model().moveRow(QModelIndex(), source_row, QModelIndex(), target_row)


def test_reorder_by_drag_delete_assign_and_save(qtbot, desk, dossier, dialog, tmp_path):
    files = [save_pages(tmp_path / f"p{i}.png", pages(), dpi=(100, 100)) for i in range(1, 5)]
    dialog.import_files([str(f) for f in files])
    wait_idle(qtbot, dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    from PySide6.QtWidgets import QAbstractItemView, QListView

    view = dialog.pages
    assert view.movement() == QListView.Movement.Static and view.dragEnabled()
    assert view.dragDropMode() == QAbstractItemView.DragDropMode.InternalMove
    drag_rows(view, 3, 0)
    assert origins(dialog) == ["p4.png", "p1.png", "p2.png", "p3.png"]
    assert dialog.pages.item(0).text().startswith("1. ") and dialog.pages.item(3).text().startswith("4. ")
    # delete p1
    dialog.pages.clearSelection()
    dialog.pages.item(1).setSelected(True)
    assert dialog.delete_button.isEnabled() and not dialog.rescan_button.isEnabled()  # no scanner
    dialog.delete_button.click()
    assert origins(dialog) == ["p4.png", "p2.png", "p3.png"]
    # assign p2 and p3 to the second document
    dialog.pages.clearSelection()
    for row in (1, 2):
        dialog.pages.item(row).setSelected(True)
    dialog.document.setCurrentText(DOC2)
    dialog.assign_button.click()
    assert [(d, [p.origin for p in ps]) for d, ps in dialog.page_plan()] == [
        (DOC, ["p4.png"]), (DOC2, ["p2.png", "p3.png"])]
    assert dialog.pages.item(2).text().startswith(f"3. {DOC2}\n")
    with qtbot.waitSignal(dialog.saved, timeout=20000):
        dialog.save_button.click()
    status = desk.digitise.status(dossier.code)
    assert {d["name"]: d["pages"] for d in status["documents"]} == {DOC: 1, DOC2: 2}


def test_mode_is_forced_per_document(qtbot, dialog, tmp_path):
    seal = save_pages(tmp_path / "seal.png", pages(seal=True), dpi=(100, 100))
    dialog.document.setCurrentText(DOC2)
    dialog.mode.setCurrentIndex(dialog.mode.findData("text"))
    dialog.document.setCurrentText(DOC)
    assert dialog.mode.currentData() == "auto"  # the first document keeps the automatic mode
    dialog.import_files([str(seal)])
    wait_idle(qtbot, dialog)
    dialog.document.setCurrentText(DOC2)
    assert dialog.mode.currentData() == "text"
    dialog.import_files([str(seal)])
    wait_idle(qtbot, dialog)
    plan = dict(dialog.page_plan())
    assert plan[DOC][0].mode == "color" and plan[DOC2][0].mode == "text"
    assert dialog.pages.item(1).text().endswith("Chữ (đen trắng)")

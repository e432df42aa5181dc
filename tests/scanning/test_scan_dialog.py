"""The scan dialog with the real SANE test device (offscreen Qt)."""

from __future__ import annotations

import pytest

from desk_app.scanning.sources.sane_backend import SaneBackend
from tests.scanning.conftest import DOC, DOC2, set_test_picture

pytestmark = pytest.mark.ui


@pytest.fixture
def runner(desk, qtbot):
    from desk_app.ui.tasks import TaskRunner

    r = TaskRunner(lambda: desk)
    yield r
    r.finish()  # leave the desk (owned by the fixture) open


def test_dialog_scans_edits_and_saves(qtbot, desk, dossier, runner, sane_config):
    from desk_app.ui.scan.dialog import ScanDialog

    set_test_picture("Grid")  # the dialog sets no test option: another test may have left "Solid white"
    dlg = ScanDialog(runner, desk.tr, code=dossier.code, documents=[DOC, DOC2],
                     backends=lambda: [SaneBackend()])
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.device.count() >= 1, timeout=10000)
    assert dlg.dpi.currentData() == 200
    dlg.device.setCurrentIndex(dlg.device.findText("test:0", flags=__import__("PySide6.QtCore").QtCore.Qt.MatchFlag.MatchContains))
    dlg.source.setCurrentIndex(dlg.source.findData("feeder"))
    dlg.dpi.setCurrentIndex(0)  # 150 dpi keeps the test quick
    dlg.max_pages.setValue(4)
    dlg.start_scan()
    qtbot.waitUntil(lambda: dlg.scan_button.isEnabled(), timeout=20000)
    assert dlg.pages.count() == 4, dlg.status.text()
    assert not dlg.pages.item(0).icon().isNull()
    first = dlg.pages.item(0).data(0x0100)
    # rotate page 1
    dlg.pages.item(0).setSelected(True)
    dlg.rotate_selected()
    qtbot.waitUntil(lambda: dlg.pages.item(0).data(0x0100).width == first.height, timeout=10000)
    # delete page 2, reorder (last to first, as a drag does), assign page 1 to DOC2
    dlg.pages.clearSelection()
    dlg.pages.item(1).setSelected(True)
    dlg.delete_selected()
    assert dlg.pages.count() == 3
    moved = dlg.pages.takeItem(2)
    dlg.pages.insertItem(0, moved)
    dlg._renumber()
    dlg.pages.clearSelection()
    dlg.pages.item(0).setSelected(True)
    dlg.document.setCurrentText(DOC2)
    dlg.assign_selected()
    assert [d for d, _ in dlg.page_plan()] == [DOC2, DOC]
    # rescan the selected page: replaced in place
    before = dlg.pages.item(0).data(0x0100)
    dlg.rescan_selected()
    qtbot.waitUntil(lambda: dlg.scan_button.isEnabled(), timeout=20000)
    assert dlg.pages.count() == 3 and dlg.pages.item(0).data(0x0100) is not before
    with qtbot.waitSignal(dlg.saved, timeout=20000):
        dlg.save()
    status = desk.digitise.status(dossier.code)
    assert {d["name"]: d["pages"] for d in status["documents"]} == {DOC: 2, DOC2: 1}
    assert status["digitised"] is True


def test_a_feeder_left_on_all_pages_stops_at_the_batch_limit(qtbot, desk, dossier, runner, sane_config, monkeypatch):
    """The dialog scans through services/digitise.py: a feeder scan with no page count set
    ("Tất cả") stops at MAX_PAGES_PER_BATCH sheets, like an import and the CLI."""
    from desk_app.services import digitise
    from desk_app.ui.scan.dialog import ScanDialog

    monkeypatch.setattr(digitise, "MAX_PAGES_PER_BATCH", 3)  # the test feeder holds 10 sheets
    set_test_picture("Grid")
    dlg = ScanDialog(runner, desk.tr, code=dossier.code, documents=[DOC, DOC2], backends=lambda: [SaneBackend()])
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.device.count() >= 1, timeout=10000)
    dlg.device.setCurrentIndex(dlg.device.findText("test:0", flags=__import__("PySide6.QtCore").QtCore.Qt.MatchFlag.MatchContains))
    dlg.source.setCurrentIndex(dlg.source.findData("feeder"))
    dlg.dpi.setCurrentIndex(0)
    dlg.max_pages.setValue(0)  # "Tất cả"
    dlg.start_scan()
    qtbot.waitUntil(lambda: dlg.scan_button.isEnabled(), timeout=20000)
    assert dlg.pages.count() == 3, dlg.status.text()

"""The scan action and dialog follow a language switch made at runtime (``language_changed``),
and the dialog fits a 1366 x 768 screen (offscreen Qt, real main window and services)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel

from desk_app.scanning.samples import text_page
from tests.scanning.conftest import DOC, save_pages
from tests.ui.conftest import data_dir, open_window, seed_dossiers  # noqa: F401  (data_dir: a fixture)

pytestmark = pytest.mark.ui
VIETNAMESE_LETTER = re.compile(r"[À-ÖØ-öø-ỹ]")  # letters with diacritics, not × or °


@pytest.fixture
def window(qtbot, data_dir, clock):
    from desk_app.ui.scan import install_scanning

    window, runner, _startup, ready = open_window(qtbot, data_dir, clock)
    qtbot.waitUntil(lambda: bool(ready), timeout=10000)
    window.scan_action = install_scanning(window, runner, window.tr_, backends=list)
    yield window
    window.close()
    runner.shutdown()


def open_scan_dialog(qtbot, window):
    from desk_app.ui.scan.dialog import ScanDialog

    before = set(window.findChildren(ScanDialog))
    window.scan_action.trigger()
    (dialog,) = set(window.findChildren(ScanDialog)) - before
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=10000)  # device listing done (none)
    return dialog


def shown_texts(dialog) -> list[str]:
    """Every fixed text of the dialog: title, labels, buttons (and tooltips), group titles,
    mode choices, the status line and the page labels; not the dossier's own document names."""
    texts = [dialog.windowTitle(), dialog.status.text(), dialog.max_pages.specialValueText()]
    texts += [w.text() for w in dialog.findChildren(QLabel)]
    texts += [t for b in dialog.findChildren(QAbstractButton) for t in (b.text(), b.toolTip())]
    texts += [g.title() for g in dialog.findChildren(QGroupBox)]
    texts += [dialog.mode.itemText(i) for i in range(dialog.mode.count())]
    texts += [dialog.pages.item(r).text().split("\n", 1)[1] for r in range(dialog.pages.count())]
    return [t for t in texts if t]


def test_language_switch_retranslates_the_action_and_the_dialogs(qtbot, window, data_dir, clock, intake_json, tmp_path):
    (dossier,) = seed_dossiers(data_dir, clock, [intake_json])
    code = dossier.code
    window.open_dossier(code)
    page = window.dossier
    qtbot.waitUntil(lambda: page.current_code == code and page.dossier is not None and bool(page.dossier.documents), timeout=5000)
    assert window.scan_action.text() == "Quét giấy tờ…"

    # A dialog open while the language changes is retranslated, its pages and status included.
    before = open_scan_dialog(qtbot, window)
    assert before.scan_button.text() == "Quét" and before.windowTitle() == f"Quét hồ sơ {code}"
    png = save_pages(tmp_path / "to-khai.png", [text_page(100, seed=1)], dpi=(100, 100))
    before.import_files([str(png)])
    qtbot.waitUntil(lambda: before.pages.count() == 1 and before.import_button.isEnabled(), timeout=30000)
    assert "Chữ (đen trắng)" in before.pages.item(0).text()
    assert before.status.text() == "Đã nhập 1 trang từ 1 tệp."

    window.set_language("en")
    assert window.scan_action.text() == "Scan documents…"
    assert before.windowTitle() == f"Scan dossier {code}"
    assert before.status.text() == "Imported 1 pages from 1 files."
    assert before.pages.item(0).text().startswith(f"1. {DOC}\n")  # the document name stays as recorded
    untranslated = [t for t in shown_texts(before) if VIETNAMESE_LETTER.search(t)]
    assert untranslated == []

    # A dialog opened after the switch is built in English.
    before.reject()
    after = open_scan_dialog(qtbot, window)
    assert after is not before
    assert after.scan_button.text() == "Scan" and after.save_button.text() == "Save to dossier"
    assert after.status.text() == "No scanner found. Files can still be imported."
    assert [t for t in shown_texts(after) if VIETNAMESE_LETTER.search(t)] == []

    # An error shown on the status line follows the language too.
    after.import_files([str(tmp_path / "missing.png")])
    qtbot.waitUntil(lambda: after.import_button.isEnabled(), timeout=10000)
    english = after.status.text()
    assert "missing.png" in english and not VIETNAMESE_LETTER.search(english)
    window.set_language("vi")
    assert after.status.text() == "Không tìm thấy tệp missing.png."
    assert window.scan_action.text() == "Quét giấy tờ…" and after.scan_button.text() == "Quét"
    after.reject()


def test_dialog_fits_a_1366x768_screen(qtbot, desk, dossier):
    """The first size comes from the screen's free area; the layout's minimum fits a 1366 x 768
    laptop screen with a taskbar (free area 1366 x 728)."""
    from desk_app.ui.scan.dialog import FRAME, ScanDialog, initial_size
    from desk_app.ui.tasks import TaskRunner

    laptop = QSize(1366, 728)
    width, height = initial_size(laptop)
    assert width + FRAME[0] <= laptop.width() and height + FRAME[1] <= laptop.height()
    assert initial_size(QSize(2560, 1400)) == (1200, 820)  # a large monitor: the preferred size

    runner = TaskRunner(lambda: desk)
    try:
        dialog = ScanDialog(runner, desk.tr, code=dossier.code, documents=[DOC], backends=list)
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=10000)
        free = dialog.screen().availableGeometry().size()
        assert (dialog.width(), dialog.height()) == initial_size(free)
        minimum = dialog.minimumSizeHint()
        assert minimum.width() <= width and minimum.height() <= height, minimum
    finally:
        runner.finish()  # leave the desk (owned by the fixture) open


def test_a_closed_scan_dialog_is_deleted_with_its_pages(qtbot, window, data_dir, clock, intake_json):
    """A receptionist opens the scan dialog for every dossier all day: a closed one must not
    stay in memory with its page images."""
    import shiboken6
    from PySide6.QtCore import QCoreApplication, QEvent

    (dossier,) = seed_dossiers(data_dir, clock, [intake_json])
    window.open_dossier(dossier.code)
    qtbot.waitUntil(lambda: window.dossier.current_code == dossier.code, timeout=5000)
    dialog = open_scan_dialog(qtbot, window)
    dialog.reject()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=5000)

"""Without the optional SANE support (extra [sane]) the scan dialog says so and how to
add it, instead of just "no scanner"; importing files still works (offscreen Qt)."""

from __future__ import annotations

import sys

import pytest

from tests.scanning.conftest import DOC

pytestmark = pytest.mark.ui


@pytest.fixture
def runner(desk, qtbot):
    from desk_app.ui.tasks import TaskRunner

    r = TaskRunner(lambda: desk)
    yield r
    r.finish()  # leave the desk (owned by the fixture) open


def test_missing_python_sane_is_explained_and_files_can_still_be_imported(qtbot, desk, dossier, runner, monkeypatch):
    from desk_app.scanning.sources.sane_backend import SaneBackend
    from desk_app.ui.scan.dialog import ScanDialog

    monkeypatch.setitem(sys.modules, "sane", None)  # `import sane` raises ImportError, as without the extra
    dlg = ScanDialog(runner, desk.tr, code=dossier.code, documents=[DOC], backends=lambda: [SaneBackend()])
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.import_button.isEnabled(), timeout=10000)
    text = dlg.status.text()
    assert "python3-sane" in text and "DESK_EXTRAS=sane" in text and "nhập được tệp" in text
    assert dlg.device.count() == 0 and not dlg.scan_button.isEnabled()

"""Start-up stays light: building the main window and installing the add-ons (printing,
scanning, sync) must not load the heavy modules on the UI thread (they load on the workers
or when first used). Checked in a fresh interpreter; the timing itself is bench/bench_startup.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("numpy", "PIL", "reportlab", "requests", "sqlite_utils", "holidays", "pypdfium2",
         "desk_app.store", "desk_app.services.printing", "desk_app.services.sync_service",
         "desk_app.scanning.pipeline", "desk_app.ui.scan.dialog",
         # built on first show, not at start-up
         "desk_app.ui.pages.queue", "desk_app.ui.pages.dossier", "desk_app.ui.printing.preview")

SCRIPT = """
import json, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from desk_app.i18n import Translator
from desk_app.ui.app import make_services_factory
from desk_app.ui.main_window import MainWindow
from desk_app.ui.printing import install_printing
from desk_app.ui.scan import install_scanning
from desk_app.ui.sync_status import install_sync
from desk_app.ui.tasks import TaskRunner
from desk_app.ui.admin import install_admin
from desk_app.ui.qt_translations import install_qt_translations
app = QApplication([])
tr = Translator("vi")
data = Path(sys.argv[1])
runner = TaskRunner(make_services_factory(data, tr))
window = MainWindow(runner, tr)
install_qt_translations(app, window)
install_scanning(window, runner, tr)
install_admin(window, runner)
install_printing(window, runner)
loop = install_sync(window, runner, tr, data_dir=data, start=False)
window.show()
app.processEvents()
import PySide6.QtCore
print(json.dumps({"modules": sorted(sys.modules), "qt_namespace": "Qt" in vars(PySide6.QtCore)}))
"""


def test_window_and_addons_do_not_import_heavy_modules(tmp_path):
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "data")], capture_output=True, text=True,
                         env=env, cwd=root, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    loaded = report["modules"]
    assert "desk_app.ui.main_window" in loaded and "desk_app.ui.scan.install" in loaded
    heavy = [m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert heavy == []
    # PySide builds the Qt namespace's ~100 Python enums on first use (~20 ms): not before
    # the first window (widgets.set_named; QAction.setShortcuts, not setShortcut).
    assert report["qt_namespace"] is False
    assert "QStatusBar" not in out.stderr  # add_status_widget inserts at a valid index

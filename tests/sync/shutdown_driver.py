"""A desk process for the shutdown test: the real TaskRunner, main window and sync loop on an
enrolled desk folder, with the client's default (production) timeouts and retries. It starts
a round at once; when the file ``<data>/close.flag`` appears it closes the window and shuts
down in the order desk_app/ui/app.py does (sync loop, then runner), then exits.

    python -m tests.sync.shutdown_driver DATA_DIR
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main(data: Path) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desk_app.i18n import Translator
    from desk_app.services.context import build_services
    from desk_app.ui.main_window import MainWindow
    from desk_app.ui.sync_status import install_sync
    from desk_app.ui.tasks import TaskRunner

    app = QApplication([])
    tr = Translator("vi")
    runner = TaskRunner(lambda: build_services(data, tr=tr))
    window = MainWindow(runner, tr)
    loop = install_sync(window, runner, tr, data_dir=data, start=False)
    loop.round_finished.connect(lambda result: print("round finished", result, flush=True))
    window.show()
    flag = data / "close.flag"
    poll = QTimer(interval=20)
    poll.timeout.connect(lambda: (window.close(), app.quit()) if flag.exists() else None)
    poll.start()
    QTimer.singleShot(0, loop.sync_now)
    print("started", flush=True)
    try:
        app.exec()
    finally:
        loop.shutdown()
        runner.shutdown()
    print("shut down", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))

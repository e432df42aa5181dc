"""The scan action on the dossier page (``install_scanning``). UI thread.

Kept apart from the dialog so start-up only builds a QAction: the dialog module (and the
scanner drivers it lists) loads the first time the action is triggered; the page pipeline
(numpy, Pillow) loads on the I/O pool when pages arrive.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction

from desk_app.i18n import Translator
from desk_app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from desk_app.scanning.sources import ScannerBackend
    from desk_app.ui.scan.dialog import ScanDialog


def install_scanning(main_window, runner: TaskRunner, tr: Translator,
                     backends: Callable[[], list[ScannerBackend]] | None = None) -> QAction:
    """Add "Quét giấy tờ…" to the dossier page; the dossier (and its digitised pages) reloads
    after a save. ``backends`` defaults to every scanner backend available on this PC.
    The dossier page is built on first use: the action joins it then. On a language change
    (``main_window.language_changed``) the action, an open dialog and the next dialogs use
    the window's new translator (``main_window.tr_``)."""
    action = QAction(main_window)  # not QAction(text, ...): that loads QIcon's type at start-up
    open_dialogs: list[ScanDialog] = []

    def retranslate(_language: str = "") -> None:
        nonlocal tr  # the translator the next dialog is built with
        tr = main_window.tr_
        action.setText(tr("Quét giấy tờ…"))
        for dialog in open_dialogs:
            dialog.retranslate(tr)

    def close_dialog(dialog) -> None:
        # A closed dialog must not keep its page images in memory for the rest of the day:
        # stop what it still runs and delete it. Results of jobs already in flight are dropped
        # by the TaskRunner relay once the dialog is gone.
        open_dialogs.remove(dialog)
        dialog.stop()
        dialog.deleteLater()

    def open_dialog() -> None:
        page = main_window.dossier
        if not page.current_code:
            return
        from desk_app.scanning.sources import available_backends
        from desk_app.ui.scan.dialog import ScanDialog

        documents = [d.name for d in page.dossier.documents] if page.dossier else []
        dialog = ScanDialog(runner, tr, code=page.current_code, documents=documents,
                            backends=backends or available_backends, parent=main_window)
        open_dialogs.append(dialog)
        dialog.finished.connect(lambda _result: close_dialog(dialog))
        dialog.open()

    action.setText(tr("Quét giấy tờ…"))
    action.triggered.connect(open_dialog)
    main_window.when_page("dossier", lambda page: page.add_action(action))
    main_window.language_changed.connect(retranslate)
    return action

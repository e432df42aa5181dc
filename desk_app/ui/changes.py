"""One change signal for the desk UI: after a write, the pages learn which dossiers changed.

Write operations (``desk_app.ui.ops.Op`` with ``changes=``) report the codes they touched to
the runner's one ``Changes`` object, which emits ``dossier_changed(code)`` once per dossier.
Pages that show dossiers (queue, dossier page, review queue, dashboard) listen and refresh
themselves; a caller that writes never refreshes another page by hand. UI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from desk_app.services.dossier_view import DossierView


class Changes(QObject):
    """The one place a write announces itself. ``dossier_changed`` carries the dossier's code;
    ``synced`` says a sync round changed dossiers (sent and confirmed, or changed at the
    province), without saying which: a round may touch hundreds."""

    dossier_changed = Signal(str)
    synced = Signal()

    def announce(self, codes: Iterable[str]) -> None:
        """UI thread, after the write committed: one signal per changed dossier (each once)."""
        for code in dict.fromkeys(codes):
            self.dossier_changed.emit(code)


class ChangeFollower(QObject):
    """Refreshes ``page`` after changes: ``refresh()`` once per burst of ``dossier_changed``
    (a bulk change of 50 dossiers reloads a list once), for the codes ``wants`` accepts. With
    ``only_visible`` a hidden page is left alone: it reads fresh rows when it is shown
    (its ``activate``). With ``after_sync`` it also refreshes after a sync round that changed
    dossiers: only for a page whose refresh keeps what the user is doing (the dossier page
    keeps its note, choice and thumbnails); the lists would lose their scroll and selection
    every few minutes, so they read fresh rows when shown or filtered instead. A child of the
    page, so it stops listening when the page goes."""

    def __init__(self, page: QWidget, changes: Changes, refresh: Callable[[], None], *,
                 wants: Callable[[str], bool] | None = None, only_visible: bool = True,
                 after_sync: bool = False) -> None:
        super().__init__(page)
        self._page = page
        self._refresh = refresh
        self._wants = wants
        self._only_visible = only_visible
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self._fire)
        changes.dossier_changed.connect(self._changed)
        if after_sync:
            changes.synced.connect(self._timer.start)

    def _changed(self, code: str) -> None:
        if self._wants is None or self._wants(code):
            self._timer.start()

    def _fire(self) -> None:
        if not self._only_visible or self._page.isVisible():
            self._refresh()


def dossier_code(result: DossierView) -> list[str]:
    """``changes=`` for a write answering with the dossier it changed."""
    return [result.code]

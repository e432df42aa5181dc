"""One change signal for the desk UI: after a write, the pages learn which dossiers changed.

Write operations (``desk_app.ui.ops.Op`` with ``changes=``) report the codes they touched to
the runner's one ``Changes`` object, which emits ``dossier_changed(code)`` once per dossier.
Pages that show dossiers (queue, dossier page, review queue, dashboard) listen and refresh
themselves; a caller that writes never refreshes another page by hand. UI thread.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QObject, Signal


class Changes(QObject):
    """The one place a write announces itself. ``dossier_changed`` carries the dossier's code."""

    dossier_changed = Signal(str)

    def announce(self, codes: Iterable[str]) -> None:
        """UI thread, after the write committed: one signal per changed dossier (each once)."""
        for code in dict.fromkeys(codes):
            self.dossier_changed.emit(code)


def dossier_code(result: dict) -> list[str]:
    """``changes=`` for a write answering with the dossier it changed (``{"code": ...}``)."""
    return [result["code"]]
